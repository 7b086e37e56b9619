import Foundation
import Testing
@testable import MageHost

/// Project files built to exhaust the host (alias bombs, huge mappings, deep nesting, huge files) are
/// refused quickly, with what is wrong and where. Time bounds are loose (a loaded debug build); what
/// they guard against takes minutes or never ends.
@Suite struct HostilePipelineFileTests {
    static let catalog = PluginCatalog(directories: [try! TestEnvironment.pluginDirectory(fixtures: ["c_features"])])
    static let block = "blocks:\n- {uuid: a, type: data_loader, plugin: c_numbers, configuration: {rows: 1}}\n"

    /// The load's problems (empty when it loads) and how long it took.
    func load(_ yaml: String) throws -> (problems: [String], seconds: Double) {
        let project = try TestEnvironment.project(pipelines: ["p": yaml])
        let started = Date()
        do {
            _ = try PipelineLoader(project: project, catalog: Self.catalog).load("p")
            return ([], Date().timeIntervalSince(started))
        } catch MageError.invalidPipeline(let problems) {
            return (problems.map(\.description), Date().timeIntervalSince(started))
        }
    }

    @Test func anAliasBombIsRefused() throws {
        // Five levels of nine aliases each: a few hundred bytes that expand to 59,049 strings.
        var yaml = "variables:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for (name, previous) in zip(["b", "c", "d", "e"], ["a", "b", "c", "d"]) {
            yaml += "  \(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        yaml += Self.block
        #expect(yaml.utf8.count < 700)
        let (problems, seconds) = try load(yaml)
        #expect(problems.count == 1)
        #expect(problems == ["pipelines/p/metadata.yaml: cannot parse: aliases expand to more than 10000 values, while expanding '*d' (anchored at line 5)"])
        #expect(seconds < 1, "\(seconds) s")
    }

    @Test func tooManyAliasesAreRefused() throws {
        let yaml = "variables:\n  x: &x 1\n  many: [" + Array(repeating: "*x", count: 1_001).joined(separator: ", ") + "]\n" + Self.block
        let (problems, _) = try load(yaml)
        #expect(problems == ["pipelines/p/metadata.yaml: cannot parse: the document uses more than 1000 aliases (the last of '&x', anchored at line 2)"])
    }

    @Test func aMappingOfManyKeysLoadsInLinearTime() throws {
        // 20,000 variables: a decoder that looks keys up one by one took about half a minute here (and
        // 7 s for 10,000); the bound leaves room for a loaded debug build.
        var yaml = "variables:\n"
        yaml.reserveCapacity(400_000)
        for i in 0..<20_000 { yaml += "  key_\(i): \(i)\n" }
        yaml += Self.block
        let (problems, seconds) = try load(yaml)
        #expect(problems.isEmpty, "\(problems)")
        #expect(seconds < 10, "\(seconds) s")
    }

    @Test func moreValuesThanTheBoundAreRefused() throws {
        let yaml = "variables: {many: [" + Array(repeating: "0", count: 100_001).joined(separator: ", ") + "]}\n" + Self.block
        #expect(yaml.utf8.count < ProjectFileReader.maxBytes)
        let (problems, seconds) = try load(yaml)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("pipelines/p/metadata.yaml: cannot parse: the document holds more than 100000 values (aliases expanded), at line 1") == true,
                "\(problems)")
        #expect(seconds < 10, "\(seconds) s")
    }

    @Test func deepNestingIsRefusedWithItsLine() throws {
        // Block style, one level per line: the 65th level starts on line 66 (after `variables:`).
        var yaml = "variables:\n"
        for depth in 1...100 { yaml += String(repeating: "  ", count: depth) + "l\(depth):\n" }
        yaml += String(repeating: "  ", count: 101) + "leaf: 1\n" + Self.block
        let (problems, _) = try load(yaml)
        #expect(problems == ["pipelines/p/metadata.yaml: cannot parse: the nesting is deeper than 64 levels at line 65"])

        // 10,000 levels stop the YAML parser itself (at 1,000); the message is the same.
        let flow = "variables: {deep: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}\n" + Self.block
        let (deep, seconds) = try load(flow)
        #expect(deep == ["pipelines/p/metadata.yaml: cannot parse: the nesting is deeper than 64 levels at line 1"])
        #expect(seconds < 1, "\(seconds) s")
    }

    @Test func anOversizedFileIsRefusedBeforeItIsRead() throws {
        let yaml = Self.block + String(repeating: "# padding padding padding padding padding padding padding padding\n", count: 40_000)
        #expect(yaml.utf8.count > 2 << 20)
        let (problems, seconds) = try load(yaml)
        #expect(problems == ["pipelines/p/metadata.yaml: cannot parse: the file is larger than 1048576 bytes (1 MiB), the limit for project files"])
        #expect(seconds < 1, "\(seconds) s")

        let project = try TestEnvironment.project(pipelines: [:])
        try Data(("project_uuid: big\n" + String(repeating: "#\n", count: 600_000)).utf8)
            .write(to: project.root.appendingPathComponent("metadata.yaml"))
        #expect(throws: MageError.invalidProject("\(project.root.path)/metadata.yaml: the file is larger than 1048576 bytes (1 MiB), the limit for project files")) {
            try Project(root: project.root)
        }
    }

    @Test func ordinaryYAMLStillReadsAsBefore() throws {
        let project = try TestEnvironment.project(pipelines: ["p": """
            uuid: 2024
            variables: {n: 3, ratio: 0.5, on: true, off: null, name: "007", list: [1, two]}
            defaults: &defaults {rows: 2, start: 1}
            blocks:
            - uuid: a
              type: data_loader
              plugin: c_numbers
              configuration:
                <<: *defaults
                rows: 5
              retry_config: {retries: 2, delay: 0}
              timeout: 30
            """])
        let pipeline = try PipelineLoader(project: project, catalog: Self.catalog).load("p")
        #expect(pipeline.name == "p")
        #expect(pipeline.variables == ["n": .int(3), "ratio": .double(0.5), "on": .bool(true), "off": .null,
                                       "name": .string("007"), "list": .list([.int(1), .string("two")])])
        let block = try #require(pipeline.block("a"))
        #expect(block.configuration == ["rows": .int(5), "start": .int(1)])
        #expect(block.retry.retries == 2)
        #expect(block.timeout == 30)
    }
}
