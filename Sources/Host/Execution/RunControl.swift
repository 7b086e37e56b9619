import Foundation

/// What a person (the web API, the UI) does to a run from any process: cancel it, or run its failed
/// blocks again. Both go through the store: a run not yet claimed moves at once; a running run is
/// flagged, and its owner acts on the flag when it next renews its lease.
public struct RunControl: Sendable {
    public let store: any MetadataStore

    public init(store: any MetadataStore) {
        self.store = store
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notFound(Int64)
        /// The run is not in a status the action applies to.
        case conflict(String)

        public var description: String {
            switch self {
            case .notFound(let id): "no pipeline run \(id)"
            case .conflict(let message): message
            }
        }
    }

    /// Cancels a run: one not yet claimed is cancelled now, with its blocks; a running one is flagged.
    @discardableResult
    public func cancel(_ id: Int64, at: Date = Date()) throws -> PipelineRun {
        let run = try existing(id)
        guard !run.status.isFinished else {
            throw Refusal.conflict("run \(id) is \(run.status.rawValue); only an initial or running run can be cancelled")
        }
        _ = try store.pipelineRunRequestCancel(id: id)
        if run.status == .initial {
            var runState = PipelineRunState(status: .initial)
            try runState.handle(.cancel)
            let changes = try blockChanges(id, where: { !$0.isFinished }, event: .cancel, error: "cancelled before it started")
            // If a dispatcher claimed it in between, this does not happen and the flag reaches the owner.
            _ = try store.pipelineRunTransition(RunTransition(runID: id, from: .initial, owner: nil, to: runState.status,
                                                              blocks: changes, at: at))
        }
        return try existing(id)
    }

    /// Puts a failed or cancelled run back in the queue with its failed, cancelled and upstream-failed
    /// blocks reset; its completed blocks keep their outputs and are not run again.
    @discardableResult
    public func retryFailedBlocks(_ id: Int64, at: Date = Date()) throws -> PipelineRun {
        let run = try existing(id)
        var runState = PipelineRunState(status: run.status)
        do {
            try runState.handle(.retry)
        } catch {
            throw Refusal.conflict("run \(id) is \(run.status.rawValue); only a failed or cancelled run can retry its blocks")
        }
        let changes = try blockChanges(id, where: { $0 == .failed || $0 == .cancelled || $0 == .upstreamFailed }, event: .reset)
        guard try store.pipelineRunTransition(RunTransition(runID: id, from: run.status, owner: run.owner, to: runState.status,
                                                            blocks: changes, at: at)) else {
            throw Refusal.conflict("run \(id) changed while it was being retried; read it again")
        }
        return try existing(id)
    }

    private func existing(_ id: Int64) throws -> PipelineRun {
        guard let run = try store.pipelineRunGet(id: id) else { throw Refusal.notFound(id) }
        return run
    }

    private func blockChanges(_ id: Int64, where selected: (BlockRunStatus) -> Bool, event: BlockRunState.Event,
                              error: String? = nil) throws -> [BlockRunChange] {
        try store.blockRunList(pipelineRunID: id).filter { selected($0.status) }.map { block in
            var state = BlockRunState(retry: .none, status: block.status, attempts: block.attempts)
            try state.handle(event)
            return BlockRunChange(block: block.block, from: block.status, to: state.status, error: error)
        }
    }
}
