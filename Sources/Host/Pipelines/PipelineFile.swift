import Foundation

/// `pipelines/<uuid>/metadata.yaml` as written, in Mage's keys, before validation.
struct PipelineFile {
    var uuid: String?
    var name: String?
    var type: String?
    var isolation: Isolation?
    /// Run the pipeline again, rather than fail it, when the process running it stops.
    var retry_on_host_failure: Bool?
    /// Mage's pipeline variables: defaults that `--runtime-vars` override.
    var variables: [String: ConfigValue]?
    var blocks: [BlockEntry]?

    struct BlockEntry {
        var uuid: String?
        var name: String?
        var type: String?
        var plugin: String?
        var upstream_blocks: [String]?
        var downstream_blocks: [String]?
        var configuration: [String: ConfigValue]?
        var retry_config: RetryPolicy?
        var timeout: Double?
        var isolation: Isolation?
    }

    /// Reads the document `ProjectFileReader` parsed; a key of the wrong shape is named by its path.
    init(_ document: ConfigValue) throws {
        let top = try YAMLFields(document, path: "")
        uuid = try top.string("uuid")
        name = try top.string("name")
        type = try top.string("type")
        isolation = try top.isolation("isolation")
        retry_on_host_failure = try top.bool("retry_on_host_failure")
        variables = try top.map("variables")
        blocks = try top.list("blocks")?.enumerated().map { index, item in
            let f = try YAMLFields(item, path: "blocks[\(index)]")
            return BlockEntry(
                uuid: try f.string("uuid"), name: try f.string("name"), type: try f.string("type"),
                plugin: try f.string("plugin"), upstream_blocks: try f.strings("upstream_blocks"),
                downstream_blocks: try f.strings("downstream_blocks"), configuration: try f.map("configuration"),
                retry_config: try f.decoded("retry_config", RetryPolicy.self), timeout: try f.double("timeout"),
                isolation: try f.isolation("isolation"))
        }
    }
}

/// Typed reads of one YAML mapping's keys. Scalars YAML typed as numbers or booleans are accepted where
/// text is expected (a uuid `2024`), as YAML decoders do.
struct YAMLFields {
    let entries: [String: ConfigValue]
    let path: String

    struct Mismatch: Error, CustomStringConvertible {
        let description: String
    }

    init(_ value: ConfigValue, path: String) throws {
        if value == .null { entries = [:] }
        else if let object = value.objectValue { entries = object }
        else { throw Mismatch(description: "\(path.isEmpty ? "the document" : path): expected a mapping, got \(value.typeName)") }
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func mismatch(_ key: String, _ expected: String, _ value: ConfigValue) -> Mismatch {
        Mismatch(description: "\(name(key)): expected \(expected), got \(value.typeName)")
    }

    static func text(_ value: ConfigValue) -> String? {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .double, .bool: value.jsonText
        default: nil
        }
    }

    func string(_ key: String) throws -> String? {
        guard let value = entries[key], value != .null else { return nil }
        guard let text = Self.text(value) else { throw mismatch(key, "text", value) }
        return text
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = entries[key], value != .null else { return nil }
        guard let items = value.listValue else { throw mismatch(key, "a list of text", value) }
        return try items.enumerated().map { index, item in
            guard let text = Self.text(item) else { throw mismatch("\(key)[\(index)]", "text", item) }
            return text
        }
    }

    func double(_ key: String) throws -> Double? {
        switch entries[key] ?? .null {
        case .null: return nil
        case .int(let i): return Double(i)
        case .double(let d): return d
        case let value: throw mismatch(key, "a number", value)
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch entries[key] ?? .null {
        case .null: return nil
        case .bool(let b): return b
        case let value: throw mismatch(key, "true or false", value)
        }
    }

    func int(_ key: String) throws -> Int? {
        switch entries[key] ?? .null {
        case .null: return nil
        case .int(let i): return Int(i)
        case let value: throw mismatch(key, "a whole number", value)
        }
    }

    func map(_ key: String) throws -> [String: ConfigValue]? {
        guard let value = entries[key], value != .null else { return nil }
        guard let object = value.objectValue else { throw mismatch(key, "a mapping", value) }
        return object
    }

    func list(_ key: String) throws -> [ConfigValue]? {
        guard let value = entries[key], value != .null else { return nil }
        guard let items = value.listValue else { throw mismatch(key, "a list", value) }
        return items
    }

    func isolation(_ key: String) throws -> Isolation? {
        guard let text = try string(key) else { return nil }
        guard let isolation = Isolation(rawValue: text) else {
            throw Mismatch(description: "\(name(key)): expected process or in_process, got '\(text)'")
        }
        return isolation
    }

    /// A small structure decoded from its JSON form (numbers stay numbers).
    func decoded<T: Decodable>(_ key: String, _ type: T.Type) throws -> T? {
        guard let value = entries[key], value != .null else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(value.jsonText.utf8))
        } catch {
            throw Mismatch(description: "\(name(key)): \(PipelineLoader.describe(error))")
        }
    }
}

/// Where a block's plugin code runs. `process` (the default) survives any plugin crash; `in_process` saves
/// the process start and is unsafe for untrusted plugins: a crash there takes the host down.
public enum Isolation: String, Sendable, Codable {
    case process
    case inProcess = "in_process"
}
