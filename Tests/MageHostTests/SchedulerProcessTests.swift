import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// Real `mage start --role scheduler` processes with a one-second trigger (catch_up: all, so a slow restart
/// on a loaded machine misses nothing either): every tick gets one run, across
/// a kill -9 and restart (SQLite), and with two schedulers on one PostgreSQL database.
@Suite struct SchedulerProcessTests {
    final class Mage {
        let process = Process()
        let log: URL

        init(_ project: Project, roles: [String], plugins: URL, environment: [String: String] = [:]) throws {
            log = try TemporaryFolder.make("mage").appendingPathComponent("mage.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = TestEnvironment.mage
            process.arguments = ["start", project.root.path, "--lease-seconds", "2"] + roles.flatMap { ["--role", $0] }
            process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["MAGE_PLUGIN_PATH": plugins.path]) { $1 }) { $1 }
            process.standardOutput = try FileHandle(forWritingTo: log)
            process.standardError = process.standardOutput
            try process.run()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func stop(_ signal: Int32) async {
            kill(process.processIdentifier, signal)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    static let triggers = """
        triggers:
        - name: every_second
          interval: 1
          start_time: 2025-12-01 00:00:00
          status: active
          catch_up: all
        """

    static func project() throws -> (Project, URL) {
        let plugins = try TestEnvironment.pluginDirectory(fixtures: ["c_features"])
        let project = try TestEnvironment.project(pipelines: ["p": """
            isolation: in_process
            blocks:
            - {uuid: load, type: data_loader, plugin: c_numbers, configuration: {rows: 3}}
            """])
        try triggers.write(to: project.pipelinesDirectory.appendingPathComponent("p/triggers.yaml"), atomically: true, encoding: .utf8)
        return (project, plugins)
    }

    /// The execution dates of the trigger's runs, and whether each run completed.
    static func ticks(_ store: any MetadataStore) throws -> [(date: Date, status: PipelineRunStatus)] {
        try store.pipelineRunList(PipelineRunFilter(pipeline: "p"), limit: 10_000, offset: 0).reversed()
            .compactMap { run in run.trigger?.executionDate.map { ($0, run.status) } }
    }

    static func expectOneRunPerSecond(_ ticks: [(date: Date, status: PipelineRunStatus)], _ context: String) {
        let dates = ticks.map(\.date)
        #expect(Set(dates).count == dates.count, "a tick has two runs: \(context)")
        let seconds = dates.map { Int64($0.timeIntervalSince1970.rounded()) }.sorted()
        if let first = seconds.first, let last = seconds.last {
            #expect(seconds == Array(first...last), "every second from the first tick to the last has its run: \(seconds) \(context)")
        }
    }

    @Test func everyTickRunsOnceAcrossAKilledAndRestartedScheduler() async throws {
        let (project, plugins) = try Self.project()
        let store = try SQLiteStore(path: project.databaseURL)
        let first = try Mage(project, roles: ["scheduler", "dispatcher"], plugins: plugins)
        try await RescueTests.wait("3 runs completed") { try Self.ticks(store).filter { $0.status == .completed }.count >= 3 }
        await first.stop(SIGKILL)
        let before = try Self.ticks(store).count
        try await Task.sleep(for: .seconds(2))
        let second = try Mage(project, roles: ["scheduler", "dispatcher"], plugins: plugins)
        try await RescueTests.wait("runs after the restart") { try Self.ticks(store).count >= before + 4 }
        await second.stop(SIGTERM)
        #expect(second.process.terminationStatus == 0, "\(second.output)" as Comment)
        let ticks = try Self.ticks(store)
        // The ticks it missed while down are run (on time, or caught up: catch_up all), none twice.
        Self.expectOneRunPerSecond(ticks, first.output + second.output)
        #expect(ticks.dropLast(2).allSatisfy { $0.status.isFinished }, "\(ticks.map(\.status))")
        #expect(second.output.contains("created by trigger 'every_second'"), "\(second.output)")
    }

    @Test func twoSchedulersOnOnePostgresDatabaseCreateEachTickOnce() async throws {
        let (project, plugins) = try Self.project()
        let url = try StoreConformanceTests.freshPostgresDatabase()
        let environment = ["MAGE_DATABASE_CONNECTION_URL": url]
        let store = try PostgresStore(url: url)
        let processes = try [
            Mage(project, roles: ["scheduler"], plugins: plugins, environment: environment),
            Mage(project, roles: ["scheduler"], plugins: plugins, environment: environment),
            Mage(project, roles: ["dispatcher"], plugins: plugins, environment: environment),
        ]
        try await RescueTests.wait("5 runs completed") { try Self.ticks(store).filter { $0.status == .completed }.count >= 5 }
        for process in processes { await process.stop(SIGTERM) }
        let ticks = try Self.ticks(store)
        Self.expectOneRunPerSecond(ticks, processes.map(\.output).joined())
        #expect(try store.scheduleList(pipeline: "p").count == 1, "both synced the file; one trigger")
        #expect(!FileManager.default.fileExists(atPath: project.databaseURL.path), "no SQLite file beside a PostgreSQL store")
    }
}
