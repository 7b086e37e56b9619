import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// A run whose end cannot be written (its PostgreSQL server is down when its block finishes, longer than
/// the store waits) is not left `running` under a dispatcher that renews its lease for as long as it
/// lives: once the server is back, the dispatcher finds the run it holds but no longer executes and
/// fails it with the reason.
@Suite struct OrphanedRunTests {
    @Test func aRunWhoseEndCouldNotBeWrittenIsFailedOnceTheStoreIsBack() async throws {
        let server = try PostgresServer.privateServer()
        try server.psql("CREATE DATABASE orphans")
        let url = server.url.replacingOccurrences(of: "/\(server.database)", with: "/orphans")
        var reconnect = PostgresReconnect()
        reconnect.maxWait = 0.5
        let store = try PostgresStore(url: url, reconnect: reconnect)
        let markers = try TemporaryFolder.make("markers")
        let plugins = try TestEnvironment.pluginDirectory(fixtures: ["sleep_first"])
        let project = try TestEnvironment.project(pipelines: ["p": """
            blocks:
            - {uuid: nap, type: transformer, plugin: sleep_first, configuration: {marker_file: \(markers.path)/nap, seconds: 3}}
            """])
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["nap"]))
        let dispatcher = RunDispatcher(project: project, catalog: PluginCatalog(directories: [plugins], hashFiles: false), store: store,
                                       options: ExecutionOptions(workerExecutable: TestEnvironment.mage, pluginDirectories: [plugins],
                                                                 executorCount: 1),
                                       timing: LeaseTiming(duration: 30, renewEvery: 0.2), pollEvery: 0.2)
        let task = Task { await dispatcher.run() }
        defer { task.cancel() }
        try await RescueTests.wait("the nap runs") { try store.blockRunList(pipelineRunID: run.id).first?.status == .running }
        // Down while the block sleeps: its end (and the run's) cannot be written.
        try server.stop()
        // The block ends within seconds; its writes fail after the store's half-second wait, and the execution gives up.
        try await RescueTests.wait("the execution gives up") { dispatcher.activeRuns == 0 }
        try server.restart()
        try await RescueTests.wait("the run is finished") { (try? store.pipelineRunGet(id: run.id))?.status.isFinished == true }
        dispatcher.stop(grace: 0)
        await task.value
        let finished = try #require(try store.pipelineRunGet(id: run.id))
        let block = try #require(try store.blockRunList(pipelineRunID: run.id).first)
        #expect(finished.status == .failed && finished.owner == dispatcher.owner)
        #expect(block.status == .cancelled && block.error?.contains("the run stopped and its end could not be written: PostgreSQL is unavailable") == true,
                "\(block.status) \(block.error ?? "")")
    }
}
