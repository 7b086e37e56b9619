import Foundation

/// Finishes the runs whose owner stopped: a run `running` whose lease ran out (the process was killed,
/// the machine lost power) is failed, with each block that was running failed for the reason "its host
/// process stopped" and each that never started cancelled; or, when the pipeline asks for it
/// (`retry_on_host_failure: true`), put back to `initial` with its unfinished blocks reset, at most
/// `maxHostFailures` times. Every rescue is one guarded transition: a run whose owner renews in between
/// is left alone.
public struct RunRescuer: Sendable {
    public let store: any MetadataStore
    public let maxHostFailures: Int

    public init(store: any MetadataStore, maxHostFailures: Int = 3) {
        self.store = store
        self.maxHostFailures = maxHostFailures
    }

    public struct Rescue: Sendable, Equatable, CustomStringConvertible {
        public var runID: Int64
        public var owner: String?
        public var requeued: Bool

        public var description: String {
            "run \(runID) of \(owner ?? "a process from before leases") \(requeued ? "re-queued" : "failed"): its host process stopped"
        }
    }

    /// Rescues every run whose lease ran out before `now`.
    @discardableResult
    public func rescue(now: Date = Date()) throws -> [Rescue] {
        var done: [Rescue] = []
        for run in try store.pipelineRunsLeaseExpired(at: now, limit: 100) {
            let requeue = run.retryOnHostFailure && run.hostFailures < maxHostFailures
            let reason = "its host process stopped (\(run.owner ?? "a process from before leases")"
                + (run.leaseExpiresAt.map { ", lease ran out at \(ISO8601DateFormatter().string(from: $0))" } ?? "") + ")"
            var changes: [BlockRunChange] = []
            for block in try store.blockRunList(pipelineRunID: run.id) where !block.status.isFinished {
                var state = BlockRunState(retry: RetryPolicy.none, status: block.status, attempts: block.attempts)
                if requeue && block.status == .initial { continue }
                try state.handle(requeue ? .reset : .hostStopped)
                let error = state.status == .failed ? reason : state.status == .cancelled ? "not run: \(reason)" : nil
                changes.append(BlockRunChange(block: block.block, from: block.status, to: state.status, error: error))
            }
            var runState = PipelineRunState(status: .running)
            try runState.handle(.hostStopped(requeue: requeue))
            let moved = try store.pipelineRunTransition(RunTransition(
                runID: run.id, from: .running, owner: run.owner, leaseExpiredBefore: now, to: runState.status,
                blocks: changes, hostFailure: true, at: now))
            if moved { done.append(Rescue(runID: run.id, owner: run.owner, requeued: requeue)) }
        }
        return done
    }
}
