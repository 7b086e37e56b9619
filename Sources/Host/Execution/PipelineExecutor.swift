import Foundation

/// Runs a pipeline: blocks in dependency order, independent ones at once (up to the executor count),
/// each attempt isolated in a child process unless the block opts out, with retries and timeouts. Every
/// status change goes through `BlockRunState` and is written to the store as it happens.
public struct PipelineExecutor: Sendable {
    public let project: Project
    public let catalog: PluginCatalog
    public let store: any MetadataStore
    public let options: ExecutionOptions

    public init(project: Project, catalog: PluginCatalog, store: any MetadataStore, options: ExecutionOptions) {
        self.project = project
        self.catalog = catalog
        self.store = store
        self.options = options
    }

    private enum Outcome: Sendable {
        case succeeded(BlockResult)
        case failed(String, BlockResult?)
    }

    public func run(_ pipeline: Pipeline,
                    onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }) async throws -> PipelineRunSummary {
        let selected = try selectedBlocks(pipeline)
        let selectedIDs = Set(selected.map(\.uuid))
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(
            pipeline: pipeline.uuid, variables: pipeline.variables, blocks: selected.map(\.uuid)))
        let code = CodeLineage.capture(project: project, pipeline: pipeline, catalog: catalog)
        try store.pipelineRunSetCode(id: run.id, code: code)
        var runState = PipelineRunState()
        try runState.handle(.start)
        try store.pipelineRunSetStatus(id: run.id, status: runState.status, at: Date())
        onEvent(.runStarted(runID: run.id, pipeline: pipeline.uuid))

        // Upstream outputs from earlier runs, for blocks outside this run.
        var outputs: [String: String?] = [:]
        for block in selected {
            for up in block.upstream where !selectedIDs.contains(up) {
                guard let previous = try store.blockRunLatestCompleted(pipeline: pipeline.uuid, block: up) else {
                    throw MageError.usage("block '\(block.uuid)' needs the output of '\(up)', which has never completed; run the whole pipeline first")
                }
                outputs[up] = .some(previous.outputPath)
            }
        }

        var states = Dictionary(uniqueKeysWithValues: selected.map { ($0.uuid, BlockRunState(retry: $0.retry)) })
        var startTimes: [String: Date] = [:]
        var pending: [(block: Block, delay: Double)] = []
        var running = 0
        var reportedModels = Set<String>()

        try await withThrowingTaskGroup(of: (String, Outcome).self) { group in
            while !Task.isCancelled {
                // Settle blocks whose upstreams are all done: queue them, or mark them upstream_failed.
                for block in selected where states[block.uuid]!.status == .initial {
                    let upstreamStatuses = block.upstream.map { states[$0]?.status ?? .completed }
                    if upstreamStatuses.contains(where: { $0 == .failed || $0 == .upstreamFailed || $0 == .cancelled }) {
                        try states[block.uuid]!.handle(.upstreamFailed)
                        try store.blockRunUpdate(BlockRunUpdate(pipelineRunID: run.id, block: block.uuid,
                                                                status: .upstreamFailed, completedAt: Date()))
                        onEvent(.blockFinished(block: block.uuid, status: .upstreamFailed, seconds: 0, rows: nil, error: nil))
                    } else if upstreamStatuses.allSatisfy({ $0 == .completed }) {
                        try states[block.uuid]!.handle(.enqueue)
                        try store.blockRunUpdate(BlockRunUpdate(pipelineRunID: run.id, block: block.uuid, status: .queued))
                        pending.append((block, 0))
                    }
                }
                while running < options.executorCount, !pending.isEmpty {
                    let (block, delay) = pending.removeFirst()
                    try states[block.uuid]!.handle(.start)
                    let attempt = states[block.uuid]!.attempts
                    startTimes[block.uuid] = startTimes[block.uuid] ?? Date()
                    let inputs = block.upstream.map { outputs[$0] ?? nil }
                    running += 1
                    group.addTask {
                        (block.uuid, await self.attempt(block, pipeline: pipeline.uuid, run: run.id, attempt: attempt, delay: delay,
                                                        inputs: inputs, onEvent: onEvent))
                    }
                }
                guard running > 0, var (uuid, outcome) = try await group.next() else { break }
                running -= 1
                let elapsed = Date().timeIntervalSince(startTimes[uuid] ?? Date())
                let directory = runDirectory(pipeline.uuid, run.id, uuid).path
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
                    try states[uuid]!.handle(.succeed)
                    outputs[uuid] = .some(result.rows == nil ? nil : directory)
                    try store.blockRunUpdate(BlockRunUpdate(
                        pipelineRunID: run.id, block: uuid, status: .completed, completedAt: Date(),
                        outputPath: result.rows == nil ? nil : directory, facets: result.facets))
                    onEvent(.blockFinished(block: uuid, status: .completed, seconds: elapsed, rows: result.rows, error: nil))
                    let registered = try store.modelVersionList(pipelineRunID: run.id, limit: 100).filter { model in
                        !reportedModels.contains(model.version)
                    }
                    reportedModels.formUnion(registered.map(\.version))
                    onEvent(.blockReported(block: uuid, details: BlockDetails(
                        dataset: dataset,
                        facets: result.facets.compactMapValues { try? JSON.decode(ConfigValue.self, from: Data($0.utf8)) },
                        registeredModels: registered, git: code.git)))
                case .failed where Task.isCancelled:
                    try states[uuid]!.handle(.cancel)
                    try store.blockRunUpdate(BlockRunUpdate(pipelineRunID: run.id, block: uuid, status: .cancelled,
                                                            completedAt: Date(), error: "cancelled"))
                    onEvent(.blockFinished(block: uuid, status: .cancelled, seconds: elapsed, rows: nil, error: nil))
                case .failed(let reason, let result):
                    let action = try states[uuid]!.handle(.fail)
                    if case .retry(let wait) = action {
                        try store.blockRunUpdate(BlockRunUpdate(pipelineRunID: run.id, block: uuid, status: .queued, error: reason))
                        onEvent(.blockRetrying(block: uuid, attempt: states[uuid]!.attempts, after: wait, error: reason))
                        pending.append((pipeline.block(uuid)!, wait))
                    } else {
                        try store.blockRunUpdate(BlockRunUpdate(
                            pipelineRunID: run.id, block: uuid, status: .failed, completedAt: Date(), error: reason,
                            facets: result?.facets))
                        onEvent(.blockFinished(block: uuid, status: .failed, seconds: elapsed, rows: nil, error: reason))
                    }
                }
            }
        }

        // A cancelled run leaves blocks that never finished; they are cancelled, not lost.
        for (uuid, state) in states where !state.status.isFinished {
            var s = state
            try s.handle(.cancel)
            states[uuid] = s
            try store.blockRunUpdate(BlockRunUpdate(pipelineRunID: run.id, block: uuid, status: .cancelled, completedAt: Date()))
        }
        try runState.handle(.blocksFinished(selected.map { states[$0.uuid]!.status }))
        try store.pipelineRunSetStatus(id: run.id, status: runState.status, at: Date())
        return PipelineRunSummary(run: try store.pipelineRunGet(id: run.id) ?? run,
                                  blocks: try store.blockRunList(pipelineRunID: run.id))
    }

    private func selectedBlocks(_ pipeline: Pipeline) throws -> [Block] {
        guard let only = options.onlyBlock else { return pipeline.blocks }
        guard let block = pipeline.block(only) else {
            throw MageError.usage("pipeline '\(pipeline.uuid)' has no block '\(only)' (blocks: \(pipeline.blocks.map(\.uuid).joined(separator: ", ")))")
        }
        return [block]
    }

    private func runDirectory(_ pipeline: String, _ run: Int64, _ block: String) -> URL {
        project.blockRunDirectory(pipeline: pipeline, runID: run, block: block)
    }

    /// One attempt: prepare the run folder and invocation, run it in or out of process, read the result.
    private func attempt(_ block: Block, pipeline: String, run: Int64, attempt: Int, delay: Double, inputs: [String?],
                         onEvent: @Sendable (ExecutionEvent) -> Void) async -> Outcome {
        if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
        let runDirectory = self.runDirectory(pipeline, run, block.uuid)
        let logFile = runDirectory.appendingPathComponent("block.log")
        let (recorded, secrets) = Secrets.split(block.configuration, sensitive: block.sensitiveKeys)
        let invocation = BlockInvocation(
            projectRoot: project.root.path, pipeline: pipeline, runID: run, block: block.uuid, blockKind: block.kind.name,
            configuration: recorded, secretKeys: block.sensitiveKeys.sorted(), inputDirectories: inputs, runDirectory: runDirectory.path,
            artifactDirectory: runDirectory.appendingPathComponent("artifacts").path,
            pluginDirectories: options.pluginDirectories.map(\.path))
        do {
            try RunFolder.prepare(runDirectory, in: project)
            try? FileManager.default.removeItem(at: invocation.resultFile)
            try AtomicFile.write(try JSON.encode(invocation), to: runDirectory.appendingPathComponent(BlockInvocation.fileName),
                                 permissions: RunFolder.filePermissions)
            let log = try BlockLog(appendingTo: logFile)
            log.write(.info, "attempt \(attempt) of block '\(block.uuid)' (\(block.kind.name), \(block.isolation.rawValue))")
            try store.blockRunUpdate(BlockRunUpdate(pipelineRunID: run, block: block.uuid, status: .running,
                                                    attempts: attempt, startedAt: Date(), logPath: logFile.path))
        } catch {
            return .failed("cannot prepare the block's run folder: \(error)", nil)
        }
        onEvent(.blockStarted(block: block.uuid, attempt: attempt))
        switch block.isolation {
        case .process: return await runIsolated(invocation, secrets: secrets, timeout: block.timeout, logFile: logFile.path)
        case .inProcess: return await runInProcess(invocation, secrets: secrets, timeout: block.timeout, logFile: logFile)
        }
    }

    private func runIsolated(_ invocation: BlockInvocation, secrets: [String: ConfigValue], timeout: Double?,
                             logFile: String) async -> Outcome {
        guard let worker = options.workerExecutable else {
            return .failed("no mage executable to run the block in a child process", nil)
        }
        let termination = await ChildProcess.run(
            executable: worker.path,
            arguments: ["__execute-block", "--parent-pid", String(getpid()),
                        URL(fileURLWithPath: invocation.runDirectory).appendingPathComponent(BlockInvocation.fileName).path],
            logFile: logFile, timeout: timeout,
            environment: secrets.isEmpty ? [:] : [Secrets.environmentVariable: ConfigValue.map(secrets).jsonText])
        let result = try? JSON.decode(BlockResult.self, from: Data(contentsOf: invocation.resultFile))
        switch termination {
        case .exited(0) where result?.succeeded == true:
            return .succeeded(result!)
        case .exited(let code):
            return .failed(result?.error ?? "the block's process exited with code \(code) without a result; see \(logFile)", result)
        case .signaled(let signal):
            let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
            return .failed("the plugin crashed: killed by signal \(signal) (\(name)); see \(logFile)", nil)
        case .timedOut(let seconds):
            return .failed("timed out after \(Self.format(seconds)) s; the block's process was killed", nil)
        case .cancelled:
            return .failed("cancelled", nil)
        case .spawnFailed(let message):
            return .failed(message, nil)
        }
    }

    /// In-process mode runs the plugin on a thread of its own. A timeout there can only abandon the
    /// thread, not stop it: in-process mode is for trusted plugins.
    private func runInProcess(_ invocation: BlockInvocation, secrets: [String: ConfigValue], timeout: Double?,
                              logFile: URL) async -> Outcome {
        let catalog = self.catalog
        let store = self.store
        let result: BlockResult? = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            Thread.detachNewThread {
                let log = (try? BlockLog(appendingTo: logFile)) ?? BlockLog(fd: 2)
                let result = BlockInvoker.invoke(invocation, secrets: secrets, catalog: catalog, store: store, log: log)
                try? AtomicFile.write(try JSON.encode(result), to: invocation.resultFile, permissions: RunFolder.filePermissions)
                once.resume(result)
            }
            if let timeout {
                Task {
                    try? await Task.sleep(for: .seconds(timeout))
                    once.resume(nil)
                }
            }
        }
        guard let result else {
            return .failed("timed out after \(Self.format(timeout ?? 0)) s (in-process: the plugin's thread was abandoned)", nil)
        }
        return result.succeeded ? .succeeded(result) : .failed(result.error ?? "failed", result)
    }

    static func format(_ seconds: Double) -> String { String(format: "%g", seconds) }
}

/// Resumes a continuation once, whichever of the work and its timeout finishes first.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = continuation }

    func resume(_ value: T) {
        let c: CheckedContinuation<T, Never>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        c?.resume(returning: value)
    }
}
