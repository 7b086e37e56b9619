import Foundation
import PluginAPI

/// Swift values describing a plugin, turned once into the static C descriptor the ABI asks for. The
/// memory is never freed: the host reads it for the life of the process.
public struct BlockKindSpec: Sendable {
    public var name: String
    public var type: mage_block_type
    public var description: String
    public var configKeys: [ConfigKeySpec]
    public var run: mage_block_run_fn?
    public var train: mage_model_train_fn?
    public var load: mage_model_load_fn?
    public var predict: mage_model_predict_fn?
    public var freeModel: mage_model_free_fn?
    /// Models: the configuration key naming the label column, for a signature train does not declare.
    public var labelKey: String?

    public init(name: String, type: mage_block_type, description: String, configKeys: [ConfigKeySpec] = [],
                run: mage_block_run_fn? = nil, train: mage_model_train_fn? = nil, load: mage_model_load_fn? = nil,
                predict: mage_model_predict_fn? = nil, freeModel: mage_model_free_fn? = nil,
                labelKey: String? = nil) {
        self.name = name
        self.type = type
        self.description = description
        self.configKeys = configKeys
        self.run = run
        self.train = train
        self.load = load
        self.predict = predict
        self.freeModel = freeModel
        self.labelKey = labelKey
    }
}

public struct ConfigKeySpec: Sendable {
    public var name: String
    public var type: mage_config_type
    public var required: Bool
    /// MAGE_CONFIG_SECRET (ABI 1.2): the host masks the value in everything it writes down.
    public var secret: Bool
    /// MAGE_CONFIG_PATH (ABI 1.2): the host hands over the path resolved, inside the project.
    public var path: Bool
    public var description: String

    public init(_ name: String, _ type: mage_config_type, required: Bool = false, secret: Bool = false,
                path: Bool = false, _ description: String) {
        self.name = name
        self.type = type
        self.required = required
        self.secret = secret
        self.path = path
        self.description = description
    }

    /// The `type` field of the C declaration: the type with its flags.
    var abiType: Int32 {
        Int32(type.rawValue) | (secret ? Int32(MAGE_CONFIG_SECRET) : 0) | (path ? Int32(MAGE_CONFIG_PATH) : 0)
    }
}

public func makeDescriptor(name: String, version: String, swiftModule: String,
                           blocks: [BlockKindSpec]) -> UnsafePointer<mage_plugin_descriptor> {
    func permanent(_ s: String) -> UnsafePointer<CChar> { UnsafePointer(strdup(s)!) }
    let kinds = UnsafeMutablePointer<UnsafePointer<mage_block_kind>?>.allocate(capacity: max(1, blocks.count))
    for (i, spec) in blocks.enumerated() {
        let keys = UnsafeMutablePointer<mage_config_key>.allocate(capacity: max(1, spec.configKeys.count))
        for (j, key) in spec.configKeys.enumerated() {
            keys[j] = mage_config_key(name: permanent(key.name), type: key.abiType,
                                      required: key.required ? 1 : 0, description: permanent(key.description))
        }
        let kind = UnsafeMutablePointer<mage_block_kind>.allocate(capacity: 1)
        kind.initialize(to: mage_block_kind(
            struct_size: UInt32(MemoryLayout<mage_block_kind>.size), name: permanent(spec.name),
            block_type: Int32(spec.type.rawValue), description: permanent(spec.description),
            config_keys: keys, n_config_keys: spec.configKeys.count, run: spec.run ?? nil,
            train: spec.train ?? nil, load: spec.load ?? nil, predict: spec.predict ?? nil,
            free_model: spec.freeModel ?? nil, label_key: spec.labelKey.map(permanent)))
        kinds[i] = UnsafePointer(kind)
    }
    let descriptor = UnsafeMutablePointer<mage_plugin_descriptor>.allocate(capacity: 1)
    descriptor.initialize(to: mage_plugin_descriptor(
        struct_size: UInt32(MemoryLayout<mage_plugin_descriptor>.size), abi_major: UInt16(MAGE_ABI_MAJOR),
        abi_minor: UInt16(MAGE_ABI_MINOR), name: permanent(name), version: permanent(version),
        swift_module: permanent(swiftModule), block_kinds: UnsafePointer(kinds), n_block_kinds: blocks.count,
        functions: nil, n_functions: 0))
    return UnsafePointer(descriptor)
}
