import Foundation
import Testing
@testable import MageExporters
import MageTestSupport

/// `lineage_json`: the document re-encoded (pretty, sorted keys) without loss, written atomically.
@Suite struct LineageJSONExportTests {
    @Test func rendersEveryKeySortedAndIndented() throws {
        let raw = try ExporterFixtures.lineageData()
        let rendered = try LineageJSONExport.render(raw)
        let text = String(decoding: rendered, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"blocks\" : [\n"))
        #expect(text.hasSuffix("}\n"))
        // Nothing lost or changed: the same JSON value as the host's text, nulls and unknown keys included.
        let original = try JSONDecoder().decode(JSONValue.self, from: raw)
        #expect(try JSONDecoder().decode(JSONValue.self, from: rendered) == original)
        #expect(text.contains("\"completed_at\" : null"))
        #expect(text.contains("\"churn_rate\" : 0.262"))
        #expect(text.contains("\"path\" : \"datasets/objects/"))  // slashes unescaped
        // Sorted at every level.
        let keys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(keys == ["blocks", "code", "datasets", "format", "models", "pipeline", "project"])
        #expect(try LineageJSONExport.render(rendered) == rendered)
    }

    @Test func refusesWhatIsNotALineageDocument() {
        #expect(throws: ExportError.self) { try LineageJSONExport.render(Data(#"{"format": "other"}"#.utf8)) }
    }

    @Test func writesAtomicallyReplacingTheOldFile() throws {
        let folder = try TemporaryFolder.make("exporters")
        let path = folder.appendingPathComponent("exports/lineage/run.json").path
        try FileOutput.writeAtomically(Data("old".utf8), to: path)  // creates the folders
        try FileOutput.writeAtomically(Data("new\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("exports/lineage").path)
        #expect(leftovers == ["run.json"])
    }

    @Test func aWriteThatCannotHappenSaysWhy() throws {
        let folder = try TemporaryFolder.make("exporters")
        let file = folder.appendingPathComponent("a-file")
        try Data().write(to: file)
        let error = #expect(throws: ExportError.self) {
            try FileOutput.writeAtomically(Data("x".utf8), to: file.appendingPathComponent("below-a-file.json").path)
        }
        #expect(error?.description.hasPrefix("cannot create the folder \(file.path)") == true, "\(String(describing: error))")
    }

    @Test func pathsResolveAgainstTheProject() {
        let artifacts = "/srv/mlops_demo/.mage_data/pipelines/demo_mlops/runs/7/export/artifacts"
        #expect(FileOutput.projectRoot(artifactDirectory: artifacts) == "/srv/mlops_demo")
        #expect(FileOutput.projectRoot(artifactDirectory: "/tmp//project-x/.mage_data/pipelines/p/runs/1/b/artifacts") == "/tmp/project-x")
        #expect(FileOutput.projectRoot(artifactDirectory: "/.mage_data/pipelines/p/runs/1/b/artifacts") == "/")
        #expect(FileOutput.projectRoot(artifactDirectory: "/srv/p/.mage_data/pipelines/.mage_data/runs/1/b/artifacts") == "/srv/p")
        #expect(FileOutput.projectRoot(artifactDirectory: "/tmp/elsewhere") == nil)
        #expect(FileOutput.resolve("exports/lineage.json", projectRoot: "/srv/mlops_demo") == "/srv/mlops_demo/exports/lineage.json")
        #expect(FileOutput.resolve("../shared/x.ndjson", projectRoot: "/srv/mlops_demo") == "/srv/shared/x.ndjson")
        #expect(FileOutput.resolve("/var/lineage.json", projectRoot: "/srv/mlops_demo") == "/var/lineage.json")
    }
}
