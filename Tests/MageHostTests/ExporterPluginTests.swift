import Foundation
import Testing
@testable import MageHost

/// The exporters plugin (libMageExporters.so) through the real loader, validator and executor. Its
/// renderers are unit-tested in MageExportersTests; here the host runs it. Until the host serves
/// `lineage_json`, the exporter blocks must fail with a message that says so; once it does, the same
/// run must export the lineage.
@Suite struct ExporterPluginTests {
    @Test func theRealLoaderAdmitsThreeExporters() throws {
        let catalog = PluginCatalog(directories: [try TestEnvironment.pluginDirectory(swift: ["MageExporters"])])
        #expect(catalog.refused.isEmpty, "\(catalog.refused)")
        let library = try #require(catalog.libraries.first)
        #expect(library.name == "mage-exporters")
        for name in ["lineage_json", "openlineage", "lineage_graph"] {
            #expect(try catalog.blockKind(named: name).type == .dataExporter)
        }
        let keys = try catalog.blockKind(named: "openlineage").configKeys.map { "\($0.name):\($0.type.rawValue)\($0.required ? "!" : "")" }
        #expect(keys == ["path:string!", "namespace:string", "repository_url:string", "url:string", "timeout_seconds:double"])
    }

    @Test func configurationIsValidatedAgainstTheDeclaredKeys() throws {
        let harness = try ExecutorTests.Harness(pipelines: ["p": """
            blocks:
            - {uuid: load, type: data_loader, plugin: churn_synthetic, configuration: {rows: 10}}
            - {uuid: json, type: data_exporter, plugin: lineage_json, upstream_blocks: [load]}
            - {uuid: ol, type: data_exporter, plugin: openlineage, upstream_blocks: [load],
               configuration: {path: ol.ndjson, timeout_seconds: ten}}
            """], fixtures: [], swift: ["MageDataLoaders", "MageExporters"])
        let error = #expect(throws: MageError.self) { try PipelineLoader(project: harness.project, catalog: harness.catalog).load("p") }
        guard case .invalidPipeline(let problems)? = error else { Issue.record("\(String(describing: error))"); return }
        let messages = problems.map(\.message)
        #expect(messages.contains { $0.hasPrefix("missing required configuration key 'path' (string)") })
        #expect(messages.contains("configuration key 'timeout_seconds' must be double, got string \"ten\""))
    }

    @Test func aRunExportsItsLineage() async throws {
        let harness = try ExecutorTests.Harness(pipelines: ["p": """
            blocks:
            - {uuid: load, type: data_loader, plugin: churn_synthetic, configuration: {rows: 20}}
            - {uuid: export_json, type: data_exporter, plugin: lineage_json, upstream_blocks: [load],
               configuration: {path: exports/lineage.json}}
            - {uuid: export_openlineage, type: data_exporter, plugin: openlineage, upstream_blocks: [load],
               configuration: {path: exports/openlineage.ndjson, namespace: tests}}
            - {uuid: export_graph, type: data_exporter, plugin: lineage_graph, upstream_blocks: [load],
               configuration: {mermaid_path: exports/lineage.mmd, dot_path: exports/lineage.dot}}
            """], fixtures: [], swift: ["MageDataLoaders", "MageExporters"])
        let summary = try await harness.run("p")
        let exporters = ["export_json", "export_openlineage", "export_graph"].map { ExecutorTests.block(summary, $0) }
        let exports = harness.project.root.appendingPathComponent("exports")
        guard HostServiceTable.pointer.pointee.lineage_json != nil else {
            // The host side of ABI 1.1 has not landed: a clear failure, nothing written.
            for block in exporters {
                #expect(block.status == .failed)
                #expect(block.error?.hasPrefix("this exporter needs the host service lineage_json (ABI 1.1)") == true,
                        "\(block.block): \(block.error ?? "no error")")
            }
            #expect(!FileManager.default.fileExists(atPath: exports.path))
            return
        }
        for block in exporters { #expect(block.status == .completed, "\(block.block): \(block.error ?? "")") }
        let document = try JSON.decode(LineageDocument.self, from: Data(contentsOf: exports.appendingPathComponent("lineage.json")))
        #expect(document.pipeline.uuid == "p")
        #expect(document.pipeline.runID == summary.run.id)
        let events = try String(contentsOf: exports.appendingPathComponent("openlineage.ndjson"), encoding: .utf8)
            .split(separator: "\n")
        #expect(events.count >= 3)  // the run's START, and the loader's START and COMPLETE
        #expect(events.first?.contains(#""eventType":"START""#) == true)
        #expect(events.allSatisfy { $0.contains(#""namespace":"tests""#) })
        #expect(try String(contentsOf: exports.appendingPathComponent("lineage.mmd"), encoding: .utf8).hasPrefix("flowchart LR\n"))
        #expect(try String(contentsOf: exports.appendingPathComponent("lineage.dot"), encoding: .utf8).hasPrefix("digraph lineage {"))
    }
}
