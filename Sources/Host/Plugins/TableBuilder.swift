import PluginAPI

/// The host object behind `mage_table_builder`: columns a plugin adds, exported as one Arrow table.
final class TableBuilder {
    var columns: [Column] = []
    var metadata: [String: String] = [:]
    var problem: String?

    var cPointer: OpaquePointer { OpaquePointer(Unmanaged.passRetained(self).toOpaque()) }

    /// Takes back the reference `cPointer` handed out.
    static func take(_ pointer: OpaquePointer) -> TableBuilder {
        Unmanaged<TableBuilder>.fromOpaque(UnsafeRawPointer(pointer)).takeRetainedValue()
    }

    static func borrow(_ pointer: OpaquePointer) -> TableBuilder {
        Unmanaged<TableBuilder>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue()
    }

    func add(_ column: Column) -> Int32 {
        if let first = columns.first, first.count != column.count {
            problem = "column '\(column.name)' has \(column.count) rows, column '\(first.name)' \(first.count)"
            return Int32(MAGE_ERROR_INVALID_INPUT)
        }
        if columns.contains(where: { $0.name == column.name }) {
            problem = "column '\(column.name)' was added twice"
            return Int32(MAGE_ERROR_INVALID_INPUT)
        }
        columns.append(column)
        return Int32(MAGE_OK)
    }

    static func validity(_ valid: UnsafePointer<UInt8>?, _ length: Int) -> [Bool]? {
        guard let valid else { return nil }
        let flags = (0..<length).map { valid[$0] != 0 }
        return flags.allSatisfy { $0 } ? nil : flags
    }
}
