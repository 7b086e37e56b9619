import PluginAPI
import PluginKit

/// Keeps the named columns, in the given order.
enum SelectColumns {
    static let spec = BlockKindSpec(
        name: "select_columns", type: MAGE_BLOCK_TRANSFORMER,
        description: "keeps the named columns, in that order",
        configKeys: [ConfigKeySpec("columns", MAGE_CONFIG_STRING_LIST, required: true, "columns to keep")],
        run: { ctx, inputs, count, output in SelectColumns.run(BlockCall(ctx), inputs, count, output) })

    static func run(_ call: BlockCall, _ inputs: UnsafePointer<mage_table>?, _ count: Int,
                    _ output: UnsafeMutablePointer<mage_table>?) -> Int32 {
        guard let inputs, count == 1 else {
            return call.fail("select_columns needs exactly one upstream table, got \(count)")
        }
        let table = InputTable(inputs)
        let wanted = call.stringList("columns") ?? []
        guard !wanted.isEmpty else { return call.fail("'columns' must name at least one column") }
        let out = OutputTable()
        for name in wanted {
            guard let column = table.column(named: name) else {
                return call.fail("column '\(name)' is not in the input (columns: \(table.columns.map(\.name).joined(separator: ", ")))")
            }
            guard out.add(copyOf: column) else { return call.fail(out.problem ?? "cannot copy column '\(name)'") }
        }
        return out.finish(into: output)
    }
}
