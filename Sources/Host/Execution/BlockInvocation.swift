import Foundation

/// Everything needed to run one attempt of one block, written as `invocation.json` in the block's run
/// folder. The same document drives an in-process call and a child process, so both run the same way.
public struct BlockInvocation: Codable, Sendable {
    public var projectRoot: String
    public var pipeline: String
    public var runID: Int64
    public var block: String
    public var blockKind: String
    /// As it may be written down: secret values read "********" (they reach the block process only in
    /// memory, see `Secrets`), env_var templates are left for the block process to resolve.
    public var configuration: [String: ConfigValue]
    /// Keys whose values are secret: the block process masks their values in what it reports.
    public var secretKeys: [String]
    /// Upstream output folders, in the block's upstream order; nil for an upstream that made no table.
    public var inputDirectories: [String?]
    /// Where the output table and `result.json` go.
    public var runDirectory: String
    public var artifactDirectory: String
    public var pluginDirectories: [String]

    public static let fileName = "invocation.json"
    public var resultFile: URL { URL(fileURLWithPath: runDirectory).appendingPathComponent(BlockResult.fileName) }
}

/// What one attempt produced, written as `result.json` by whoever ran the block.
public struct BlockResult: Codable, Sendable, Equatable {
    public var succeeded: Bool
    public var error: String?
    public var rows: Int?
    public var columns: Int?
    public var facets: [String: String]

    public static let fileName = "result.json"

    public static func failure(_ message: String) -> BlockResult {
        BlockResult(succeeded: false, error: message, rows: nil, columns: nil, facets: [:])
    }
}
