import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// A database password given to `mage run` (through --runtime-vars, or `{{ env_var() }}`) reaches the
/// block, and nothing the host writes down: not invocation.json, not the store's file, not the exported
/// lineage.json, not a log, not the command's output. Run folders are the owner's alone.
@Suite struct SecretsTests {
    static func pipeline(url: String) -> String {
        """
        blocks:
        - uuid: load
          type: data_loader
          plugin: postgres_query
          configuration:
            url: "\(url)"
            query: "SELECT 1 AS one"
        - {uuid: export, type: data_exporter, plugin: lineage_json, upstream_blocks: [load], configuration: {path: lineage/lineage.json}}
        """
    }

    static func project(_ pipelines: [String: String]) throws -> Project {
        let project = try LoaderTestSupport.projectWithDataLoaders(pipelines: pipelines)
        try TestEnvironment.install(TestEnvironment.swiftPlugin("MageExporters"), into: project.root.appendingPathComponent("plugins"))
        return project
    }

    /// Every file the run left in the project (run folders, the store with its WAL, exports), as bytes.
    static func filesContaining(_ secret: String, in root: URL) -> [String] {
        var found: [String] = []
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard url.pathComponents.contains("plugins") == false,
                  let data = FileManager.default.contents(atPath: url.path) else { continue }
            if data.range(of: Data(secret.utf8)) != nil { found.append(url.path) }
        }
        return found
    }

    static func mode(_ path: URL) throws -> mode_t {
        var info = stat()
        guard stat(path.path, &info) == 0 else { throw MageError.io("cannot stat \(path.path)") }
        return info.st_mode & 0o777
    }

    @Test func aPasswordInRuntimeVariablesIsNeverWrittenDown() throws {
        let server = try PostgresServer.shared()
        let project = try Self.project(["p": Self.pipeline(url: "{{ variables('db_url') }}")])
        let (code, out, err) = try LoaderTestSupport.runMage(
            ["run", ".", "p", "--runtime-vars", "{\"db_url\": \"\(server.url)\"}"], in: project.root)
        #expect(code == 0, "\(out)\(err)")
        #expect(out.contains("completed"), "\(out)")

        let run = project.root.appendingPathComponent(".mage_data/pipelines/p/runs/1")
        let invocation = try String(contentsOf: run.appendingPathComponent("load/invocation.json"), encoding: .utf8)
        #expect(invocation.contains("\"url\" : \"********\""), "\(invocation)")
        let lineage = try String(contentsOf: project.root.appendingPathComponent("lineage/lineage.json"), encoding: .utf8)
        #expect(lineage.contains("\"db_url\" : \"********\""), "\(lineage)")
        let store = try SQLiteStore(path: project.databaseURL)
        #expect(try store.pipelineRunGet(id: 1)?.variables == ["db_url": .string("********")])

        #expect(Self.filesContaining(server.password, in: project.root) == [])
        #expect(!out.contains(server.password) && !err.contains(server.password))

        // Owner only: every folder of the run, and the files the host writes there.
        for folder in [".mage_data/pipelines", ".mage_data/pipelines/p", ".mage_data/pipelines/p/runs"] {
            #expect(try Self.mode(project.root.appendingPathComponent(folder)) == 0o700, "\(folder)")
        }
        for folder in [run, run.appendingPathComponent("load"), run.appendingPathComponent("load/artifacts")] {
            #expect(try Self.mode(folder) == 0o700, "\(folder.path)")
        }
        for file in ["invocation.json", "block.log", "result.json"] {
            #expect(try Self.mode(run.appendingPathComponent("load/\(file)")) == 0o600, "\(file)")
        }
    }

    @Test func aPasswordFromTheEnvironmentIsResolvedOnlyInTheBlockProcess() throws {
        let server = try PostgresServer.shared()
        let project = try Self.project(["p": Self.pipeline(url: "{{ env_var('SWIFTMAGE_TEST_DB_URL') }}"),
                                        "unset": Self.pipeline(url: "{{ env_var('SWIFTMAGE_TEST_UNSET_DB_URL') }}")])
        let (code, out, err) = try LoaderTestSupport.runMage(["run", ".", "p"], in: project.root,
                                                             environment: ["SWIFTMAGE_TEST_DB_URL": server.url])
        #expect(code == 0, "\(out)\(err)")
        let invocation = try String(contentsOf: project.root.appendingPathComponent(".mage_data/pipelines/p/runs/1/load/invocation.json"),
                                    encoding: .utf8)
        #expect(invocation.contains("{{ env_var('SWIFTMAGE_TEST_DB_URL') }}"), "\(invocation)")
        #expect(Self.filesContaining(server.password, in: project.root) == [])
        #expect(!out.contains(server.password) && !err.contains(server.password))

        let (failed, failedOut, failedErr) = try LoaderTestSupport.runMage(["run", ".", "unset"], in: project.root)
        #expect(failed != 0, "\(failedOut)\(failedErr)")
        let store = try SQLiteStore(path: project.databaseURL)
        let load = try #require(try store.blockRunList(pipelineRunID: 2).first { $0.block == "load" })
        #expect(load.error == "configuration key 'url': environment variable 'SWIFTMAGE_TEST_UNSET_DB_URL' is used (env_var) but not set in the environment of mage")
    }

    @Test func whatABlockReportsHasItsSecretsMasked() throws {
        // libpq quotes the whole connection string back when it cannot parse it; the host masks the
        // secret value wherever it appears, whatever the plugin does with it.
        let redactor = SecretRedactor([.string("postgresql://u:s3cr\"et@h/db")])
        #expect(redactor.redact("cannot use postgresql://u:s3cr\"et@h/db here") == "cannot use ******** here")
        #expect(redactor.redact("{\"url\": \"postgresql://u:s3cr\\\"et@h/db\"}") == "{\"url\": \"********\"}")
        let split = Secrets.split(["url": .string("x://a:b@c"), "env": .string("{{ env_var('A') }}"), "rows": .int(3)],
                                  sensitive: ["url", "env"])
        #expect(split.recorded == ["url": .string("********"), "env": .string("{{ env_var('A') }}"), "rows": .int(3)])
        #expect(split.secrets == ["url": .string("x://a:b@c")])
    }
}
