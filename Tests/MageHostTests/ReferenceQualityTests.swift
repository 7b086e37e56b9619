import Foundation
import Testing
@testable import MageHost

/// Our classifiers against scikit-learn's on the same rows and split: ROC AUC within 0.01.
@Suite struct ReferenceQualityTests {
    @Test func rocAUCIsWithinOneHundredthOfScikitLearn() async throws {
        let harness = try ExecutorTests.Harness(pipelines: [
            "forest": ModelPipelineTests.pipeline(model: "churn_random_forest", rows: 10_000),
            "logistic": ModelPipelineTests.pipeline(model: "churn_logistic_regression", rows: 10_000),
        ], fixtures: ["c_registry"], swift: ["MageDataLoaders", "MageModels"])
        func auc(_ pipeline: String) async throws -> (Double, URL) {
            let summary = try await harness.run(pipeline)
            #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")
            let facet = try #require(summary.blocks.first { $0.block == "training" }?.facets["metrics"])
            let metrics = try #require(try JSONSerialization.jsonObject(with: Data(facet.utf8)) as? [String: Any])
            let csv = harness.project.blockRunDirectory(pipeline: pipeline, runID: summary.run.id, block: "preprocessing")
                .appendingPathComponent(TableFile.dataName)
            return (try #require(metrics["roc_auc"] as? Double), csv)
        }
        let (forest, csv) = try await auc("forest")
        let (logistic, _) = try await auc("logistic")

        let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/MageHostTests/Fixtures/python/sklearn_reference.py")
        let (code, out, err) = try TestEnvironment.run(URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", script.path, csv.path, "churn", #"{"n_estimators": 100, "max_depth": 10, "random_state": 42}"#,
        ])
        try #require(code == 0, "scikit-learn reference failed (pip install scikit-learn pandas): \(err)")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Double])
        let sklearnForest = try #require(reference["random_forest_auc"])
        let sklearnLogistic = try #require(reference["logistic_regression_auc"])
        #expect(abs(forest - sklearnForest) < 0.01, "random forest: ours \(forest), scikit-learn \(sklearnForest)")
        #expect(abs(logistic - sklearnLogistic) < 0.01, "logistic regression: ours \(logistic), scikit-learn \(sklearnLogistic)")
    }
}
