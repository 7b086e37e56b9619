import PluginAPI
import PluginKit

/// SwiftMage's churn models: the preprocessing they need and two classifiers.
nonisolated(unsafe) private var descriptor: UnsafePointer<mage_plugin_descriptor>?

@_cdecl("mage_plugin_entry")
public func mageModelsEntry(_ host: UnsafePointer<mage_host_api>?) -> UnsafePointer<mage_plugin_descriptor>? {
    guard PluginHost.attach(host) else { return nil }
    if descriptor == nil {
        descriptor = makeDescriptor(name: "mage-models", version: "1.0.0", swiftModule: "MageModels",
                                    blocks: [PreprocessingBlock.spec, RandomForestBlock.spec, LogisticRegressionBlock.spec])
    }
    return descriptor
}
