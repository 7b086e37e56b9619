import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// The dispatcher over a real store and real plugins in real block processes: runs queued in the store
/// are claimed, executed and finished once each; cancel requests, retries of failed blocks and runs
/// whose owner died are handled through the store.
@Suite struct RunDispatcherTests {
    struct Harness {
        let project: Project
        let catalog: PluginCatalog
        let store: SQLiteStore
        let pluginDirectory: URL

        init(pipelines: [String: String], fixtures: [String], executorCount: Int = 4) throws {
            pluginDirectory = try TestEnvironment.pluginDirectory(fixtures: fixtures)
            project = try TestEnvironment.project(pipelines: pipelines, executorCount: executorCount)
            catalog = PluginCatalog(directories: [pluginDirectory], hashFiles: false)
            store = try SQLiteStore(path: project.databaseURL)
        }

        func dispatcher(maxRuns: Int? = nil, lease: Double = 30) -> RunDispatcher {
            RunDispatcher(project: project, catalog: catalog, store: store, options: ExecutionOptions(
                workerExecutable: TestEnvironment.mage, pluginDirectories: [pluginDirectory], executorCount: project.executorCount),
                timing: LeaseTiming(duration: lease, renewEvery: 0.2), pollEvery: 0.2, maxRuns: maxRuns)
        }

        func queue(_ pipeline: String) throws -> PipelineRun {
            let loaded = try PipelineLoader(project: project, catalog: catalog).load(pipeline)
            return try store.pipelineRunCreate(PipelineRunCreateParams(
                pipeline: pipeline, variables: loaded.variables, blocks: loaded.blocks.map(\.uuid), retryOnHostFailure: loaded.retryOnHostFailure))
        }

        /// Runs the dispatcher until `done` holds (or 120 s pass), then stops it.
        func dispatch(_ dispatcher: RunDispatcher, until done: @escaping @Sendable () throws -> Bool) async throws {
            let task = Task { await dispatcher.run() }
            let deadline = Date().addingTimeInterval(120)
            while try !done(), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            dispatcher.stop(grace: 0)
            await task.value
        }

        func finished(_ ids: [Int64]) throws -> Bool {
            try ids.allSatisfy { try store.pipelineRunGet(id: $0)?.status.isFinished == true }
        }
    }

    static let twoBlocks = """
        blocks:
        - {uuid: load, type: data_loader, plugin: c_numbers, configuration: {rows: 3}}
        - {uuid: copy, type: transformer, plugin: c_passthrough, upstream_blocks: [load]}
        """

    @Test func queuedRunsAreEachClaimedAndCompletedOnce() async throws {
        // In process: this is about claims, and 40 block processes are slow on a busy machine.
        let harness = try Harness(pipelines: ["p": "isolation: in_process\n" + Self.twoBlocks], fixtures: ["c_features"])
        let ids = try (0..<20).map { _ in try harness.queue("p").id }
        let dispatcher = harness.dispatcher(maxRuns: 4)
        try await harness.dispatch(dispatcher) { try harness.finished(ids) }
        for id in ids {
            let run = try #require(try harness.store.pipelineRunGet(id: id))
            let blocks = try harness.store.blockRunList(pipelineRunID: id)
            #expect(run.status == .completed, "run \(id): \(blocks.map { "\($0.block) \($0.status) \($0.error ?? "")" })")
            #expect(run.owner == dispatcher.owner)
            #expect(try harness.store.blockRunList(pipelineRunID: id).allSatisfy { $0.status == .completed && $0.attempts == 1 })
        }
        #expect(dispatcher.activeRuns == 0)
    }

    @Test func aCancelRequestedFromAnotherProcessStopsTheRunAndItsBlockProcess() async throws {
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: hang, type: transformer, plugin: hang_forever, timeout: 60}
            """], fixtures: ["faulty"])
        let run = try harness.queue("p")
        let store = harness.store
        let invocation = harness.project.blockRunDirectory(pipeline: "p", runID: run.id, block: "hang")
            .appendingPathComponent(BlockInvocation.fileName).path
        let canceller = Task {
            while try store.blockRunList(pipelineRunID: run.id).first?.status != .running
                    || TestEnvironment.processes(commandLineContaining: invocation).isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            // Another process's view of the store: a second connection, as the web server would have.
            try RunControl(store: try SQLiteStore(path: harness.project.databaseURL)).cancel(run.id)
        }
        try await harness.dispatch(harness.dispatcher()) { try harness.finished([run.id]) }
        try await canceller.value
        let ended = try #require(try store.pipelineRunGet(id: run.id))
        #expect(ended.status == .cancelled)
        #expect(try store.blockRunList(pipelineRunID: run.id).first?.status == .cancelled)
        #expect(TestEnvironment.processes(commandLineContaining: invocation).isEmpty, "the block's process was killed")
    }

    @Test func cancellingARunNotYetClaimedCancelsItAtOnce() throws {
        let harness = try Harness(pipelines: ["p": Self.twoBlocks], fixtures: ["c_features"])
        let run = try harness.queue("p")
        let cancelled = try RunControl(store: harness.store).cancel(run.id)
        #expect(cancelled.status == .cancelled && cancelled.cancelRequested)
        #expect(try harness.store.blockRunList(pipelineRunID: run.id).allSatisfy { $0.status == .cancelled && $0.error == "cancelled before it started" })
        #expect(throws: RunControl.Refusal.conflict("run \(run.id) is cancelled; only an initial or running run can be cancelled")) {
            try RunControl(store: harness.store).cancel(run.id)
        }
        #expect(throws: RunControl.Refusal.notFound(999)) { try RunControl(store: harness.store).cancel(999) }
    }

    @Test func retryingFailedBlocksRunsThemAgainAndKeepsTheCompletedOnes() async throws {
        let counter = try TemporaryFolder.make().appendingPathComponent("count")
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: load, type: data_loader, plugin: c_numbers, configuration: {rows: 3}}
            - {uuid: flaky, type: transformer, plugin: flaky, upstream_blocks: [load], configuration: {counter_file: \(counter.path), succeed_on: 2}}
            - {uuid: copy, type: transformer, plugin: c_passthrough, upstream_blocks: [flaky]}
            """], fixtures: ["c_features", "flaky"])
        let run = try harness.queue("p")
        try await harness.dispatch(harness.dispatcher()) { try harness.finished([run.id]) }
        #expect(try harness.store.pipelineRunGet(id: run.id)?.status == .failed)
        #expect(try harness.store.blockRunList(pipelineRunID: run.id).map(\.status) == [.completed, .failed, .upstreamFailed])
        let loadFirst = try #require(try harness.store.blockRunList(pipelineRunID: run.id).first)

        #expect(try RunControl(store: harness.store).retryFailedBlocks(run.id).status == .initial)
        #expect(throws: RunControl.Refusal.self) { try RunControl(store: harness.store).retryFailedBlocks(run.id) }
        try await harness.dispatch(harness.dispatcher()) { try harness.finished([run.id]) }
        #expect(try harness.store.pipelineRunGet(id: run.id)?.status == .completed)
        let blocks = try harness.store.blockRunList(pipelineRunID: run.id)
        #expect(blocks.map(\.status) == [.completed, .completed, .completed])
        #expect(blocks[0] == loadFirst, "the completed loader was not run again")
        #expect(blocks[1].attempts == 1, "the retried block starts a fresh count")
    }

    @Test func aRetryWaitingForItsTimeHoldsNoExecutorSlot() async throws {
        let counter = try TemporaryFolder.make().appendingPathComponent("count")
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - uuid: flaky
              type: transformer
              plugin: flaky
              configuration: {counter_file: \(counter.path), succeed_on: 2}
              retry_config: {retries: 1, delay: 2}
            - {uuid: other, type: data_loader, plugin: c_numbers, configuration: {rows: 2}}
            """], fixtures: ["c_features", "flaky"], executorCount: 1)
        let run = try harness.queue("p")
        let store = harness.store
        let sawWaiting = Locked(false)
        try await harness.dispatch(harness.dispatcher()) {
            if let flaky = try store.blockRunList(pipelineRunID: run.id).first(where: { $0.block == "flaky" }),
               flaky.status == .queued, flaky.nextAttemptAt != nil { sawWaiting.set(true) }
            return try harness.finished([run.id])
        }
        let blocks = try store.blockRunList(pipelineRunID: run.id)
        let flaky = try #require(blocks.first { $0.block == "flaky" }), other = try #require(blocks.first { $0.block == "other" })
        #expect(flaky.status == .completed && flaky.attempts == 2)
        #expect(other.status == .completed)
        #expect(sawWaiting.value, "the retry waited in the store, queued with its time")
        // One slot: had the wait held it, the other block could only have run after the retry.
        #expect(try #require(other.completedAt) < (try #require(flaky.completedAt)))
    }

    @Test func runsWhoseOwnerStoppedAreFailedOrRequeuedAndRunAgain() async throws {
        let harness = try Harness(pipelines: ["p": Self.twoBlocks, "again": "retry_on_host_failure: true\n" + Self.twoBlocks],
                                  fixtures: ["c_features"])
        // Two runs left running by an owner whose lease ran out a second ago, their loader mid-attempt.
        let expired = Lease(owner: "dead-host/123/abcd", until: Date().addingTimeInterval(-1))
        var ids: [Int64] = []
        for pipeline in ["p", "again"] {
            let loaded = try PipelineLoader(project: harness.project, catalog: harness.catalog).load(pipeline)
            let run = try harness.store.pipelineRunCreate(PipelineRunCreateParams(
                pipeline: pipeline, variables: [:], blocks: ["load", "copy"], retryOnHostFailure: loaded.retryOnHostFailure, lease: expired))
            #expect(try harness.store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "load", status: .running, attempts: 1,
                                                                        startedAt: Date()), from: .initial, owner: expired.owner))
            ids.append(run.id)
        }
        let queued = ids
        try await harness.dispatch(harness.dispatcher()) { try harness.finished(queued) }
        let failed = try #require(try harness.store.pipelineRunGet(id: ids[0]))
        #expect(failed.status == .failed && failed.hostFailures == 1)
        let blocks = try harness.store.blockRunList(pipelineRunID: ids[0])
        #expect(blocks[0].status == .failed && blocks[0].error?.hasPrefix("its host process stopped (dead-host/123/abcd") == true)
        #expect(blocks[1].status == .cancelled && blocks[1].error?.hasPrefix("not run: its host process stopped") == true)

        let rerun = try #require(try harness.store.pipelineRunGet(id: ids[1]))
        #expect(rerun.status == .completed && rerun.hostFailures == 1)
        #expect(try harness.store.blockRunList(pipelineRunID: ids[1]).allSatisfy { $0.status == .completed && $0.attempts == 1 })
    }
}

/// A value several tasks read and write.
final class Locked<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.withLock { stored } }
    func set(_ value: T) { lock.withLock { stored = value } }
}
