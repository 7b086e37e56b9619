import Foundation
import PluginAPI

/// The host's service table, kept from the entry call (the host guarantees it outlives the plugin).
public enum PluginHost {
    nonisolated(unsafe) public private(set) static var api: UnsafePointer<mage_host_api>!

    /// Whether the host's table has a service added in a later minor (e.g. `\.lineage_json`, 1.1).
    public static func provides<T>(_ slot: KeyPath<mage_host_api, T>) -> Bool {
        guard let api, let offset = MemoryLayout<mage_host_api>.offset(of: slot) else { return false }
        return Int(api.pointee.struct_size) >= offset + MemoryLayout<T>.size
    }

    /// Call first in `mage_plugin_entry`. Returns false when the host speaks another ABI major.
    public static func attach(_ host: UnsafePointer<mage_host_api>?) -> Bool {
        guard let host, host.pointee.abi_major == MAGE_ABI_MAJOR else { return false }
        api = host
        return true
    }
}

/// One call's context: configuration, logging and the error message, in Swift types.
public struct BlockCall {
    public let context: OpaquePointer?

    public init(_ context: OpaquePointer?) { self.context = context }

    private var api: mage_host_api { PluginHost.api.pointee }

    public func string(_ key: String) -> String? {
        var out: UnsafePointer<CChar>?
        guard api.config_string(context, key, &out) != 0, let out else { return nil }
        return String(cString: out)
    }

    public func int(_ key: String) -> Int64? {
        var out: Int64 = 0
        return api.config_int(context, key, &out) != 0 ? out : nil
    }

    public func double(_ key: String) -> Double? {
        var out = 0.0
        return api.config_double(context, key, &out) != 0 ? out : nil
    }

    public func bool(_ key: String) -> Bool? {
        var out: Int32 = 0
        return api.config_bool(context, key, &out) != 0 ? out != 0 : nil
    }

    public func stringList(_ key: String) -> [String]? {
        var count = 0
        guard api.config_list_count(context, key, &count) != 0 else { return nil }
        return (0..<count).compactMap { i in
            var out: UnsafePointer<CChar>?
            guard api.config_list_item(context, key, i, &out) != 0, let out else { return nil }
            return String(cString: out)
        }
    }

    public func log(_ message: String, level: Int32 = Int32(MAGE_LOG_INFO)) {
        api.log(context, level, message)
    }

    /// Records the error and returns the code to hand back to the host.
    public func fail(_ message: String, code: Int32 = Int32(MAGE_ERROR_INVALID_INPUT)) -> Int32 {
        api.set_error(context, message)
        return code
    }

    public var artifactDirectory: String? {
        api.artifact_dir(context).map { String(cString: $0) }
    }

    public func reportFacet(_ name: String, json: String) -> Bool {
        api.report_facet(context, name, json) == MAGE_OK
    }

    /// In train: the label column and the feature columns predict takes, in row order (nil: every
    /// column but the label), from which the host writes signature.json. False with the error set
    /// when a name is wrong or the host predates ABI 1.2.
    public func declareSignature(label: String, features: [String]?) -> Bool {
        guard PluginHost.provides(\.declare_model_signature) else {
            api.set_error(context, "the host predates ABI 1.2 and cannot take a model signature")
            return false
        }
        guard let features else { return api.declare_model_signature(context, label, nil, 0) == MAGE_OK }
        let names = features.map { strdup($0) }
        defer { names.forEach { free($0) } }
        return names.map { UnsafePointer($0) }.withUnsafeBufferPointer { buffer in
            api.declare_model_signature(context, label, buffer.baseAddress, buffer.count) == MAGE_OK
        }
    }
}
