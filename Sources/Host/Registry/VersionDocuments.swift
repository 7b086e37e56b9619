import Foundation

/// The two JSON files of a registry version: `metadata.json` (what the model is) and `lineage.json`
/// (where it came from: data, code, preprocessing, run, and the predictions it will serve).
struct VersionDocuments {
    let model: ModelVersion
    let lineage: LineageDocument
    let modelBlock: BlockLineage
    let artifacts: [String]

    private func facet(_ name: String) -> ConfigValue { modelBlock.facets[name] ?? .map([:]) }

    private var hyperparameters: ConfigValue {
        modelBlock.facets["model"]?.objectValue?["hyperparameters"] ?? .map([:])
    }

    var metadata: [String: ConfigValue] {
        [
            "version": .string(model.version),
            "timestamp": .string(model.createdAt.formatted(.iso8601)),
            "model_type": .string(model.modelType),
            "block_kind": .string(model.blockKind),
            "status": .string(model.status.rawValue),
            "metrics": .map(model.metrics),
            "feature_importance": facet("feature_importance"),
            "hyperparameters": hyperparameters,
            "artifacts": .list(artifacts.map { .string($0) }),
            "pipeline_run_id": .int(lineage.pipeline.runID),
            "block": .string(modelBlock.uuid),
        ]
    }

    var lineageFile: [String: ConfigValue] {
        let data = lineage.datasets.first
        let preprocessing = lineage.blocks.compactMap { $0.facets["preprocessing"] }.first ?? .map([:])
        var timings: [String: ConfigValue] = [:]
        for block in lineage.blocks {
            timings[block.uuid] = block.durationSeconds.map { .double($0) } ?? .null
        }
        var dataLineage: [String: ConfigValue] = [:]
        if let data {
            dataLineage = [
                "data_version": .string(data.version), "hash": .string(data.hash), "rows": .int(Int64(data.rowCount)),
                "features": .list(data.features.map { .string($0) }), "feature_count": .int(Int64(data.featureCount)),
                "path": .string(data.path),
            ]
            if let label = data.label, let rate = data.labelRate {
                dataLineage["label"] = .string(label)
                dataLineage["\(label)_rate"] = .double(rate)
            }
        }
        let git = lineage.code.git
        let code: [String: ConfigValue] = [
            "git_commit": git.map { .string($0.commit) } ?? .null,
            "git_branch": git?.branch.map { .string($0) } ?? .null,
            "git_dirty": git.map { .bool($0.dirty) } ?? .null,
            "plugins": .list(lineage.code.plugins.map { plugin in
                .map(["name": .string(plugin.name), "version": .string(plugin.version), "abi": .string(plugin.abi),
                      "sha256": plugin.sha256.map { .string($0) } ?? .null, "path": .string(plugin.path)])
            }),
        ]
        var file = metadata
        file["data_lineage"] = .map(dataLineage)
        file["code_lineage"] = .map(code)
        file["preprocessing"] = preprocessing
        file["pipeline"] = .map([
            "uuid": .string(lineage.pipeline.uuid), "run_id": .int(lineage.pipeline.runID),
            "block_timings_seconds": .map(timings),
        ])
        file["predictions"] = .map(["count": .int(0), "last_prediction_time": .null, "history": .list([])])
        return file
    }
}
