import Foundation
import Testing
@testable import MageHost

/// The churn models as a pipeline runs them: the Swift loader, preprocessing and classifiers, registered
/// and then served back through the plugin's load and predict.
@Suite struct ModelPipelineTests {
    static func pipeline(model: String, rows: Int = 2000) -> String {
        """
        blocks:
        - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: \(rows), seed: 42}}
        - {uuid: preprocessing, type: transformer, plugin: churn_preprocessing, upstream_blocks: [make_dataset]}
        - {uuid: training, type: model, plugin: \(model), upstream_blocks: [preprocessing], configuration: {}}
        - {uuid: registry, type: data_exporter, plugin: c_register, upstream_blocks: [training]}
        """
    }

    static func harness(model: String) throws -> ExecutorTests.Harness {
        try ExecutorTests.Harness(pipelines: ["p": pipeline(model: model)], fixtures: ["c_registry"],
                                  swift: ["MageDataLoaders", "MageModels"])
    }

    @Test(arguments: ["churn_random_forest", "churn_logistic_regression"])
    func trainsRegistersAndServesThroughThePlugin(model: String) async throws {
        let harness = try Self.harness(model: model)
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")

        let training = try #require(summary.blocks.first { $0.block == "training" })
        let metricsText = try #require(training.facets["metrics"])
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(metricsText.utf8)) as? [String: Any])
        let auc = try #require(metrics["roc_auc"] as? Double)
        #expect(auc > 0.8 && auc < 1.0, "ROC AUC \(auc)")
        let preprocessing = try harness.output(summary, "preprocessing")
        #expect(preprocessing.column(named: "split") != nil)
        #expect(preprocessing.metadata["swiftmage.preprocessor"] != nil)

        // Serve the registered version through the plugin's load and predict, on raw features.
        let latest = try #require(try ModelRegistry(project: harness.project, store: harness.store).latest())
        let version = try #require(try harness.store.modelVersionGet(latest.version))
        #expect(version.blockKind == model)
        let loaded = try LoadedModel(kind: try harness.catalog.blockKind(named: model),
                                     directory: harness.project.root.appendingPathComponent(latest.path))
        #expect(loaded.featureCount == 10 && loaded.classCount == 2)
        let example: [Double] = [24, 65.5, 1569.5, 3, 4, 12, 0.8, 0.7, 2, 0.6]
        let probabilities = try loaded.predict(rows: example + example)
        #expect(probabilities.count == 4)
        #expect(abs(probabilities[0] + probabilities[1] - 1) < 1e-9)
        #expect(probabilities[0...1] == probabilities[2...3])
        #expect(throws: MageError.self) { try loaded.predict(rows: [1, 2, 3]) }

        // A row's probabilities do not depend on the batch it comes in: 7 distinct rows (the forest walks
        // rows four at a time, and the rest tree-interleaved) equal each row predicted alone, to the bit.
        var rows: [Double] = []
        for i in 0..<7 {
            for (f, value) in example.enumerated() {
                let scale: Double = 0.7 + 0.15 * Double((i + f) % 5)
                rows.append(value * scale)
            }
        }
        let batch = try loaded.predict(rows: rows)
        for i in 0..<7 {
            let alone: [Double] = try loaded.predict(rows: Array(rows[(10 * i)..<(10 * i + 10)]))
            #expect(Array(batch[(2 * i)..<(2 * i + 2)]) == alone, "row \(i)")
        }
    }

    @Test func trainingIsDeterministicToTheByte() async throws {
        let harness = try Self.harness(model: "churn_random_forest")
        let first = try await harness.run("p")
        let second = try await harness.run("p")
        func artifact(_ summary: PipelineRunSummary) throws -> Data {
            try Data(contentsOf: harness.project.blockRunDirectory(pipeline: "p", runID: summary.run.id, block: "training")
                .appendingPathComponent("artifacts/model.json"))
        }
        #expect(try artifact(first) == (try artifact(second)))
    }

    @Test func badInputFailsTheBlockWithOneClearMessage() async throws {
        let harness = try ExecutorTests.Harness(pipelines: [
            "no_label": """
                blocks:
                - {uuid: numbers, type: data_loader, plugin: c_numbers}
                - {uuid: preprocessing, type: transformer, plugin: churn_preprocessing, upstream_blocks: [numbers]}
                """,
            "no_preprocessing": """
                blocks:
                - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 50}}
                - {uuid: training, type: model, plugin: churn_random_forest, upstream_blocks: [make_dataset]}
                """,
            "zero_rows": """
                blocks:
                - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 0}}
                """,
        ], fixtures: ["c_features"], swift: ["MageDataLoaders", "MageModels"])
        let noLabel = try await harness.run("no_label")
        #expect(noLabel.blocks.first { $0.block == "preprocessing" }?.error == "label column 'churn' is missing (columns: id, x, y, label)")
        let noPreprocessing = try await harness.run("no_preprocessing")
        #expect(noPreprocessing.blocks.first { $0.block == "training" }?.error == "the input has no fitted preprocessing: put a churn_preprocessing block upstream of this model")
        let zeroRows = try await harness.run("zero_rows")
        #expect(zeroRows.blocks.first?.error == "rows must be positive, got 0")
        #expect(!FileManager.default.fileExists(atPath: harness.project.root.appendingPathComponent("model_registry").path))
    }
}
