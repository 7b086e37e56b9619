import Foundation

/// A run its process no longer holds: its lease ran out (the process stalled) and a rescuer, or a
/// cancel of a run not yet claimed, moved it. The process stops it without writing anything more.
public struct RunLost: Error, CustomStringConvertible {
    public let runID: Int64
    public var description: String {
        "run \(runID) is no longer held by this process (its lease ran out and it was rescued, or it was moved by another process)"
    }
}

/// What one run's owner knows of its blocks: their states, the outputs they made, the attempts waiting
/// to start (a retry waits for its time here, holding no executor slot).
struct RunBoard {
    var states: [String: BlockRunState]
    var outputs: [String: String?] = [:]
    var pending: [(block: Block, notBefore: Date)] = []
    var startTimes: [String: Date] = [:]
    var reportedModels = Set<String>()
}

/// Turns every event of a run's blocks into one guarded write: the state machine decides the new
/// status, the store writes it only if the run is still held by `owner` and the block run still in the
/// status the machine moved it from. A write that does not happen means the run was lost: `RunLost`.
struct RunCompleter {
    let project: Project
    let store: any MetadataStore
    let owner: String
    let run: PipelineRun
    let pipeline: Pipeline
    let code: CodeLineage

    /// Moves one block through its state machine and writes the move.
    @discardableResult
    func move(_ board: inout RunBoard, _ uuid: String, _ event: BlockRunState.Event,
              _ fields: (inout BlockRunUpdate, BlockRunState.Action) -> Void = { _, _ in }) throws -> BlockRunState.Action {
        let from = board.states[uuid]!.status
        let action = try board.states[uuid]!.handle(event)
        var update = BlockRunUpdate(pipelineRunID: run.id, block: uuid, status: board.states[uuid]!.status)
        fields(&update, action)
        guard try store.blockRunTransition(update, from: from, owner: owner) else { throw RunLost(runID: run.id) }
        return action
    }

    /// Queues the blocks whose upstreams all completed and settles those below a failure.
    func settle(_ board: inout RunBoard, _ selected: [Block], onEvent: (ExecutionEvent) -> Void) throws {
        for block in selected where board.states[block.uuid]!.status == .initial {
            let upstream = block.upstream.map { board.states[$0]?.status ?? .completed }
            if upstream.contains(where: { $0 == .failed || $0 == .upstreamFailed || $0 == .cancelled }) {
                try move(&board, block.uuid, .upstreamFailed) { update, _ in update.completedAt = Date() }
                onEvent(.blockFinished(block: block.uuid, status: .upstreamFailed, seconds: 0, rows: nil, error: nil))
            } else if upstream.allSatisfy({ $0 == .completed }) {
                try move(&board, block.uuid, .enqueue)
                board.pending.append((block, Date.distantPast))
            }
        }
    }

    /// Records an attempt's start; returns its number.
    func start(_ board: inout RunBoard, _ block: Block, logFile: URL) throws -> Int {
        let attempt = board.states[block.uuid]!.attempts + 1
        board.startTimes[block.uuid] = board.startTimes[block.uuid] ?? Date()
        try move(&board, block.uuid, .start) { update, _ in
            update.attempts = attempt
            update.startedAt = Date()
            update.logPath = logFile.path
        }
        return attempt
    }

    /// Records an attempt's outcome: completed (with its data version), retried later, failed, or
    /// cancelled when the run is being cancelled.
    func complete(_ board: inout RunBoard, _ uuid: String, _ outcome: BlockAttempt.Outcome, cancelling: Bool,
                  onEvent: (ExecutionEvent) -> Void) throws {
        var outcome = outcome
        let elapsed = Date().timeIntervalSince(board.startTimes[uuid] ?? Date())
        let directory = project.blockRunDirectory(pipeline: pipeline.uuid, runID: run.id, block: uuid).path
        // Every loader output becomes a data version; if that fails, the attempt failed.
        var dataset: DatasetVersion?
        if case .succeeded(let result) = outcome, pipeline.block(uuid)?.type == .dataLoader, result.rows != nil {
            do {
                dataset = try DatasetVersioning(project: project, store: store)
                    .version(outputDirectory: URL(fileURLWithPath: directory), pipelineRunID: run.id, block: uuid)
            } catch {
                outcome = .failed("data versioning failed: \(MageError.describe(error))", result)
            }
        }
        switch outcome {
        case .succeeded(let result):
            let output = result.rows == nil ? nil : directory
            try move(&board, uuid, .succeed) { update, _ in
                update.completedAt = Date()
                update.outputPath = output
                update.facets = result.facets
            }
            board.outputs[uuid] = .some(output)
            onEvent(.blockFinished(block: uuid, status: .completed, seconds: elapsed, rows: result.rows, error: nil))
            let registered = try store.modelVersionList(pipelineRunID: run.id, limit: 100).filter { !board.reportedModels.contains($0.version) }
            board.reportedModels.formUnion(registered.map(\.version))
            onEvent(.blockReported(block: uuid, details: BlockDetails(
                dataset: dataset,
                facets: result.facets.compactMapValues { try? JSON.decode(ConfigValue.self, from: Data($0.utf8)) },
                registeredModels: registered, git: code.git)))
        case .failed where cancelling:
            try move(&board, uuid, .cancel) { update, _ in
                update.completedAt = Date()
                update.error = "cancelled"
            }
            onEvent(.blockFinished(block: uuid, status: .cancelled, seconds: elapsed, rows: nil, error: nil))
        case .failed(let reason, let result):
            let now = Date()
            let action = try move(&board, uuid, .fail) { update, action in
                update.error = reason
                switch action {
                case .retry(let after):
                    // The retry waits in the store: queued, not before its time.
                    update.nextAttemptAt = now.addingTimeInterval(after)
                default:
                    update.completedAt = now
                    update.facets = result?.facets
                }
            }
            if case .retry(let after) = action {
                board.pending.append((pipeline.block(uuid)!, now.addingTimeInterval(after)))
                onEvent(.blockRetrying(block: uuid, attempt: board.states[uuid]!.attempts, after: after, error: reason))
            } else {
                onEvent(.blockFinished(block: uuid, status: .failed, seconds: elapsed, rows: nil, error: reason))
            }
        }
    }

    /// Ends the run: blocks that never finished are cancelled (with `reason` when the run broke off),
    /// and the run takes the status its blocks give it, or, when it broke off, the one `ending` gives
    /// (failed by default), in one transition.
    func finish(_ board: inout RunBoard, reason: String? = nil, ending: PipelineRunState.Event = .abort,
                timedOut: Bool = false) throws -> PipelineRunStatus {
        var changes: [BlockRunChange] = []
        for (uuid, state) in board.states.sorted(by: { $0.key < $1.key }) where !state.status.isFinished {
            try board.states[uuid]!.handle(.cancel)
            changes.append(BlockRunChange(block: uuid, from: state.status, to: .cancelled, error: reason))
        }
        var runState = PipelineRunState(status: .running)
        try runState.handle(reason == nil ? .blocksFinished(board.states.values.map(\.status)) : ending)
        guard try store.pipelineRunTransition(RunTransition(runID: run.id, from: .running, owner: owner, to: runState.status,
                                                            blocks: changes, timedOut: timedOut)) else {
            throw RunLost(runID: run.id)
        }
        return runState.status
    }
}
