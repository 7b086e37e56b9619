import Foundation
import MageHost

/// The project's lineage across versions, from the store: each data version feeds the run that made it,
/// the run trains a model version, and the model is deployed and named by `latest.json` or not.
///
///     data:data_v_… ──used_by──▶ run:12 ──trained──▶ model:v_… ──deployed──▶ deployment
///                                                               └─latest──▶ latest.json
struct LineageGraphResource: Encodable {
    struct Node: Encodable {
        var id: String
        /// `dataset`, `pipeline_run`, `model`, `deployment` or `pointer`.
        var type: String
        var label: String
        /// What the UI shows beside the label (hash, rows, status, metrics…).
        var details: [String: ConfigValue]
    }

    struct Edge: Encodable, Hashable {
        var from: String
        var to: String
        var relation: String
    }

    var nodes: [Node] = []
    var edges: [Edge] = []

    /// For `models`, newest first: their runs, the data versions of those runs, and where they serve.
    init(models: [ModelVersion], runs: [Int64: PipelineRun], datasets: [Int64: [DatasetVersion]], latest: String?) {
        var seen = Set<String>()
        func add(_ node: Node) {
            if seen.insert(node.id).inserted { nodes.append(node) }
        }
        func link(_ from: String, _ to: String, _ relation: String) {
            let edge = Edge(from: from, to: to, relation: relation)
            if !edges.contains(edge) { edges.append(edge) }
        }
        for model in models {
            let modelID = "model:\(model.version)"
            add(Node(id: modelID, type: "model", label: model.version, details: [
                "model_type": .string(model.modelType), "status": .string(model.status.rawValue), "metrics": .map(model.metrics),
                "created_at": .string(UTCTimestamp(model.createdAt).text()), "latest": .bool(model.version == latest),
            ]))
            let runID = "run:\(model.pipelineRunID)"
            if let run = runs[model.pipelineRunID] {
                add(Node(id: runID, type: "pipeline_run", label: "\(run.pipeline) #\(run.id)", details: [
                    "pipeline_uuid": .string(run.pipeline), "status": .string(run.status.rawValue),
                    "created_at": .string(UTCTimestamp(run.createdAt).text()),
                ]))
                link(runID, modelID, "trained")
            }
            for data in datasets[model.pipelineRunID] ?? [] {
                let dataID = "data:\(data.version)"
                add(Node(id: dataID, type: "dataset", label: data.version, details: [
                    "hash": .string(data.hash), "rows": .int(Int64(data.rowCount)), "features": .int(Int64(data.featureCount)),
                    "block": .string(data.block),
                ]))
                link(dataID, runID, "used_by")
            }
            if model.status == .deployed {
                add(Node(id: "deployment", type: "deployment", label: "deployment", details: [
                    "deployed_at": model.deployedAt.map { .string(UTCTimestamp($0).text()) } ?? .null,
                ]))
                link(modelID, "deployment", "deployed")
            }
            if model.version == latest {
                add(Node(id: "latest", type: "pointer", label: "latest.json", details: [:]))
                link(modelID, "latest", "latest")
            }
        }
    }
}
