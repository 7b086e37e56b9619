import Foundation

/// Executes one run its process holds (claimed by a dispatcher, or created claimed by `mage run`):
/// blocks in dependency order, independent ones at once as executor slots allow, each attempt a
/// `BlockAttempt`, each outcome a guarded write through `RunCompleter`. Blocks already completed in the
/// run (a retry of its failed blocks) keep their outputs. Cancelling the task cancels the run; losing
/// the run (`RunLost`) stops its blocks and writes nothing more.
struct RunExecution: Sendable {
    let project: Project
    let catalog: PluginCatalog
    let store: any MetadataStore
    let options: ExecutionOptions
    let pool: ExecutorPool
    let owner: String
    /// Whether the run was stopped for running past its trigger's timeout (asked once it has stopped).
    var timedOut: @Sendable () -> Bool = { false }

    private enum Child: Sendable {
        case attempt(String, BlockAttempt.Outcome)
        /// A retry's time came.
        case timer
    }

    func execute(_ run: PipelineRun, pipeline: Pipeline, onEvent: @escaping @Sendable (ExecutionEvent) -> Void) async throws -> PipelineRunSummary {
        let rows = try store.blockRunList(pipelineRunID: run.id)
        let code = CodeLineage.capture(project: project, pipeline: pipeline, catalog: catalog)
        try store.pipelineRunSetCode(id: run.id, code: code)
        let completer = RunCompleter(project: project, store: store, owner: owner, run: run, pipeline: pipeline, code: code)
        var board = RunBoard(states: [:])
        for row in rows {
            board.states[row.block] = BlockRunState(retry: pipeline.block(row.block)?.retry ?? RetryPolicy.none, status: row.status,
                                                    attempts: row.attempts)
            if row.status == .completed { board.outputs[row.block] = .some(row.outputPath) }
        }
        onEvent(.runStarted(runID: run.id, pipeline: pipeline.uuid))
        do {
            let selected = try runnableBlocks(rows, pipeline: pipeline, board: &board, completer: completer)
            try await loop(selected, pipeline: pipeline, run: run, board: &board, completer: completer, onEvent: onEvent)
            if timedOut(), let trigger = run.trigger, let seconds = trigger.timeout {
                _ = try completer.finish(&board, reason: "timed out: the run took longer than its trigger's timeout of \(seconds) s",
                                         ending: trigger.timeoutStatus == .cancelled ? .cancel : .abort, timedOut: true)
            } else {
                _ = try completer.finish(&board)
            }
        } catch let lost as RunLost {
            throw lost
        } catch {
            // Anything else (the store failing, say) ends the run failed rather than leaving it running.
            _ = try? completer.finish(&board, reason: "the run stopped: \(MageError.describe(error))")
            throw error
        }
        return PipelineRunSummary(run: try store.pipelineRunGet(id: run.id) ?? run, blocks: try store.blockRunList(pipelineRunID: run.id))
    }

    /// The run's blocks that the pipeline still defines, with the outputs of upstream blocks outside the
    /// run (a one-block run) from their latest completed runs. Blocks that cannot run are failed here.
    private func runnableBlocks(_ rows: [BlockRun], pipeline: Pipeline, board: inout RunBoard,
                                completer: RunCompleter) throws -> [Block] {
        let inRun = Set(rows.map(\.block))
        var selected: [Block] = []
        for row in rows where !row.status.isFinished {
            guard let block = pipeline.block(row.block) else {
                try completer.move(&board, row.block, .cancel) { update, _ in
                    update.completedAt = Date()
                    update.error = "the pipeline no longer has block '\(row.block)'"
                }
                continue
            }
            selected.append(block)
            for up in block.upstream where !inRun.contains(up) && board.outputs[up] == nil {
                guard let previous = try store.blockRunLatestCompleted(pipeline: pipeline.uuid, block: up) else {
                    throw MageError.usage("block '\(block.uuid)' needs the output of '\(up)', which has never completed; run the whole pipeline first")
                }
                board.outputs[up] = .some(previous.outputPath)
            }
        }
        // Blocks queued in the store (a retry waiting for its time) go back to the queue, due when they were.
        for row in rows where row.status == .queued {
            if let block = pipeline.block(row.block) { board.pending.append((block, row.nextAttemptAt ?? .distantPast)) }
        }
        return selected
    }

    private func loop(_ selected: [Block], pipeline: Pipeline, run: PipelineRun, board: inout RunBoard,
                      completer: RunCompleter, onEvent: @escaping @Sendable (ExecutionEvent) -> Void) async throws {
        let attempt = BlockAttempt(project: project, catalog: catalog, store: store, options: options)
        let pool = self.pool
        try await withThrowingTaskGroup(of: Child.self) { group in
            var running = 0
            var timerSet = false
            while !Task.isCancelled {
                try completer.settle(&board, selected, onEvent: onEvent)
                while let index = board.pending.firstIndex(where: { $0.notBefore <= Date() }) {
                    guard await pool.acquire() else { break }
                    let block = board.pending.remove(at: index).block
                    let logFile = project.blockRunDirectory(pipeline: pipeline.uuid, runID: run.id, block: block.uuid)
                        .appendingPathComponent("block.log")
                    let number = try completer.start(&board, block, logFile: logFile)
                    let inputs = block.upstream.map { board.outputs[$0] ?? nil }
                    running += 1
                    group.addTask {
                        defer { pool.release() }
                        let prepared: BlockAttempt.Prepared
                        do {
                            prepared = try attempt.prepare(block, pipeline: pipeline.uuid, run: run.id, attempt: number, inputs: inputs)
                        } catch {
                            return .attempt(block.uuid, .failed("cannot prepare the block's run folder: \(error)", nil))
                        }
                        onEvent(.blockStarted(block: block.uuid, attempt: number))
                        return .attempt(block.uuid, await attempt.run(block, prepared))
                    }
                }
                if Task.isCancelled { break }
                if !timerSet, let due = board.pending.map(\.notBefore).min(), due > Date() {
                    timerSet = true
                    group.addTask {
                        try? await Task.sleep(for: .seconds(max(0, due.timeIntervalSinceNow)))
                        return .timer
                    }
                }
                guard running > 0 || timerSet, let child = try await group.next() else { break }
                switch child {
                case .timer:
                    timerSet = false
                case .attempt(let uuid, let outcome):
                    running -= 1
                    try completer.complete(&board, uuid, outcome, cancelling: Task.isCancelled, onEvent: onEvent)
                }
            }
            // Cancelled: the attempts still running end now (their process groups are killed); what they
            // were is recorded as cancelled.
            group.cancelAll()
            while let child = try await group.next() {
                if case .attempt(let uuid, let outcome) = child {
                    try completer.complete(&board, uuid, outcome, cancelling: true, onEvent: onEvent)
                }
            }
        }
    }
}
