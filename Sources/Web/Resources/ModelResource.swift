import Foundation
import MageHost

/// A registered model version as the API shows it: the store's record, whether `latest.json` names it,
/// and, when one version is read, what its folder's `metadata.json` and `lineage.json` say.
struct ModelResource: Encodable {
    var version: String
    var path: String
    var model_type: String
    var block_kind: String
    /// `deployed` for the one version the store has deployed, else `registered`.
    var status: String
    /// Whether `model_registry/latest.json` points at it (the version a prediction service serves).
    var latest: Bool
    var metrics: [String: ConfigValue]
    var created_at: Date
    var deployed_at: Date?
    var pipeline_run_id: Int64
    var block: String
    var hyperparameters: ConfigValue?
    var feature_importance: ConfigValue?
    var lineage: ConfigValue?

    init(_ model: ModelVersion, latest: String?) {
        version = model.version
        path = model.path
        model_type = model.modelType
        block_kind = model.blockKind
        status = model.status.rawValue
        self.latest = model.version == latest
        metrics = model.metrics
        created_at = model.createdAt
        deployed_at = model.deployedAt
        pipeline_run_id = model.pipelineRunID
        block = model.block
    }

    /// With the version folder's documents; a missing or unreadable one is left out (the store's record
    /// still stands).
    init(_ model: ModelVersion, latest: String?, folder: URL) {
        self.init(model, latest: latest)
        let metadata = Self.read(folder.appendingPathComponent("metadata.json"))?.objectValue
        hyperparameters = metadata?["hyperparameters"]
        feature_importance = metadata?["feature_importance"]
        lineage = Self.read(folder.appendingPathComponent("lineage.json"))
    }

    /// The documents are written by the host, but read within a bound all the same.
    static let maxDocumentBytes = 16 << 20

    static func read(_ file: URL) -> ConfigValue? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let size = attributes[.size] as? Int, size <= maxDocumentBytes,
              let data = FileManager.default.contents(atPath: file.path) else { return nil }
        return try? JSONDecoder().decode(ConfigValue.self, from: data)
    }
}
