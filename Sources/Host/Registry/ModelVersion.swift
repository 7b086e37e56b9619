import Foundation

/// A model in the registry: `model_registry/<version>/` holds its artifact files, metadata.json and
/// lineage.json; `model_registry/latest.json` points at the one that serves.
public struct ModelVersion: Codable, Sendable, Equatable {
    /// `v_YYYYMMDD_HHMMSS` in UTC, with `_2`, `_3`, … when several are made in one second.
    public var version: String
    /// The version folder, relative to the project root.
    public var path: String
    public var modelType: String
    /// The block kind that trained it, whose plugin loads and serves it.
    public var blockKind: String
    public var status: Status
    public var metrics: [String: ConfigValue]
    public var createdAt: Date
    public var deployedAt: Date?
    public var pipelineRunID: Int64
    public var block: String

    public enum Status: String, Codable, Sendable {
        case registered, deployed
    }

    enum CodingKeys: String, CodingKey {
        case version, path, status, metrics, block
        case modelType = "model_type"
        case blockKind = "block_kind"
        case createdAt = "created_at"
        case deployedAt = "deployed_at"
        case pipelineRunID = "pipeline_run_id"
    }
}
