import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// A project on the PostgreSQL store through `MAGE_DATABASE_CONNECTION_URL`, with real `mage` processes,
/// and what a wrong URL, password or host says (the password never shown).
@Suite struct PostgresStoreTests {
    @Test func mageRunWritesItsRunsToThePostgresDatabaseTheURLNames() throws {
        let url = try StoreConformanceTests.freshPostgresDatabase()
        let plugins = try TestEnvironment.pluginDirectory(fixtures: ["c_features"])
        let project = try TestEnvironment.project(pipelines: ["p": """
            blocks:
            - {uuid: load, type: data_loader, plugin: c_numbers, configuration: {rows: 3}}
            - {uuid: copy, type: transformer, plugin: c_passthrough, upstream_blocks: [load]}
            """])
        let (code, out, err) = try TestEnvironment.runMage(["run", project.root.path, "p"],
                                                           environment: ["MAGE_PLUGIN_PATH": plugins.path, Project.databaseURLVariable: url])
        #expect(code == 0, "\(out)\(err)")
        let store = try PostgresStore(url: url)
        let runs = try store.pipelineRunList(PipelineRunFilter(), limit: 10, offset: 0)
        #expect(runs.map(\.status) == [.completed])
        #expect(try store.blockRunList(pipelineRunID: runs[0].id).map(\.status) == [.completed, .completed])
        #expect(try store.datasetVersionList(pipelineRunID: runs[0].id, limit: 5).count == 1, "the loader's data version")
        #expect(!FileManager.default.fileExists(atPath: project.databaseURL.path), "no SQLite file was made")
    }

    @Test func aWrongURLPasswordOrHostIsNamedWithThePasswordMasked() throws {
        let server = try PostgresServer.shared()
        let project = try TestEnvironment.project(pipelines: [:])
        func failure(_ url: String) -> String {
            do {
                _ = try project.openStore(environment: [Project.databaseURLVariable: url])
                return "opened"
            } catch {
                return MageError.describe(error)
            }
        }
        let malformed = failure("mysql://mage:hunter2@127.0.0.1/db")
        #expect(malformed.contains("must be a postgresql:// or postgres:// URL") && malformed.contains("mysql://mage:********@127.0.0.1/db"))
        let wrongPassword = failure(server.url(password: "not-the-password"))
        #expect(wrongPassword.contains("password authentication failed"), "\(wrongPassword)")
        #expect(!wrongPassword.contains("not-the-password"))
        let started = Date()
        let unreachable = failure("postgresql://mage:hunter2@127.0.0.1:1/db")
        #expect(unreachable.contains("cannot connect to PostgreSQL") && !unreachable.contains("hunter2"), "\(unreachable)")
        #expect(Date().timeIntervalSince(started) < 6, "within the connect timeout")
    }
}
