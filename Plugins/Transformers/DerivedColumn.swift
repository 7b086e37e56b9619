import PluginAPI
import PluginKit

/// Adds a column computed row by row by a plain C function that any loaded plugin declared by symbol
/// and signature: the host binds it at load time and calls it through libffi.
enum DerivedColumn {
    static let spec = BlockKindSpec(
        name: "derived_column", type: MAGE_BLOCK_TRANSFORMER,
        description: "adds a column computed by a declared C function of other columns",
        configKeys: [
            ConfigKeySpec("function", MAGE_CONFIG_STRING, required: true, "name of a declared function, e.g. ratio"),
            ConfigKeySpec("arguments", MAGE_CONFIG_STRING_LIST, required: true, "input columns, one per parameter"),
            ConfigKeySpec("column", MAGE_CONFIG_STRING, required: true, "name of the new column"),
        ],
        run: { ctx, inputs, count, output in DerivedColumn.run(BlockCall(ctx), inputs, count, output) })

    static func run(_ call: BlockCall, _ inputs: UnsafePointer<mage_table>?, _ count: Int,
                    _ output: UnsafeMutablePointer<mage_table>?) -> Int32 {
        guard let inputs, count == 1 else {
            return call.fail("derived_column needs exactly one upstream table, got \(count)")
        }
        let table = InputTable(inputs)
        let functionName = call.string("function")!, newColumn = call.string("column")!
        let argumentNames = call.stringList("arguments") ?? []
        let api = PluginHost.api.pointee
        guard let function = api.function_find(call.context, functionName) else {
            return Int32(MAGE_ERROR_INVALID_INPUT)  // the host set the reason
        }
        let arity = api.function_arity(function)
        guard arity == argumentNames.count else {
            return call.fail("function '\(functionName)' takes \(arity) arguments, configuration gives \(argumentNames.count)")
        }
        if table.column(named: newColumn) != nil {
            return call.fail("column '\(newColumn)' already exists in the input")
        }
        var columns: [InputColumn] = []
        var values: [[Double]] = []
        for name in argumentNames {
            guard let column = table.column(named: name) else {
                return call.fail("argument column '\(name)' is not in the input (columns: \(table.columns.map(\.name).joined(separator: ", ")))")
            }
            guard let numbers = column.doubles() else {
                return call.fail("argument column '\(name)' is \(column.format == "u" ? "text" : "boolean"), not numeric")
            }
            columns.append(column)
            values.append(numbers)
        }
        var result = [Double](repeating: 0, count: table.rowCount)
        var valid = [UInt8](repeating: 1, count: table.rowCount)
        var args = [Double](repeating: 0, count: arity)
        for row in 0..<table.rowCount {
            if columns.contains(where: { !$0.isValid(row) }) {
                valid[row] = 0
                continue
            }
            for i in 0..<arity { args[i] = values[i][row] }
            guard api.function_call(function, args, &result[row]) == MAGE_OK else {
                return call.fail("calling '\(functionName)' failed at row \(row)", code: Int32(MAGE_ERROR))
            }
        }
        let out = OutputTable()
        for column in table.columns { out.add(copyOf: column) }
        // Schema metadata (e.g. a fitted preprocessor) describes the upstream columns, which pass unchanged.
        for (key, value) in table.metadata { out.setMetadata(key, value) }
        out.add(newColumn, doubles: result, validity: valid.contains(0) ? valid : nil)
        if let problem = out.problem { return call.fail(problem) }
        call.log("derived '\(newColumn)' = \(functionName)(\(argumentNames.joined(separator: ", "))) over \(table.rowCount) rows")
        return out.finish(into: output)
    }
}
