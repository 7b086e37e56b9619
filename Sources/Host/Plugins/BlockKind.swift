import PluginAPI

/// Mage's block types.
public enum BlockType: String, Sendable, Codable, CaseIterable {
    case dataLoader = "data_loader"
    case transformer
    case dataExporter = "data_exporter"
    case model

    init?(abi: Int32) {
        switch abi {
        case Int32(MAGE_BLOCK_DATA_LOADER.rawValue): self = .dataLoader
        case Int32(MAGE_BLOCK_TRANSFORMER.rawValue): self = .transformer
        case Int32(MAGE_BLOCK_DATA_EXPORTER.rawValue): self = .dataExporter
        case Int32(MAGE_BLOCK_MODEL.rawValue): self = .model
        default: return nil
        }
    }
}

public enum ConfigType: String, Sendable, Codable {
    case string, int, double, bool
    case stringList = "string_list"
    case json

    init?(abi: Int32) {
        switch abi {
        case Int32(MAGE_CONFIG_STRING.rawValue): self = .string
        case Int32(MAGE_CONFIG_INT.rawValue): self = .int
        case Int32(MAGE_CONFIG_DOUBLE.rawValue): self = .double
        case Int32(MAGE_CONFIG_BOOL.rawValue): self = .bool
        case Int32(MAGE_CONFIG_STRING_LIST.rawValue): self = .stringList
        case Int32(MAGE_CONFIG_JSON.rawValue): self = .json
        default: return nil
        }
    }

    func accepts(_ value: ConfigValue) -> Bool {
        switch (self, value) {
        case (.json, _), (.string, .string), (.int, .int), (.double, .double), (.double, .int), (.bool, .bool):
            true
        case (.stringList, .list(let items)):
            items.allSatisfy { if case .string = $0 { true } else { false } }
        default:
            false
        }
    }
}

public struct ConfigKeySpec: Sendable, Codable, Equatable {
    public var name: String
    public var type: ConfigType
    public var required: Bool
    public var description: String
    /// MAGE_CONFIG_SECRET (ABI 1.2): the value is masked wherever the host writes it down.
    public var secret = false
    /// MAGE_CONFIG_PATH (ABI 1.2): the host resolves the path and keeps it inside the project.
    public var path = false

    /// A key as a plugin declares it; nil when its type or flags are unknown to this host.
    init?(abi key: mage_config_key, name: String) {
        let flags = key.type & ~Int32(MAGE_CONFIG_TYPE_MASK)
        guard flags & ~Int32(MAGE_CONFIG_SECRET | MAGE_CONFIG_PATH) == 0,
              let type = ConfigType(abi: key.type & Int32(MAGE_CONFIG_TYPE_MASK)) else { return nil }
        self.name = name
        self.type = type
        required = key.required != 0
        description = key.description.map { String(cString: $0) } ?? ""
        secret = flags & Int32(MAGE_CONFIG_SECRET) != 0
        path = flags & Int32(MAGE_CONFIG_PATH) != 0
    }
}

/// A block kind a loaded plugin provides. Its function pointers point into a library that is never
/// unloaded, so they stay valid for the life of the process.
public struct BlockKind: @unchecked Sendable {
    public let name: String
    public let type: BlockType
    public let description: String
    public let configKeys: [ConfigKeySpec]
    public let libraryPath: String
    /// The plugin's functions, read from its struct within its `struct_size`.
    public let functions: Functions
    /// Models: the configuration key naming the label column (ABI 1.2), for a signature train did not declare.
    public let labelKey: String?

    public struct Functions: @unchecked Sendable {
        public let run: mage_block_run_fn?
        public let train: mage_model_train_fn?
        public let load: mage_model_load_fn?
        public let predict: mage_model_predict_fn?
        public let freeModel: mage_model_free_fn?
    }
}
