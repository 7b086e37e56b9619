import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// Path-typed configuration keys (MAGE_CONFIG_PATH) stay inside the project: `..`, absolute paths and
/// symbolic links that lead elsewhere are refused when the pipeline loads, unless metadata.yaml lists
/// the folder under allowed_paths.
@Suite struct ProjectPathTests {
    typealias Harness = ExecutorTests.Harness

    @Test func pathsLeadingOutsideTheProjectAreRefused() throws {
        let outside = try TemporaryFolder.make("outside")
        let stolen = try LoaderTestSupport.write("k\n1\n", "stolen.csv", in: outside)
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: absolute, type: data_loader, plugin: csv_file, configuration: {path: '\(stolen)'}}
            - {uuid: dotdot, type: data_loader, plugin: csv_file, configuration: {path: 'data/../../\(outside.lastPathComponent)/stolen.csv'}}
            - {uuid: link, type: data_loader, plugin: csv_file, configuration: {path: data/link.csv}}
            - {uuid: linked_folder, type: data_loader, plugin: csv_file, configuration: {path: data/elsewhere/stolen.csv}}
            - {uuid: inside, type: data_loader, plugin: csv_file, configuration: {path: data/inside.csv}}
            - {uuid: json, type: data_exporter, plugin: lineage_json, upstream_blocks: [inside], configuration: {path: '\(outside.path)/lineage.json'}}
            - {uuid: events, type: data_exporter, plugin: openlineage, upstream_blocks: [inside], configuration: {path: '../\(outside.lastPathComponent)/events.ndjson'}}
            - {uuid: graph, type: data_exporter, plugin: lineage_graph, upstream_blocks: [inside], configuration: {dot_path: data/elsewhere/graph.dot, mermaid_path: lineage/graph.mmd}}
            """], fixtures: [], swift: ["MageDataLoaders", "MageExporters"])
        let data = harness.project.root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        _ = try LoaderTestSupport.write("k\n2\n", "inside.csv", in: data)
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("link.csv").path, withDestinationPath: stolen)
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("elsewhere").path, withDestinationPath: outside.path)

        let error = #expect(throws: MageError.self) { try PipelineLoader(project: harness.project, catalog: harness.catalog).load("p") }
        guard case .invalidPipeline(let problems)? = error else { Issue.record("\(String(describing: error))"); return }
        let root = try ProjectPaths.canonical(harness.project.root.path)
        let target = try ProjectPaths.canonical(outside.path)
        func refused(_ key: String, _ written: String, _ resolved: String) -> String {
            "configuration key '\(key)': '\(written)' resolves to \(resolved), outside the project \(root); list its folder under allowed_paths in metadata.yaml to allow it"
        }
        let messages = Dictionary(grouping: problems) { $0.block ?? "" }.mapValues { $0.map(\.message).joined(separator: "\n") }
        #expect(messages["absolute"] == refused("path", stolen, "\(target)/stolen.csv"))
        #expect(messages["dotdot"] == refused("path", "data/../../\(outside.lastPathComponent)/stolen.csv", "\(target)/stolen.csv"))
        #expect(messages["link"] == refused("path", "data/link.csv", "\(target)/stolen.csv"))
        #expect(messages["linked_folder"] == refused("path", "data/elsewhere/stolen.csv", "\(target)/stolen.csv"))
        #expect(messages["json"] == refused("path", "\(outside.path)/lineage.json", "\(target)/lineage.json"))
        #expect(messages["events"] == refused("path", "../\(outside.lastPathComponent)/events.ndjson", "\(target)/events.ndjson"))
        #expect(messages["graph"] == refused("dot_path", "data/elsewhere/graph.dot", "\(target)/graph.dot"))
        #expect(problems.count == 7, "\(problems)")
    }

    @Test func allowedPathsLetAnOutsideFolderIn() async throws {
        let outside = try TemporaryFolder.make("shared")
        _ = try LoaderTestSupport.write("k\n7\n", "shared.csv", in: outside)
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: load, type: data_loader, plugin: csv_file, configuration: {path: '../\(outside.lastPathComponent)/shared.csv'}}
            """], fixtures: [], swift: ["MageDataLoaders"], allowedPaths: ["../\(outside.lastPathComponent)"])
        let pipeline = try PipelineLoader(project: harness.project, catalog: harness.catalog).load("p")
        let resolved = try ProjectPaths.canonical(outside.path) + "/shared.csv"
        #expect(pipeline.block("load")?.configuration["path"] == .string(resolved))
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")
        #expect(try harness.output(summary, "load").column(named: "k")?.values == .int64([7]))
    }

    @Test func anEnvironmentTemplatedPathIsCheckedInTheBlockProcess() throws {
        let outside = try TemporaryFolder.make("outside")
        let stolen = try LoaderTestSupport.write("k\n1\n", "stolen.csv", in: outside)
        let project = try LoaderTestSupport.projectWithDataLoaders(pipelines: ["p": """
            blocks:
            - {uuid: load, type: data_loader, plugin: csv_file, configuration: {path: "{{ env_var('SWIFTMAGE_TEST_CSV') }}"}}
            """])
        let (code, out, err) = try LoaderTestSupport.runMage(["run", ".", "p"], in: project.root,
                                                             environment: ["SWIFTMAGE_TEST_CSV": stolen])
        #expect(code != 0, "\(out)\(err)")
        let store = try SQLiteStore(path: project.databaseURL)
        let record = try #require(try store.blockRunList(pipelineRunID: 1).first)
        let root = try ProjectPaths.canonical(project.root.path)
        #expect(record.error == "configuration key 'path': '\(stolen)' resolves to \(try ProjectPaths.canonical(stolen)), outside the project \(root); list its folder under allowed_paths in metadata.yaml to allow it")
        #expect(!FileManager.default.fileExists(atPath: project.root.appendingPathComponent("datasets").path))
    }
}
