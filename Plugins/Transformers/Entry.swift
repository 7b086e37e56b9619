import PluginAPI
import PluginKit

/// SwiftMage's built-in transformers.
nonisolated(unsafe) private var descriptor: UnsafePointer<mage_plugin_descriptor>?

@_cdecl("mage_plugin_entry")
public func mageTransformersEntry(_ host: UnsafePointer<mage_host_api>?) -> UnsafePointer<mage_plugin_descriptor>? {
    guard PluginHost.attach(host) else { return nil }
    if descriptor == nil {
        descriptor = makeDescriptor(name: "mage-transformers", version: "1.0.0", swiftModule: "MageTransformers",
                                    blocks: [DerivedColumn.spec, SelectColumns.spec])
    }
    return descriptor
}
