import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// The `postgres_query` data loader of MageDataLoaders against a real PostgreSQL server that the tests
/// start (`PostgresServer`), which requires a password for every connection. When PostgreSQL cannot run
/// here, these tests fail with the reason.
@Suite struct PostgresQueryLoaderTests {
    typealias Harness = ExecutorTests.Harness

    static func column(_ table: Table, _ name: String) throws -> Column {
        try #require(table.column(named: name), "no column '\(name)' in \(table.columns.map(\.name))")
    }

    @Test func mapsColumnTypesAndBindsParametersAsText() async throws {
        let server = try PostgresServer.shared()
        let injection = "O'Reilly'); DROP TABLE loader_types; --"
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - uuid: typed
              type: data_loader
              plugin: postgres_query
              configuration:
                url: '\(server.url)'
                query: 'SELECT i, b, s, d, r, n, f, t, ts FROM loader_types WHERE i >= $1 ORDER BY i'
                parameters: ['1']
            - uuid: echo
              type: data_loader
              plugin: postgres_query
              configuration:
                url: '\(server.url)'
                query: 'SELECT $1::text AS echo, $2::int + 1 AS next, $3 AS untyped'
                parameters: ['\(injection.replacingOccurrences(of: "'", with: "''"))', '41', 'plain']
            """], fixtures: [], swift: ["MageDataLoaders"])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")

        let table = try harness.output(summary, "typed")
        #expect(table.columns.map(\.name) == ["i", "b", "s", "d", "r", "n", "f", "t", "ts"])
        let present = [true, true, false]
        #expect(try Self.column(table, "i") == Column(name: "i", values: .int64([1, 2, 3])))
        #expect(try Self.column(table, "b") == Column(name: "b", values: .int64([9_000_000_000, -9_000_000_000, 0]), validity: present))
        #expect(try Self.column(table, "s") == Column(name: "s", values: .int64([7, -7, 0]), validity: present))
        #expect(try Self.column(table, "d") == Column(name: "d", values: .float64([1.5, -2.25, 0]), validity: present))
        #expect(try Self.column(table, "r") == Column(name: "r", values: .float64([0.25, 1.5, 0]), validity: present))
        #expect(try Self.column(table, "n") == Column(name: "n", values: .float64([12345.678901, -0.5, 0]), validity: present))
        #expect(try Self.column(table, "f") == Column(name: "f", values: .bool([true, false, false]), validity: present))
        #expect(try Self.column(table, "t") == Column(name: "t", values: .utf8(["one", "two, with \"quotes\"", ""]), validity: present))
        #expect(try Self.column(table, "ts") == Column(
            name: "ts", values: .utf8(["2024-03-01 12:34:56", "1999-12-31 23:59:59", ""]), validity: present))

        let echo = try harness.output(summary, "echo")
        #expect(try Self.column(echo, "echo").values == .utf8([injection]))
        #expect(try Self.column(echo, "next").values == .int64([42]))
        #expect(try Self.column(echo, "untyped").values == .utf8(["plain"]))
        #expect(try server.psql("SELECT count(*) FROM loader_types").contains("3"), "the parameter was never SQL")

        let log = try LoaderTestSupport.log(summary, "typed")
        #expect(log.contains("connecting to PostgreSQL at 127.0.0.1:\(server.port), database 'postgres', user 'mage'"))
        #expect(log.contains("query returned 3 rows × 9 columns (i int64, b int64, s int64, d float64, r float64, n float64, f bool, t utf8, ts utf8)"))
        #expect(!log.contains(server.password))
    }

    @Test func failuresAreClearAndNeverShowAPassword() async throws {
        let server = try PostgresServer.shared()
        let wrong = "wrong-" + UUID().uuidString.prefix(8)
        let keyValueWrong = "kv-" + UUID().uuidString.prefix(8)
        let unparsable = "bad%zz" + UUID().uuidString.prefix(8)
        let closedPort = try LoopbackPort.free()
        let keyValue = "host=127.0.0.1 port=\(server.port) dbname=postgres user=mage password='\(keyValueWrong)'"
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: wrong_password, type: data_loader, plugin: postgres_query, configuration: {url: '\(server.url(password: wrong))', query: 'SELECT 1'}}
            - {uuid: wrong_password_kv, type: data_loader, plugin: postgres_query, configuration: {url: "\(keyValue)", query: 'SELECT 1'}}
            - {uuid: unparsable_url, type: data_loader, plugin: postgres_query, configuration: {url: '\(server.url(password: unparsable))', query: 'SELECT 1'}}
            - {uuid: unreachable, type: data_loader, plugin: postgres_query, configuration: {url: 'postgresql://mage:\(server.password)@127.0.0.1:\(closedPort)/postgres', query: 'SELECT 1'}}
            - {uuid: syntax, type: data_loader, plugin: postgres_query, configuration: {url: '\(server.url)', query: 'SELEC 1'}}
            - {uuid: missing_table, type: data_loader, plugin: postgres_query, configuration: {url: '\(server.url)', query: 'SELECT * FROM no_such_table'}}
            - {uuid: command, type: data_loader, plugin: postgres_query, configuration: {url: '\(server.url)', query: 'CREATE TEMP TABLE scratch (a int)'}}
            - {uuid: duplicate_names, type: data_loader, plugin: postgres_query, configuration: {url: '\(server.url)', query: 'SELECT 1, 2'}}
            - {uuid: no_url, type: data_loader, plugin: postgres_query, configuration: {url_env: SWIFTMAGE_TEST_UNSET_URL, query: 'SELECT 1'}}
            """], fixtures: [], swift: ["MageDataLoaders"])
        let summary = try await harness.run("p")
        func error(_ block: String) throws -> String {
            let record = try LoaderTestSupport.requireBlock(summary, block)
            #expect(record.status == .failed, "\(block)")
            return record.error ?? ""
        }
        let target = "127.0.0.1:\(server.port), database 'postgres', user 'mage'"

        let wrongPassword = try error("wrong_password")
        #expect(wrongPassword.hasPrefix("cannot connect to PostgreSQL at \(target): "), "\(wrongPassword)")
        #expect(wrongPassword.contains("password authentication failed for user \"mage\""), "\(wrongPassword)")
        let wrongKeyValue = try error("wrong_password_kv")
        #expect(wrongKeyValue.hasPrefix("cannot connect to PostgreSQL at \(target): "), "\(wrongKeyValue)")
        #expect(wrongKeyValue.contains("password authentication failed"), "\(wrongKeyValue)")
        let unparsableURL = try error("unparsable_url")
        #expect(unparsableURL.hasPrefix("the connection string from the configuration key 'url' is not valid: "), "\(unparsableURL)")

        let unreachable = try error("unreachable")
        #expect(unreachable.hasPrefix("cannot connect to PostgreSQL at 127.0.0.1:\(closedPort), database 'postgres', user 'mage': "), "\(unreachable)")
        #expect(unreachable.contains("Connection refused"), "\(unreachable)")

        #expect(try error("syntax") == "query failed: syntax error at or near \"SELEC\" (SQLSTATE 42601, at character 1)")
        #expect(try error("missing_table") == "query failed: relation \"no_such_table\" does not exist (SQLSTATE 42P01, at character 15)")
        #expect(try error("command") == "the statement returned no rows to load (CREATE TABLE); a data loader needs a query that returns rows, such as SELECT or ... RETURNING")
        #expect(try error("duplicate_names") == "the query returns more than one column named '?column?'; give them distinct names with AS")
        #expect(try error("no_url") == "no database URL: set the configuration key 'url', or the environment variable SWIFTMAGE_TEST_UNSET_URL (named by 'url_env'), which is not set or empty")

        // No password, right or wrong, in any message, log line or file of the run, invocation.json
        // included ('url' is a secret key: the host writes it masked).
        let secrets = [server.password, wrong, keyValueWrong, unparsable, String(unparsable.dropFirst(3))]
        let texts = LoaderTestSupport.runFolderTexts(harness.project.root)
        #expect(texts.keys.contains { $0.hasSuffix("wrong_password/block.log") })
        for secret in secrets {
            for record in summary.blocks {
                #expect(!(record.error ?? "").contains(secret), "\(record.block): \(record.error ?? "")")
            }
            for (path, text) in texts {
                #expect(!text.contains(secret), "\(path) shows a password")
            }
        }
        #expect(try LoaderTestSupport.log(summary, "wrong_password").contains("postgresql") == false)
    }

    @Test func theURLComesFromDATABASE_URLByDefault() throws {
        let server = try PostgresServer.shared()
        let project = try LoaderTestSupport.projectWithDataLoaders(pipelines: ["p": """
            blocks:
            - uuid: count
              type: data_loader
              plugin: postgres_query
              configuration: {query: 'SELECT count(*) AS rows FROM loader_types WHERE t IS NOT NULL'}
            """])
        let (code, out, err) = try LoaderTestSupport.runMage(["run", project.root.path, "p"], in: project.root,
                                                             environment: ["DATABASE_URL": server.url])
        #expect(code == 0, "\(out)\(err)")
        #expect(out.contains("count  completed"))
        let table = try TableFile.read(from: project.root.appendingPathComponent(".mage_data/pipelines/p/runs/1/count"))
        #expect(table.column(named: "rows")?.values == .int64([2]))
        let log = try String(contentsOf: project.root.appendingPathComponent(".mage_data/pipelines/p/runs/1/count/block.log"),
                             encoding: .utf8)
        #expect(log.contains("(from the environment variable DATABASE_URL)"))
        #expect(!(out + err + log).contains(server.password))
    }
}
