import PluginAPI
import PluginKit

/// The registry and deployment steps of a pipeline: thin blocks over the host's registry services
/// (ABI 1.1), which own the versioned folders, the atomic latest pointer and their records.
enum RegistryBlocks {
    static let registry = BlockKindSpec(
        name: "model_registry", type: MAGE_BLOCK_DATA_EXPORTER,
        description: "registers the upstream model as a new version and points latest at it",
        configKeys: [ConfigKeySpec("model_block", MAGE_CONFIG_STRING, "the model block to register (default: the nearest upstream)")],
        run: { ctx, _, _, _ in RegistryBlocks.register(BlockCall(ctx)) })

    static let deployment = BlockKindSpec(
        name: "deployment", type: MAGE_BLOCK_DATA_EXPORTER,
        description: "marks a registered version deployed (default: the one this run registered)",
        configKeys: [ConfigKeySpec("version", MAGE_CONFIG_STRING, "the version to deploy (default: this run's)")],
        run: { ctx, _, _, _ in RegistryBlocks.deploy(BlockCall(ctx)) })

    static func register(_ call: BlockCall) -> Int32 {
        guard PluginHost.provides(\.register_model) else { return call.fail("model_registry needs a host with ABI 1.1") }
        var version: UnsafePointer<CChar>?
        let code = PluginHost.api.pointee.register_model(call.context, call.string("model_block"), &version)
        guard code == MAGE_OK, let version else { return code == MAGE_OK ? Int32(MAGE_ERROR) : code }
        call.log("registered model version \(String(cString: version))")
        return Int32(MAGE_OK)
    }

    static func deploy(_ call: BlockCall) -> Int32 {
        guard PluginHost.provides(\.deploy_model) else { return call.fail("deployment needs a host with ABI 1.1") }
        let code = PluginHost.api.pointee.deploy_model(call.context, call.string("version"))
        if code == MAGE_OK { call.log("deployed") }
        return code
    }
}
