import Foundation

/// Claims the runs waiting in the store and executes them, up to `maxRuns` at once on one shared
/// executor pool. While it holds runs it renews their lease, and acts on cancel requests made anywhere;
/// it also rescues runs whose owner stopped. It claims when woken (a run created in this process) and
/// otherwise every `pollEvery` seconds (runs created by other processes).
public final class RunDispatcher: @unchecked Sendable {
    public let owner: String
    let project: Project
    let catalog: PluginCatalog
    let store: any MetadataStore
    let options: ExecutionOptions
    let timing: LeaseTiming
    let pollEvery: Double
    let maxRuns: Int
    let pool: ExecutorPool
    let log: @Sendable (String) -> Void

    private let lock = NSLock()
    private var running: [Int64: (task: Task<Void, Never>, claimedAt: Date)] = [:]
    private var stopping = false
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    public init(project: Project, catalog: PluginCatalog, store: any MetadataStore, options: ExecutionOptions,
                timing: LeaseTiming = LeaseTiming(), pollEvery: Double = 1, maxRuns: Int? = nil,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        owner = RunOwner.make()
        self.project = project
        self.catalog = catalog
        self.store = store
        self.options = options
        self.timing = timing
        self.pollEvery = pollEvery
        self.maxRuns = max(1, maxRuns ?? options.executorCount)
        pool = ExecutorPool(slots: options.executorCount)
        self.log = log
        (wakeups, wakeup) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Claims at once rather than at the next poll.
    public func wake() { wakeup.yield() }

    /// Runs in flight in this process.
    public var activeRuns: Int { lock.withLock { running.count } }

    /// Stops claiming; the runs in flight get `grace` seconds to finish, then are cancelled. `run()`
    /// returns once none is left.
    public func stop(grace: Double) {
        let tasks: [Task<Void, Never>] = lock.withLock {
            stopping = true
            return running.values.map(\.task)
        }
        wakeup.yield()
        Task {
            try? await Task.sleep(for: .seconds(grace))
            for task in tasks { task.cancel() }
            self.lock.withLock { self.running.values.forEach { $0.task.cancel() } }
        }
    }

    public func run() async {
        let keeper = Task { [store, owner, timing] in
            await LeaseKeeper.keep(store: store, owner: owner, timing: timing) { holds, began in self.renewed(holds, began: began) }
        }
        defer { keeper.cancel() }
        var lastRescue = Date.distantPast
        var wakeups = self.wakeups.makeAsyncIterator()
        while true {
            // Cancelled (its service group is going down hard): cancel the runs and wait for them to end.
            if Task.isCancelled {
                let tasks: [Task<Void, Never>] = lock.withLock {
                    stopping = true
                    return running.values.map(\.task)
                }
                for task in tasks { task.cancel() }
                for task in tasks { await task.value }
                return
            }
            let (isStopping, idle) = lock.withLock { (stopping, running.isEmpty) }
            if isStopping {
                if idle { return }
            } else {
                if Date().timeIntervalSince(lastRescue) >= pollEvery {
                    lastRescue = Date()
                    do {
                        for rescue in try RunRescuer(store: store).rescue() { log(rescue.description) }
                    } catch {
                        log("rescue failed: \(MageError.describe(error))")
                    }
                }
                claimWhileRoom()
            }
            // The next wake-up, a run ending, or the poll: whichever comes first.
            let poll = Task { [wakeup, pollEvery] in
                try? await Task.sleep(for: .seconds(pollEvery))
                wakeup.yield()
            }
            _ = await wakeups.next()
            poll.cancel()
        }
    }

    private func claimWhileRoom() {
        while lock.withLock({ !stopping && running.count < maxRuns }) {
            let claimed: PipelineRun?
            do {
                claimed = try store.pipelineRunClaim(timing.lease(owner), at: Date())
            } catch {
                log("claim failed: \(MageError.describe(error))")
                return
            }
            guard let run = claimed else { return }
            start(run, claimedAt: Date())
        }
    }

    private func start(_ run: PipelineRun, claimedAt: Date) {
        lock.withLock {
            let task = Task {
                await self.execute(run)
                self.lock.withLock { _ = self.running.removeValue(forKey: run.id) }
                self.wakeup.yield()
            }
            running[run.id] = (task, claimedAt)
        }
    }

    private func execute(_ run: PipelineRun) async {
        log("run \(run.id) of pipeline '\(run.pipeline)' claimed")
        let pipeline: Pipeline
        do {
            pipeline = try PipelineLoader(project: project, catalog: catalog).load(run.pipeline, variables: run.variables)
        } catch {
            abandon(run, reason: "the pipeline could not be loaded: \(MageError.describe(error))")
            return
        }
        let timeout = TimeoutFlag()
        var configured = RunExecution(project: project, catalog: catalog, store: store, options: options, pool: pool, owner: owner)
        configured.timedOut = { timeout.isSet }
        let execution = configured
        let deadline = run.trigger?.timeout.map { (run.startedAt ?? Date()).addingTimeInterval($0) }
        do {
            // The run races its trigger's timeout: when the deadline comes first, the run is cancelled and ends timed out.
            let summary = try await withThrowingTaskGroup(of: PipelineRunSummary?.self) { group in
                group.addTask { try await execution.execute(run, pipeline: pipeline) { _ in } }
                if let deadline {
                    group.addTask {
                        try await Task.sleep(for: .seconds(max(0, deadline.timeIntervalSinceNow)))
                        timeout.set()
                        return nil
                    }
                }
                while let result = try await group.next() {
                    guard let summary = result else { group.cancelAll(); continue }
                    group.cancelAll()
                    return summary
                }
                throw CancellationError()
            }
            log("run \(run.id) of pipeline '\(run.pipeline)' \(summary.run.status.rawValue)\(timeout.isSet ? " (timed out)" : "")")
        } catch {
            log("run \(run.id) of pipeline '\(run.pipeline)' stopped: \(MageError.describe(error))")
        }
    }

    /// Set once, read from any thread: a run's timeout came.
    private final class TimeoutFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    /// Fails a claimed run that cannot start, its blocks cancelled with the reason.
    private func abandon(_ run: PipelineRun, reason: String) {
        log("run \(run.id) of pipeline '\(run.pipeline)' failed: \(reason)")
        do {
            var changes: [BlockRunChange] = []
            for block in try store.blockRunList(pipelineRunID: run.id) where !block.status.isFinished {
                var state = BlockRunState(retry: RetryPolicy.none, status: block.status, attempts: block.attempts)
                try state.handle(.cancel)
                changes.append(BlockRunChange(block: block.block, from: block.status, to: state.status, error: reason))
            }
            var runState = PipelineRunState(status: .running)
            try runState.handle(.abort)
            _ = try store.pipelineRunTransition(RunTransition(runID: run.id, from: .running, owner: owner, to: runState.status,
                                                              blocks: changes))
        } catch {
            log("run \(run.id): \(MageError.describe(error))")
        }
    }

    /// After each renewal: runs this process no longer holds, or someone asked to cancel, are cancelled
    /// (a lost run's writes are refused, so it stops without writing).
    private func renewed(_ holds: [LeaseHold], began: Date) {
        let held = Dictionary(holds.map { ($0.runID, $0.cancelRequested) }, uniquingKeysWith: { $0 || $1 })
        let toCancel: [Task<Void, Never>] = lock.withLock {
            running.compactMap { id, entry in
                entry.claimedAt < began && held[id] != false ? entry.task : nil
            }
        }
        for task in toCancel { task.cancel() }
    }
}
