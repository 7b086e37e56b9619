import Foundation

/// The run's lineage as plugins receive it from `lineage_json` (format "swiftmage.lineage.v1"):
/// everything the host knows of a pipeline run — its code, its data, its blocks, its models. Exporter
/// plugins render it (lineage.json, OpenLineage events, graphs); the registry stores it per version.
public struct LineageDocument: Codable, Sendable, Equatable {
    public var format = "swiftmage.lineage.v1"
    public var project: String
    public var pipeline: PipelineRunLineage
    public var code: CodeLineage
    public var datasets: [DatasetVersion]
    public var blocks: [BlockLineage]
    public var models: [ModelVersion]
}

public struct PipelineRunLineage: Codable, Sendable, Equatable {
    public var uuid: String
    public var runID: Int64
    public var status: PipelineRunStatus
    public var createdAt: Date
    public var completedAt: Date?
    public var variables: [String: ConfigValue]

    enum CodingKeys: String, CodingKey {
        case uuid, status, variables
        case runID = "run_id"
        case createdAt = "created_at"
        case completedAt = "completed_at"
    }
}

public struct CodeLineage: Codable, Sendable, Equatable {
    public var git: GitState?
    public var plugins: [PluginUse]
}

public struct GitState: Codable, Sendable, Equatable {
    public var commit: String
    public var branch: String?
    public var dirty: Bool
}

/// A plugin library a run used, as loaded.
public struct PluginUse: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var path: String
    public var sha256: String?
    public var abi: String
    public var blockKinds: [String]

    enum CodingKeys: String, CodingKey {
        case name, version, path, sha256, abi
        case blockKinds = "block_kinds"
    }
}

public struct BlockLineage: Codable, Sendable, Equatable {
    public var uuid: String
    public var kind: String
    public var type: BlockType
    public var upstream: [String]
    public var status: BlockRunStatus
    public var attempts: Int
    public var startedAt: Date?
    public var completedAt: Date?
    public var durationSeconds: Double?
    public var error: String?
    /// Facets the block's plugin reported (metrics, hyperparameters, …), as JSON objects.
    public var facets: [String: ConfigValue]
    /// The data version made from this block's output, for data loaders.
    public var datasetVersion: String?

    enum CodingKeys: String, CodingKey {
        case uuid, kind, type, upstream, status, attempts, error, facets
        case startedAt = "started_at"
        case completedAt = "completed_at"
        case durationSeconds = "duration_seconds"
        case datasetVersion = "dataset_version"
    }
}
