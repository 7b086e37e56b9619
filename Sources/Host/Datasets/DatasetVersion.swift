import Foundation

/// One version of a loader's output: a content hash and what it holds. Many versions may share one
/// stored object (identical data is stored once).
public struct DatasetVersion: Codable, Sendable, Equatable {
    /// `data_v_YYYYMMDD_HHMMSS` in UTC, with `_2`, `_3`, … when several are made in one second.
    public var version: String
    /// `sha256:<hex>` of the table's canonical encoding (see `CanonicalTableHash`).
    public var hash: String
    public var rowCount: Int
    public var featureCount: Int
    public var features: [String]
    /// The label column, when the table has one (`churn`, else `label`).
    public var label: String?
    /// Share of rows whose label is 1 (or true).
    public var labelRate: Double?
    public var schema: [TableFile.ColumnSchema]
    public var createdAt: Date
    /// The stored object, relative to the project root.
    public var path: String
    public var pipelineRunID: Int64
    public var block: String

    enum CodingKeys: String, CodingKey {
        case version, hash, features, label, schema, path, block
        case rowCount = "row_count"
        case featureCount = "feature_count"
        case labelRate = "label_rate"
        case createdAt = "created_at"
        case pipelineRunID = "pipeline_run_id"
    }

    /// The label rate under the label's own name too (`churn_rate`), as the seed demo reports it.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(hash, forKey: .hash)
        try c.encode(rowCount, forKey: .rowCount)
        try c.encode(featureCount, forKey: .featureCount)
        try c.encode(features, forKey: .features)
        try c.encodeIfPresent(label, forKey: .label)
        try c.encodeIfPresent(labelRate, forKey: .labelRate)
        try c.encode(schema, forKey: .schema)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(path, forKey: .path)
        try c.encode(pipelineRunID, forKey: .pipelineRunID)
        try c.encode(block, forKey: .block)
        if let label, let labelRate {
            var named = encoder.container(keyedBy: DynamicKey.self)
            try named.encode(labelRate, forKey: DynamicKey(stringValue: "\(label)_rate"))
        }
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
