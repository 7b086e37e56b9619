import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// `mage run mlops_demo demo_mlops` on a fresh copy of the demo project, twice, as a person runs it.
@Suite struct DemoPipelineTests {
    @Test func twoRunsMakeTwoModelVersionsOfTheSameData() throws {
        let copy = try TemporaryFolder.make().appendingPathComponent("mlops_demo")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        let source = TestEnvironment.repositoryRoot.appendingPathComponent("mlops_demo")
        for item in ["metadata.yaml", "pipelines"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(item), to: copy.appendingPathComponent(item))
        }
        let plugins = try TestEnvironment.pluginDirectory(swift: ["MageDataLoaders", "MageModels", "MageExporters"])
        let environment = ["MAGE_PLUGIN_PATH": plugins.path]
        let (code, first, err) = try TestEnvironment.runMage(["run", copy.path, "demo_mlops"], environment: environment)
        #expect(code == 0, "\(first)\n\(err)")
        for expected in ["make_dataset   completed", "1000 records, 10 features  sha256:", "churn rate", "roc_auc 0.",
                         "top features: ", "registered v_", "run 1 completed"] {
            #expect(first.contains(expected), "missing '\(expected)' in:\n\(first)")
        }
        let (secondCode, second, _) = try TestEnvironment.runMage(["run", copy.path, "demo_mlops"], environment: environment)
        #expect(secondCode == 0)

        let project = try Project(root: copy)
        let store = try SQLiteStore(path: project.databaseURL)
        let models = try store.modelVersionList(pipelineRunID: nil, limit: 10)
        #expect(models.count == 2)
        #expect(try ModelRegistry(project: project, store: store).latest()?.version == models.first?.version)
        #expect(second.contains("registered \(models[0].version)"))
        let datasets = try store.datasetVersionList(pipelineRunID: nil, limit: 10)
        #expect(datasets.count == 2 && datasets[0].hash == datasets[1].hash)
        for file in ["lineage/openlineage_events.ndjson", "lineage/lineage.dot", "lineage/lineage.mmd",
                     "deployment/deployment_status.json", "model_registry/latest.json"] {
            #expect(FileManager.default.fileExists(atPath: copy.appendingPathComponent(file).path), "\(file)")
        }
    }
}
