import Foundation
import Testing
@testable import MageHost

@Suite struct PipelineLoaderTests {
    static let catalog = PluginCatalog(directories: [try! TestEnvironment.pluginDirectory(fixtures: ["c_features"])])

    func problems(_ yaml: String, variables: [String: ConfigValue] = [:]) throws -> [String] {
        let project = try TestEnvironment.project(pipelines: ["p": yaml])
        do {
            _ = try PipelineLoader(project: project, catalog: Self.catalog).load("p", variables: variables)
            return []
        } catch MageError.invalidPipeline(let problems) {
            return problems.map(\.description)
        }
    }

    @Test func loadsBlocksInTopologicalOrder() throws {
        let project = try TestEnvironment.project(pipelines: ["p": """
            blocks:
            - {uuid: c, type: transformer, plugin: c_passthrough, upstream_blocks: [b]}
            - {uuid: a, type: data_loader, plugin: c_numbers, downstream_blocks: [b], configuration: {rows: 3, start: 2}}
            - {uuid: b, type: transformer, plugin: c_passthrough}
            """])
        let pipeline = try PipelineLoader(project: project, catalog: Self.catalog).load("p")
        #expect(pipeline.blocks.map(\.uuid) == ["a", "b", "c"])
        #expect(pipeline.block("b")?.upstream == ["a"])
        #expect(pipeline.block("a")?.configuration == ["rows": .int(3), "start": .int(2)])
        #expect(pipeline.downstream(of: "a") == ["b", "c"])
        #expect(pipeline.block("a")?.isolation == .process)
    }

    @Test func inputsFollowUpstreamBlocksOrderWhateverTheDownstreamListsSay() throws {
        let project = try TestEnvironment.project(pipelines: ["p": """
            blocks:
            - {uuid: a, type: data_loader, plugin: c_numbers, downstream_blocks: [c]}
            - {uuid: b, type: data_loader, plugin: c_numbers, downstream_blocks: [c]}
            - {uuid: c, type: transformer, plugin: c_passthrough, upstream_blocks: [b, a]}
            """])
        #expect(try PipelineLoader(project: project, catalog: Self.catalog).load("p").block("c")?.upstream == ["b", "a"])
    }

    @Test func reportsACycleWithItsPath() throws {
        #expect(try problems("""
            blocks:
            - {uuid: a, type: data_loader, plugin: c_numbers, upstream_blocks: [c]}
            - {uuid: b, type: transformer, plugin: c_passthrough, upstream_blocks: [a]}
            - {uuid: c, type: transformer, plugin: c_passthrough, upstream_blocks: [b]}
            """) == ["pipelines/p/metadata.yaml: the blocks form a cycle: a → b → c → a"])
    }

    @Test func reportsEveryProblemWithFileAndBlock() throws {
        let found = try problems("""
            blocks:
            - {uuid: a, type: data_loader, plugin: c_numbers, configuration: {rows: ten, colour: red}}
            - {uuid: b, type: transformer, plugin: c_passthrough, upstream_blocks: [nope]}
            - {uuid: c, type: transformer, plugin: no_such_kind}
            - {uuid: d, type: data_exporter, plugin: c_passthrough}
            - {uuid: e, type: sensor, plugin: c_passthrough}
            - {uuid: f, type: transformer, plugin: c_passthrough, timeout: -1, retry_config: {retries: -2}}
            """)
        let file = "pipelines/p/metadata.yaml"
        #expect(found.contains("\(file): block 'a': configuration key 'rows' must be int, got string \"ten\""))
        #expect(found.contains("\(file): block 'a': unknown configuration key 'colour' for 'c_numbers' (accepted: rows, start)"))
        #expect(found.contains("\(file): block 'b': upstream block 'nope' does not exist"))
        #expect(found.contains { $0.hasPrefix("\(file): block 'c': unknown block kind 'no_such_kind' (loaded: ") })
        #expect(found.contains("\(file): block 'd': block kind 'c_passthrough' is a transformer, but the block's type is data_exporter"))
        #expect(found.contains { $0.hasPrefix("\(file): block 'e': unknown type 'sensor'") })
        #expect(found.contains("\(file): block 'f': retry_config values must not be negative"))
        #expect(found.contains("\(file): block 'f': timeout must be a positive number of seconds, got -1.0"))
        #expect(found.count == 8)
    }

    @Test func rejectsDuplicateAndUnsafeUUIDs() throws {
        let found = try problems("""
            blocks:
            - {uuid: a, type: data_loader, plugin: c_numbers}
            - {uuid: a, type: data_loader, plugin: c_numbers}
            - {uuid: ../../etc, type: data_loader, plugin: c_numbers}
            """)
        #expect(found.contains("pipelines/p/metadata.yaml: block 'a': the uuid is used by more than one block"))
        #expect(found.contains("pipelines/p/metadata.yaml: block #3 needs a uuid of letters, digits, '_', '-' or '.'"))
    }

    @Test func reportsMalformedYAML() throws {
        let found = try problems("blocks: [ {uuid: a, type: ")
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("pipelines/p/metadata.yaml: cannot parse"))
    }

    @Test func substitutesRuntimeVariablesOverPipelineDefaults() throws {
        let project = try TestEnvironment.project(pipelines: ["p": """
            variables: {rows: 4}
            blocks:
            - uuid: a
              type: data_loader
              plugin: c_numbers
              configuration: {rows: "{{ variables('rows') }}", start: "{{ variables('start') }}"}
            """])
        let loader = PipelineLoader(project: project, catalog: Self.catalog)
        let pipeline = try loader.load("p", variables: ["start": .double(0.5)])
        #expect(pipeline.block("a")?.configuration == ["rows": .int(4), "start": .double(0.5)])
        #expect(pipeline.variables == ["rows": .int(4), "start": .double(0.5)], "what the run records")
        #expect(try loader.load("p", variables: ["rows": .int(9), "start": .int(1)]).block("a")?.configuration["rows"] == .int(9))
        #expect(throws: MageError.self) { try loader.load("p") }
    }

    @Test func namesTheKnownPipelinesWhenOneIsMissing() throws {
        let project = try TestEnvironment.project(pipelines: ["one": "blocks: []"])
        #expect(throws: MageError.usage("no pipeline 'two' in \(project.root.path) (pipelines: one)")) {
            try PipelineLoader(project: project, catalog: Self.catalog).load("two")
        }
    }
}
