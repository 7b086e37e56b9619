import PluginAPI
import PluginKit

/// SwiftMage's built-in data loaders.
nonisolated(unsafe) private var descriptor: UnsafePointer<mage_plugin_descriptor>?

@_cdecl("mage_plugin_entry")
public func mageDataLoadersEntry(_ host: UnsafePointer<mage_host_api>?) -> UnsafePointer<mage_plugin_descriptor>? {
    guard PluginHost.attach(host) else { return nil }
    if descriptor == nil {
        descriptor = makeDescriptor(name: "mage-data-loaders", version: "1.0.0", swiftModule: "MageDataLoaders",
                                    blocks: [ChurnSynthetic.spec, CSVFile.spec, PostgresQuery.spec])
    }
    return descriptor
}
