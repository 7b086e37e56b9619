import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import MageHost
import MageTestSupport

/// A real `mage start --role web_server --role dispatcher` on a PostgreSQL project, its server restarted
/// (`pg_ctl restart -m fast`) while runs are posted over HTTP one after another: every role reconnects,
/// every run whose POST was acknowledged exists once and completes, none is made twice, and the process
/// still serves. Then the server is stopped for longer than the process waits: requests get a 503 JSON
/// error, and the process serves again once the server is back.
@Suite struct PostgresRestartTests {
    static let pipeline = """
        variables: {n: 0}
        blocks:
        - {uuid: load, type: data_loader, plugin: churn_synthetic, isolation: in_process, configuration: {rows: 20, seed: 1}}
        - {uuid: pick, type: transformer, plugin: select_columns, isolation: in_process, upstream_blocks: [load],
           configuration: {columns: [account_age, churn]}}
        - {uuid: again, type: transformer, plugin: select_columns, isolation: in_process, upstream_blocks: [pick],
           configuration: {columns: [churn]}}
        """

    /// The web server's port, from the line `mage start` prints once it listens.
    static func webPort(_ log: URL) async throws -> Int? {
        for _ in 0..<300 {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("web server of ") }),
               let port = line.split(separator: ":").last?.split(separator: " ").first.flatMap({ Int($0) }) {
                return port
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Posts run `n`; its HTTP status and, when created, its id.
    static func post(_ n: Int, to base: URL) async -> (status: Int, id: Int64?, body: String) {
        var request = URLRequest(url: base.appendingPathComponent("api/pipelines/quick/pipeline_runs"))
        request.httpMethod = "POST"
        request.timeoutInterval = 30
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"pipeline_run": {"variables": {"n": \#(n)}}}"#.utf8)
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return (0, nil, "no answer") }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let run = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["pipeline_run"] as? [String: Any]
        return (status, (run?["id"] as? Int).map(Int64.init), String(decoding: data, as: UTF8.self))
    }

    @Test func aServerRestartedUnderLoadLosesNoAcknowledgedRunAndMakesNoneTwice() async throws {
        let server = try PostgresServer.privateServer()
        try server.psql("CREATE DATABASE under_load")
        let url = server.url.replacingOccurrences(of: "/\(server.database)", with: "/under_load")
        let plugins = try TestEnvironment.pluginDirectory()  // the build's plugins folder has the Swift plugins
        let project = try TestEnvironment.project(pipelines: ["quick": Self.pipeline])
        let log = try TemporaryFolder.make("restart").appendingPathComponent("mage.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let mage = Process()
        mage.executableURL = TestEnvironment.mage
        mage.arguments = ["start", project.root.path, "--role", "web_server", "--role", "dispatcher", "--port", "0"]
        mage.environment = ProcessInfo.processInfo.environment.merging([
            "MAGE_PLUGIN_PATH": plugins.path, Project.databaseURLVariable: url, Project.databaseReconnectVariable: "4",
        ]) { $1 }
        mage.standardOutput = try FileHandle(forWritingTo: log)
        mage.standardError = mage.standardOutput
        try mage.run()
        defer { if mage.isRunning { kill(mage.processIdentifier, SIGKILL) } }
        func output() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let port = try #require(try await Self.webPort(log), "\(output())")
        let base = URL(string: "http://127.0.0.1:\(port)")!

        // Runs posted one after another for 6 s; the server restarts 1.5 s in.
        let restart = Task.detached { try await Task.sleep(for: .milliseconds(1500)); try server.restart() }
        var acknowledged: [Int: Int64] = [:]
        var refusals: [Int: String] = [:]
        var n = 0
        let started = Date()
        while Date().timeIntervalSince(started) < 6 {
            n += 1
            let (status, id, body) = await Self.post(n, to: base)
            if (200..<300).contains(status), let id { acknowledged[n] = id } else { refusals[n] = "\(status) \(body)" }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await restart.value
        #expect(acknowledged.count >= n - 2, "a restart of about a second is waited out, not refused: \(refusals)")

        let store = try PostgresStore(url: url)
        try await RescueTests.wait("every run finished") {
            try store.pipelineRunCount(PipelineRunFilter(statuses: [.initial, .running])) == 0
        }
        let runs = try store.pipelineRunList(PipelineRunFilter(), limit: 10_000, offset: 0)
        let byN: [Int: [PipelineRun]] = Dictionary(grouping: runs) { run in
            if case .int(let posted)? = run.variables["n"] { return Int(posted) }
            return -1
        }
        #expect(byN.values.allSatisfy { $0.count == 1 }, "no run made twice")
        for (posted, id) in acknowledged {
            let made = byN[posted] ?? []
            #expect(made.map(\.id) == [id], "run \(posted)")
            #expect(made.first?.status == .completed, "run \(posted): \(made.first?.status.rawValue ?? "missing")")
        }
        let unfinished = try runs.filter { $0.status != .completed }.map { run in
            "\(run.id): \(run.status) \(try store.blockRunList(pipelineRunID: run.id).map { "\($0.block) \($0.status) \($0.error ?? "")" })"
        }
        #expect(unfinished.isEmpty, "\(unfinished)\n\(output())")
        for run in runs {
            #expect(try store.blockRunList(pipelineRunID: run.id).map(\.attempts) == [1, 1, 1], "run \(run.id) ran each block once")
        }
        #expect(mage.isRunning, "\(output())")

        // Down for longer than the 4 s the process waits: a 503 in the error JSON, and service once it is back.
        try server.stop()
        let (down, _, body) = await Self.post(n + 1, to: base)
        #expect(down == 503, "\(body)")
        #expect(body.contains(#""status_code":503"#) && body.contains("the metadata store is unavailable"), "\(body)")
        try server.restart()
        #expect(mage.isRunning, "\(output())")
        let (up, id, answer) = await Self.post(n + 2, to: base)
        #expect(up == 201, "\(answer)")
        let after = try #require(id)
        try await RescueTests.wait("the run posted after the outage completed") { try store.pipelineRunGet(id: after)?.status == .completed }
        #expect(try store.pipelineRunCount(PipelineRunFilter()) == runs.count + 1, "the refused post made no run")
    }
}
