import PluginAPI
import PluginKit

/// SwiftMage's built-in exporters: the model registry and deployment steps, and the run's lineage
/// document as a file, as OpenLineage events, as a graph. They need the host service `lineage_json` (ABI 1.1) and check for it when they run, so
/// the library still loads, and lists, on a 1.0 host.
public enum ExportersPlugin {
    public static let name = "mage-exporters"
    public static let version = "1.0.0"
}

nonisolated(unsafe) private var descriptor: UnsafePointer<mage_plugin_descriptor>?

@_cdecl("mage_plugin_entry")
public func mageExportersEntry(_ host: UnsafePointer<mage_host_api>?) -> UnsafePointer<mage_plugin_descriptor>? {
    guard PluginHost.attach(host) else { return nil }
    if descriptor == nil {
        descriptor = makeDescriptor(name: ExportersPlugin.name, version: ExportersPlugin.version, swiftModule: "MageExporters",
                                    blocks: [LineageJSONExport.spec, OpenLineageExport.spec, LineageGraphExport.spec,
                                             RegistryBlocks.registry, RegistryBlocks.deployment])
    }
    return descriptor
}
