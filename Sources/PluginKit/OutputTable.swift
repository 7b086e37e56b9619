import Foundation
import PluginAPI

/// Builds an output table through the host's table builder, so the plugin needs no Arrow code.
public final class OutputTable {
    private var builder: OpaquePointer?
    private var api: mage_host_api { PluginHost.api.pointee }
    /// Why the last add failed, if one did.
    public private(set) var problem: String?

    public init() { builder = PluginHost.api.pointee.table_builder_new() }

    deinit { if let builder { api.builder_free(builder) } }

    @discardableResult
    public func add(_ name: String, doubles: [Double], validity: [UInt8]? = nil) -> Bool {
        check(name, api.builder_add_float64(builder, name, doubles, validity, Int64(doubles.count)))
    }

    @discardableResult
    public func add(_ name: String, int64s: [Int64], validity: [UInt8]? = nil) -> Bool {
        check(name, api.builder_add_int64(builder, name, int64s, validity, Int64(int64s.count)))
    }

    @discardableResult
    public func add(_ name: String, bools: [UInt8], validity: [UInt8]? = nil) -> Bool {
        check(name, api.builder_add_bool(builder, name, bools, validity, Int64(bools.count)))
    }

    @discardableResult
    public func add(_ name: String, strings: [String?]) -> Bool {
        let pointers = strings.map { $0.flatMap { strdup($0) } }
        defer { pointers.forEach { free($0) } }
        let borrowed = pointers.map { UnsafePointer($0) }
        return check(name, api.builder_add_utf8(builder, name, borrowed, Int64(strings.count)))
    }

    /// Attaches schema metadata (ABI 1.1); false on an older host.
    @discardableResult
    public func setMetadata(_ key: String, _ value: String) -> Bool {
        guard PluginHost.provides(\.builder_set_metadata) else {
            problem = "the host is older than ABI 1.1 and cannot attach table metadata"
            return false
        }
        guard api.builder_set_metadata(builder, key, value) == MAGE_OK else {
            problem = "the host refused metadata key '\(key)'"
            return false
        }
        return true
    }

    /// Copies an input column as it is, nulls included.
    @discardableResult
    public func add(copyOf column: InputColumn, as name: String? = nil) -> Bool {
        let name = name ?? column.name
        let validity = column.validity
        switch column.format {
        case "g": return add(name, doubles: column.doubles()!, validity: validity)
        case "l": return add(name, int64s: column.int64s()!, validity: validity)
        case "b": return add(name, bools: column.bools()!, validity: validity)
        case "u":
            let values = column.strings()!
            return add(name, strings: values.indices.map { column.isValid($0) ? values[$0] : nil })
        default:
            problem = "column '\(column.name)' has unsupported Arrow format \"\(column.format)\""
            return false
        }
    }

    /// Moves the table into `output`; the builder is consumed.
    public func finish(into output: UnsafeMutablePointer<mage_table>?) -> Int32 {
        let b = builder
        builder = nil
        return api.builder_finish(b, output)
    }

    private func check(_ name: String, _ code: Int32) -> Bool {
        if code != MAGE_OK { problem = "cannot add column '\(name)' (its length differs, or the name repeats)" }
        return code == MAGE_OK
    }
}
