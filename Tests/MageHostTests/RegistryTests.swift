import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// Training, registration, deployment and lineage through real plugins: the Swift churn loader, a C
/// model and C exporters that call the ABI 1.1 run services from their own processes.
@Suite struct RegistryTests {
    static let pipeline = """
        blocks:
        - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 300, seed: 7}}
        - {uuid: training, type: model, plugin: c_base_rate, upstream_blocks: [make_dataset]}
        - {uuid: registry, type: data_exporter, plugin: c_register, upstream_blocks: [training]}
        - {uuid: deployment, type: data_exporter, plugin: c_deploy, upstream_blocks: [registry]}
        - {uuid: lineage, type: data_exporter, plugin: c_lineage, upstream_blocks: [deployment], configuration: {path: LINEAGE}}
        """

    func harness() throws -> (ExecutorTests.Harness, URL) {
        let lineageFile = try TemporaryFolder.make().appendingPathComponent("lineage.json")
        let harness = try ExecutorTests.Harness(
            pipelines: ["demo": Self.pipeline.replacingOccurrences(of: "LINEAGE", with: lineageFile.path)],
            fixtures: ["c_model", "c_registry"], swift: ["MageDataLoaders"])
        return (harness, lineageFile)
    }

    @Test func twoRunsMakeTwoVersionsOfTheSameDataAndLatestFollows() async throws {
        let (harness, lineageFile) = try harness()
        let first = try await harness.run("demo")
        #expect(first.run.status == .completed, "\(first.blocks.map { "\($0.block): \($0.error ?? "")" })")
        let second = try await harness.run("demo")
        #expect(second.run.status == .completed)

        let registry = ModelRegistry(project: harness.project, store: harness.store)
        let models = try harness.store.modelVersionList(pipelineRunID: nil, limit: 10)
        #expect(models.count == 2)
        #expect(try registry.latest()?.version == models[0].version)
        #expect(models.allSatisfy { $0.modelType == "BaseRate" })
        #expect(models.map(\.status) == [.deployed, .registered], "one deployed version at a time")
        let datasets = try harness.store.datasetVersionList(pipelineRunID: nil, limit: 10)
        #expect(datasets.count == 2 && datasets[0].hash == datasets[1].hash && datasets[0].version != datasets[1].version)

        // The version folder: artifacts, metadata.json, lineage.json.
        let folder = harness.project.root.appendingPathComponent(models[0].path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["lineage.json", "metadata.json", "model.txt", "signature.json"])
        let metadata = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("metadata.json"))) as? [String: Any])
        #expect(metadata["version"] as? String == models[0].version)
        #expect(metadata["status"] as? String == "deployed")
        let earlier = harness.project.root.appendingPathComponent(models[1].path).appendingPathComponent("metadata.json")
        let earlierMetadata = try JSONSerialization.jsonObject(with: Data(contentsOf: earlier)) as? [String: Any]
        #expect(earlierMetadata?["status"] as? String == "registered", "the version deployed before goes back to registered")
        #expect((metadata["metrics"] as? [String: Any])?["roc_auc"] as? Double == 0.5)
        let lineage = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("lineage.json"))) as? [String: Any])
        let data = try #require(lineage["data_lineage"] as? [String: Any])
        #expect(data["hash"] as? String == datasets[0].hash)
        #expect(data["rows"] as? Int == 300)
        let code = try #require(lineage["code_lineage"] as? [String: Any])
        let plugins = try #require(code["plugins"] as? [[String: Any]])
        #expect(Set(plugins.compactMap { $0["name"] as? String }) == ["mage-data-loaders", "c-model", "c-registry"])
        #expect(plugins.allSatisfy { ($0["sha256"] as? String)?.count == 64 })

        // The document an exporter read from lineage_json during the second run.
        let document = try JSON.decode(LineageDocument.self, from: Data(contentsOf: lineageFile))
        #expect(document.pipeline.runID == second.run.id)
        #expect(document.blocks.map(\.uuid) == ["make_dataset", "training", "registry", "deployment", "lineage"])
        #expect(document.blocks.first { $0.uuid == "training" }?.facets["metrics"]?.objectValue?["accuracy"] != nil)
        #expect(document.blocks.first { $0.uuid == "lineage" }?.status == .running)
        #expect(document.models.map(\.version) == [models[0].version])
        #expect(document.datasets.first?.version == datasets[0].version)
        let deployment = try JSONSerialization.jsonObject(with: Data(contentsOf: registry.deploymentFile)) as? [String: Any]
        #expect(deployment?["version"] as? String == models[0].version)
    }

    @Test func promoteAndRollbackMoveLatestAndAreRecorded() async throws {
        let (harness, _) = try harness()
        for _ in 0..<3 { _ = try await harness.run("demo") }
        let registry = ModelRegistry(project: harness.project, store: harness.store)
        let versions = try harness.store.modelVersionList(pipelineRunID: nil, limit: 10).map(\.version).reversed() as [String]
        #expect(try registry.latest()?.version == versions[2])
        try registry.promote(versions[0])
        #expect(try registry.latest()?.version == versions[0])
        #expect(try registry.rollback().version == versions[2])
        #expect(try registry.rollback().version == versions[1])
        #expect(try registry.latest()?.path == "model_registry/\(versions[1])")
        #expect(throws: MageError.self) { try registry.promote("v_19990101_000000") }
        let actions = try harness.store.registryEventList().map(\.action)
        #expect(actions.filter { $0 == .rollback }.count == 2)
    }

    @Test func aFailedTrainingLeavesNoRegistryEntry() async throws {
        let harness = try ExecutorTests.Harness(pipelines: ["p": """
            blocks:
            - {uuid: numbers, type: data_loader, plugin: c_numbers}
            - {uuid: training, type: model, plugin: c_base_rate, upstream_blocks: [numbers]}
            - {uuid: registry, type: data_exporter, plugin: c_register, upstream_blocks: [training]}
            """], fixtures: ["c_features", "c_model", "c_registry"])
        let summary = try await harness.run("p")
        #expect(summary.blocks.first { $0.block == "training" }?.error == "c_model: needs a non-empty int64 column 'churn' or 'label'")
        #expect(summary.blocks.first { $0.block == "registry" }?.status == .upstreamFailed)
        #expect(!FileManager.default.fileExists(atPath: harness.project.root.appendingPathComponent("model_registry").path))
        #expect(try harness.store.modelVersionList(pipelineRunID: nil, limit: 10).isEmpty)
    }

    @Test func theLatestPointerIsNeverPartial() throws {
        // Writers replace latest.json by rename; a reader polling meanwhile always parses a whole pointer.
        let directory = try TemporaryFolder.make()
        let file = directory.appendingPathComponent("latest.json")
        try AtomicFile.write(Data("{\"version\":\"v_0\",\"path\":\"p\",\"updated_at\":\"2026-01-01T00:00:00Z\"}".utf8), to: file)
        let writer = Thread {
            for i in 1...300 {
                let padding = String(repeating: " ", count: (i % 7) * 1000)
                try? AtomicFile.write(Data("{\"version\":\"v_\(i)\",\(padding)\"path\":\"p\",\"updated_at\":\"2026-01-01T00:00:00Z\"}".utf8), to: file)
            }
        }
        writer.start()
        for _ in 0..<2000 {
            let data = try Data(contentsOf: file)
            _ = try JSON.decode(ModelRegistry.Pointer.self, from: data)
        }
        while !writer.isFinished { usleep(1000) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["latest.json"], "no temporary file is left behind")
    }
}
