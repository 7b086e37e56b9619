import Foundation

/// `pipelines/<uuid>/metadata.yaml` as written, in Mage's keys, before validation.
struct PipelineFile: Decodable {
    var uuid: String?
    var name: String?
    var type: String?
    var isolation: Isolation?
    /// Mage's pipeline variables: defaults that `--runtime-vars` override.
    var variables: [String: ConfigValue]?
    var blocks: [BlockEntry]?

    struct BlockEntry: Decodable {
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
}

/// Where a block's plugin code runs. `process` (the default) survives any plugin crash; `in_process` saves
/// the process start and is unsafe for untrusted plugins: a crash there takes the host down.
public enum Isolation: String, Sendable, Codable {
    case process
    case inProcess = "in_process"
}
