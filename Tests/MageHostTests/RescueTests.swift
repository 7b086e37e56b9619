import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// Real `mage start --role dispatcher` processes: one is killed with SIGKILL while its blocks sleep, the
/// next one finds the runs whose lease ran out and finishes them honestly (or runs them again when the
/// pipeline asks), no block process outlives its host, later runs work, and SIGTERM stops the
/// dispatcher with nothing left running.
@Suite struct RescueTests {
    /// A dispatcher process over `project`, its output in a log file.
    final class Dispatcher {
        let process = Process()
        let log: URL

        init(_ project: Project, plugins: URL, arguments: [String] = []) throws {
            log = try TemporaryFolder.make("dispatcher").appendingPathComponent("mage.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = TestEnvironment.mage
            process.arguments = ["start", project.root.path, "--role", "dispatcher", "--lease-seconds", "2"] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["MAGE_PLUGIN_PATH": plugins.path]) { $1 }
            process.standardOutput = try FileHandle(forWritingTo: log)
            process.standardError = process.standardOutput
            try process.run()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    static func queue(_ store: SQLiteStore, _ project: Project, _ catalog: PluginCatalog, _ pipeline: String) throws -> Int64 {
        let loaded = try PipelineLoader(project: project, catalog: catalog).load(pipeline)
        return try store.pipelineRunCreate(PipelineRunCreateParams(
            pipeline: pipeline, variables: loaded.variables, blocks: loaded.blocks.map(\.uuid), retryOnHostFailure: loaded.retryOnHostFailure)).id
    }

    /// Polls until `done` or 60 s, sleeping without holding one of the few threads the other tests share.
    static func wait(_ what: String, _ done: () throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(60)
        while try !done() {
            guard Date() < deadline else { throw MageError.io("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func aKilledDispatchersRunsAreRescuedByTheNextAndSIGTERMLeavesNothingRunning() async throws {
        let plugins = try TestEnvironment.pluginDirectory(fixtures: ["sleep_first", "faulty", "c_features"])
        let markers = try TemporaryFolder.make("markers")
        let project = try TestEnvironment.project(pipelines: [
            "fails": """
                blocks:
                - {uuid: nap, type: transformer, plugin: sleep_first, configuration: {marker_file: \(markers.path)/fails, seconds: 60}}
                - {uuid: after, type: transformer, plugin: sleep_first, upstream_blocks: [nap], configuration: {marker_file: \(markers.path)/after, seconds: 0}}
                """,
            "again": """
                retry_on_host_failure: true
                blocks:
                - {uuid: nap, type: transformer, plugin: sleep_first, configuration: {marker_file: \(markers.path)/again, seconds: 60}}
                """,
            "quick": """
                blocks:
                - {uuid: numbers, type: data_loader, plugin: c_numbers, configuration: {rows: 3}}
                """,
            "hang": """
                blocks:
                - {uuid: hang, type: transformer, plugin: hang_forever, timeout: 120}
                """,
        ])
        let catalog = PluginCatalog(directories: [plugins], hashFiles: false)
        let store = try SQLiteStore(path: project.databaseURL)
        let fails = try Self.queue(store, project, catalog, "fails")
        let again = try Self.queue(store, project, catalog, "again")
        func invocation(_ pipeline: String, _ run: Int64, _ block: String) -> String {
            project.blockRunDirectory(pipeline: pipeline, runID: run, block: block).appendingPathComponent(BlockInvocation.fileName).path
        }

        // The first dispatcher claims both runs; their blocks sleep in their own processes. Then SIGKILL.
        let first = try Dispatcher(project, plugins: plugins)
        try await Self.wait("both blocks sleep") {
            !TestEnvironment.processes(commandLineContaining: invocation("fails", fails, "nap")).isEmpty
                && !TestEnvironment.processes(commandLineContaining: invocation("again", again, "nap")).isEmpty
                && FileManager.default.fileExists(atPath: markers.appendingPathComponent("again").path)
        }
        kill(first.process.processIdentifier, SIGKILL)
        try await Self.wait("the killed dispatcher is gone") { !first.process.isRunning }
        try await Self.wait("the block processes die with their host") {
            TestEnvironment.processes(commandLineContaining: invocation("fails", fails, "nap")).isEmpty
                && TestEnvironment.processes(commandLineContaining: invocation("again", again, "nap")).isEmpty
        }
        #expect(try store.pipelineRunGet(id: fails)?.status == .running, "nothing finished the runs of the killed process")

        // The next dispatcher rescues them once their lease runs out.
        let second = try Dispatcher(project, plugins: plugins, arguments: ["--grace-period", "1"])
        try await Self.wait("both runs are finished") {
            try [fails, again].allSatisfy { try store.pipelineRunGet(id: $0)?.status.isFinished == true }
        }
        let failed = try #require(try store.pipelineRunGet(id: fails))
        #expect(failed.status == .failed && failed.hostFailures == 1)
        let blocks = try store.blockRunList(pipelineRunID: fails)
        #expect(blocks[0].status == .failed)
        #expect(blocks[0].error?.hasPrefix("its host process stopped (") == true, "\(blocks[0].error ?? "no error")")
        #expect(blocks[1].status == .cancelled && blocks[1].error?.hasPrefix("not run: its host process stopped") == true)
        let rerun = try #require(try store.pipelineRunGet(id: again))
        #expect(rerun.status == .completed, "\(second.output)")
        #expect(rerun.hostFailures == 1 && rerun.owner != failed.owner, "re-queued, then run by the second dispatcher")

        // Later runs work.
        let quick = try Self.queue(store, project, catalog, "quick")
        try await Self.wait("the next run completes") { try store.pipelineRunGet(id: quick)?.status.isFinished == true }
        #expect(try store.pipelineRunGet(id: quick)?.status == .completed)

        // SIGTERM: the dispatcher stops claiming, gives its running run the grace period, then cancels it.
        let hang = try Self.queue(store, project, catalog, "hang")
        try await Self.wait("the hanging block runs") { !TestEnvironment.processes(commandLineContaining: invocation("hang", hang, "hang")).isEmpty }
        kill(second.process.processIdentifier, SIGTERM)
        try await Self.wait("the dispatcher exits") { !second.process.isRunning }
        #expect(second.process.terminationStatus == 0, "\(second.output)")
        #expect(try store.pipelineRunGet(id: hang)?.status == .cancelled)
        #expect(try store.pipelineRunCount(PipelineRunFilter(statuses: [.running])) == 0, "nothing is left running")
        #expect(TestEnvironment.processes(commandLineContaining: invocation("hang", hang, "hang")).isEmpty)
    }
}
