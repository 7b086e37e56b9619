import Foundation
import PluginAPI
import PluginKit
import Testing
@testable import MageExporters
import MageTestSupport

/// What a host sees, through the C ABI: the descriptor, the ABI 1.1 guard, and a whole export through
/// the block functions. The host side of `lineage_json` is not merged yet, so these tests hand the plugin
/// a service table of their own; the real host runs the plugin in MageHostTests/ExporterPluginTests.
/// Serialized: the plugin keeps the one table it was given (PluginHost.api).
@Suite(.serialized) struct ExporterEntryTests {
    /// The state the test table's services read and write.
    nonisolated(unsafe) static var errors: [String] = []
    nonisolated(unsafe) static var logs: [String] = []
    nonisolated(unsafe) static var config: [String: String] = [:]
    nonisolated(unsafe) static var lineage: String?
    nonisolated(unsafe) static var artifactDirectory = "/srv/mlops_demo/.mage_data/pipelines/demo_mlops/runs/7/export/artifacts"
    nonisolated(unsafe) static var borrowed: [UnsafeMutablePointer<CChar>] = []

    static func borrow(_ s: String) -> UnsafePointer<CChar> {
        let p = strdup(s)!
        borrowed.append(p)
        return UnsafePointer(p)
    }

    /// A table claiming `size` bytes (the 1.0 size ends where builder_set_metadata begins).
    static func hostTable(size: Int = MemoryLayout<mage_host_api>.size, withLineage: Bool = true) -> UnsafePointer<mage_host_api> {
        errors = []
        logs = []
        var api = mage_host_api()
        api.struct_size = UInt32(size)
        api.abi_major = UInt16(MAGE_ABI_MAJOR)
        api.abi_minor = size >= MemoryLayout<mage_host_api>.size ? UInt16(MAGE_ABI_MINOR) : 0
        api.log = { _, _, message in ExporterEntryTests.logs.append(String(cString: message!)) }
        api.set_error = { _, message in ExporterEntryTests.errors.append(String(cString: message!)) }
        api.config_string = { _, key, out in
            guard let value = ExporterEntryTests.config[String(cString: key!)] else { return 0 }
            out?.pointee = ExporterEntryTests.borrow(value)
            return 1
        }
        api.config_double = { _, _, _ in 0 }
        api.artifact_dir = { _ in ExporterEntryTests.borrow(ExporterEntryTests.artifactDirectory) }
        if withLineage {
            api.lineage_json = { _ in
                guard let text = ExporterEntryTests.lineage else {
                    ExporterEntryTests.errors.append("the host could not assemble the lineage")
                    return nil
                }
                return ExporterEntryTests.borrow(text)
            }
        }
        let table = UnsafeMutablePointer<mage_host_api>.allocate(capacity: 1)
        table.initialize(to: api)
        return UnsafePointer(table)
    }

    static func kinds(_ host: UnsafePointer<mage_host_api>) throws -> [String: mage_block_kind] {
        let descriptor = try #require(mageExportersEntry(host)).pointee
        #expect(descriptor.abi_major == 1 && descriptor.abi_minor == 2)
        #expect(String(cString: descriptor.name) == "mage-exporters")
        #expect(String(cString: descriptor.swift_module) == "MageExporters")
        var kinds: [String: mage_block_kind] = [:]
        for i in 0..<descriptor.n_block_kinds {
            let kind = descriptor.block_kinds[i]!.pointee
            kinds[String(cString: kind.name)] = kind
        }
        return kinds
    }

    static func run(_ kind: mage_block_kind) -> Int32 {
        var output = mage_table()
        let code = kind.run!(nil, nil, 0, &output)
        #expect(output.array.release == nil)  // exporters produce no table
        return code
    }

    static func configKeys(_ kind: mage_block_kind) -> [String] {
        (0..<kind.n_config_keys).map { i in
            let key = kind.config_keys[i]
            return "\(String(cString: key.name)):\(key.type)\(key.required != 0 ? ":required" : "")"
        }
    }

    @Test func declaresTheExportersWithTypedConfiguration() throws {
        let kinds = try Self.kinds(Self.hostTable())
        #expect(kinds.keys.sorted() == ["deployment", "lineage_graph", "lineage_json", "model_registry", "openlineage"])
        #expect(kinds.values.allSatisfy { $0.block_type == Int32(MAGE_BLOCK_DATA_EXPORTER.rawValue) && $0.run != nil })
        #expect(Self.configKeys(kinds["lineage_json"]!) == ["path:1:required"])
        #expect(Self.configKeys(kinds["openlineage"]!) == ["path:1:required", "namespace:1", "repository_url:1", "url:1", "timeout_seconds:3"])
        #expect(Self.configKeys(kinds["lineage_graph"]!) == ["dot_path:1", "mermaid_path:1"])
        #expect(Self.configKeys(kinds["model_registry"]!) == ["model_block:1"])
        #expect(Self.configKeys(kinds["deployment"]!) == ["version:1"])
    }

    @Test func aHostOlderThan1_1FailsTheBlockClearly() throws {
        let size10 = MemoryLayout<mage_host_api>.offset(of: \.builder_set_metadata)!
        let kinds = try Self.kinds(Self.hostTable(size: size10))
        Self.config = ["path": "/nonexistent/never-written.json"]
        #expect(Self.run(kinds["lineage_json"]!) == Int32(MAGE_ERROR_UNSUPPORTED))
        #expect(Self.errors == ["this exporter needs the host service lineage_json (ABI 1.1), but the host speaks ABI 1.0 (service table of \(size10) bytes, lineage_json needs \(ExportCall.lineageSlotEnd)); upgrade mage"])
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/never-written.json"))
    }

    @Test func aHostWithAnEmptyLineageSlotFailsTheBlockClearly() throws {
        let kinds = try Self.kinds(Self.hostTable(withLineage: false))
        Self.config = ["dot_path": "/nonexistent/x.dot"]
        #expect(Self.run(kinds["lineage_graph"]!) == Int32(MAGE_ERROR_UNSUPPORTED))
        #expect(Self.errors == ["this exporter needs the host service lineage_json (ABI 1.1), but the host (ABI 1.2) leaves it empty; upgrade mage"])
    }

    @Test func theHostsOwnErrorIsKept() throws {
        let kinds = try Self.kinds(Self.hostTable())
        Self.lineage = nil
        Self.config = ["path": "/nonexistent/never-written.json"]
        #expect(Self.run(kinds["lineage_json"]!) == Int32(MAGE_ERROR))
        #expect(Self.errors == ["the host could not assemble the lineage"])
    }

    @Test func exportsThroughTheBlockFunctions() throws {
        let kinds = try Self.kinds(Self.hostTable())
        let project = try TemporaryFolder.make("project")
        Self.artifactDirectory = project.appendingPathComponent(".mage_data/pipelines/demo_mlops/runs/7/export/artifacts").path
        let raw = try ExporterFixtures.lineageData()
        Self.lineage = String(decoding: raw, as: UTF8.self)

        Self.config = ["path": "exports/lineage.json"]  // relative: against the project
        #expect(Self.run(kinds["lineage_json"]!) == Int32(MAGE_OK), "\(Self.errors)")
        let written = try Data(contentsOf: project.appendingPathComponent("exports/lineage.json"))
        #expect(written == (try LineageJSONExport.render(raw)))

        let receiver = try LineageReceiver()
        Self.config = ["path": "exports/openlineage.ndjson", "url": receiver.url, "namespace": "prod"]
        #expect(Self.run(kinds["openlineage"]!) == Int32(MAGE_OK), "\(Self.errors)")
        let lines = try String(contentsOf: project.appendingPathComponent("exports/openlineage.ndjson"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let root = try #require(FileOutput.projectRoot(artifactDirectory: Self.artifactDirectory))
        let projectURL = URL(fileURLWithPath: root, isDirectory: true).absoluteString
        #expect(projectURL.hasPrefix("file:///") && projectURL.hasSuffix("/"))
        let expected = try OpenLineage.lines(OpenLineage.events(for: try ExporterFixtures.lineage(), options: OpenLineageOptions(
            namespace: "prod", projectURL: projectURL)))
        #expect(lines == expected)
        #expect(try receiver.requests().map(\.body) == lines)
        #expect(lines.first?.contains(#""url":"\#(projectURL)""#) == true)
        #expect(Self.logs.contains("posted \(lines.count) OpenLineage events to \(receiver.url)/api/v1/lineage"))

        Self.config = ["dot_path": "exports/lineage.dot", "mermaid_path": "exports/lineage.mmd"]
        #expect(Self.run(kinds["lineage_graph"]!) == Int32(MAGE_OK), "\(Self.errors)")
        let graph = LineageGraph(try ExporterFixtures.lineage())
        #expect(try String(contentsOf: project.appendingPathComponent("exports/lineage.dot"), encoding: .utf8) == graph.dot())
        #expect(try String(contentsOf: project.appendingPathComponent("exports/lineage.mmd"), encoding: .utf8) == graph.mermaid())
    }

    @Test func theEnvironmentNamesTheServerAndAFailedPostFailsTheBlock() throws {
        _ = try Self.kinds(Self.hostTable())
        let project = try TemporaryFolder.make("project")
        Self.artifactDirectory = project.appendingPathComponent(".mage_data/pipelines/demo_mlops/runs/7/export/artifacts").path
        Self.lineage = String(decoding: try ExporterFixtures.lineageData(), as: UTF8.self)
        Self.config = ["path": "openlineage.ndjson"]

        let receiver = try LineageReceiver(status: 500)
        let code = ExportCall.run(nil) { export in
            try OpenLineageExport.run(export, environment: ["OPENLINEAGE_URL": receiver.url, "OPENLINEAGE_API_KEY": "k"])
        }
        #expect(code == Int32(MAGE_ERROR_IO))
        #expect(Self.errors.count == 1)
        #expect(Self.errors.first?.hasPrefix("POST \(receiver.url)/api/v1/lineage answered HTTP 500 Internal Server Error for event 1 of ") == true)
        #expect(try receiver.requests().first?.authorization == "Bearer k")
        // The file is written first: it records what could not be sent.
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("openlineage.ndjson").path))

        // No URL anywhere: file only.
        Self.errors = []
        #expect(ExportCall.run(nil) { try OpenLineageExport.run($0, environment: [:]) } == Int32(MAGE_OK))
        #expect(Self.errors.isEmpty)
    }

    @Test func badConfigurationFailsBeforeAnythingIsWritten() throws {
        let kinds = try Self.kinds(Self.hostTable())
        Self.lineage = String(decoding: try ExporterFixtures.lineageData(), as: UTF8.self)
        Self.config = [:]
        #expect(Self.run(kinds["lineage_graph"]!) == Int32(MAGE_ERROR_INVALID_INPUT))
        #expect(Self.errors == ["lineage_graph needs an output: set 'dot_path', 'mermaid_path' or both"])

        Self.errors = []
        Self.config = ["path": "/nonexistent/x.ndjson", "url": "https://marquez.example.com"]
        #expect(Self.run(kinds["openlineage"]!) == Int32(MAGE_ERROR_INVALID_INPUT))
        #expect(Self.errors.first?.contains("only http:// is supported") == true)
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/x.ndjson"))

        Self.errors = []
        Self.lineage = #"{"format": "swiftmage.lineage.v1"}"#
        Self.config = ["path": "/nonexistent/y.json"]
        #expect(Self.run(kinds["lineage_json"]!) == Int32(MAGE_ERROR_INVALID_INPUT))
        #expect(Self.errors == ["the lineage document does not follow swiftmage.lineage.v1: 'project' is missing"])
    }
}
