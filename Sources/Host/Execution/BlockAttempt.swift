import Foundation

/// One attempt of one block: prepare its run folder and invocation, run it in a child process (or in
/// process when the block opts out), and read its result. It writes nothing to the store but the
/// block's own records (through the plugin's host services); its outcome goes to `RunCompleter`.
struct BlockAttempt: Sendable {
    let project: Project
    let catalog: PluginCatalog
    let store: any MetadataStore
    let options: ExecutionOptions

    enum Outcome: Sendable {
        case succeeded(BlockResult)
        case failed(String, BlockResult?)
    }

    /// The invocation and log of an attempt, once its folder is ready.
    struct Prepared: Sendable {
        let invocation: BlockInvocation
        let logFile: URL
        let secrets: [String: ConfigValue]
    }

    func prepare(_ block: Block, pipeline: String, run: Int64, attempt: Int, inputs: [String?]) throws -> Prepared {
        let runDirectory = project.blockRunDirectory(pipeline: pipeline, runID: run, block: block.uuid)
        let logFile = runDirectory.appendingPathComponent("block.log")
        let (recorded, secrets) = Secrets.split(block.configuration, sensitive: block.sensitiveKeys)
        let invocation = BlockInvocation(
            projectRoot: project.root.path, pipeline: pipeline, runID: run, block: block.uuid, blockKind: block.kind.name,
            configuration: recorded, secretKeys: block.sensitiveKeys.sorted(), inputDirectories: inputs, runDirectory: runDirectory.path,
            artifactDirectory: runDirectory.appendingPathComponent("artifacts").path,
            pluginDirectories: options.pluginDirectories.map(\.path))
        try RunFolder.prepare(runDirectory, in: project)
        try? FileManager.default.removeItem(at: invocation.resultFile)
        try AtomicFile.write(try JSON.encode(invocation), to: runDirectory.appendingPathComponent(BlockInvocation.fileName),
                             permissions: RunFolder.filePermissions)
        let log = try BlockLog(appendingTo: logFile)
        log.write(.info, "attempt \(attempt) of block '\(block.uuid)' (\(block.kind.name), \(block.isolation.rawValue))")
        return Prepared(invocation: invocation, logFile: logFile, secrets: secrets)
    }

    func run(_ block: Block, _ prepared: Prepared) async -> Outcome {
        switch block.isolation {
        case .process: await runIsolated(prepared, timeout: block.timeout)
        case .inProcess: await runInProcess(prepared, timeout: block.timeout)
        }
    }

    private func runIsolated(_ prepared: Prepared, timeout: Double?) async -> Outcome {
        guard let worker = options.workerExecutable else {
            return .failed("no mage executable to run the block in a child process", nil)
        }
        let invocation = prepared.invocation
        let logFile = prepared.logFile.path
        let termination = await ChildProcess.run(
            executable: worker.path,
            arguments: ["__execute-block", "--parent-pid", String(getpid()),
                        URL(fileURLWithPath: invocation.runDirectory).appendingPathComponent(BlockInvocation.fileName).path],
            logFile: logFile, timeout: timeout,
            environment: prepared.secrets.isEmpty ? [:] : [Secrets.environmentVariable: ConfigValue.map(prepared.secrets).jsonText])
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
    private func runInProcess(_ prepared: Prepared, timeout: Double?) async -> Outcome {
        let catalog = self.catalog
        let store = self.store
        let invocation = prepared.invocation
        let secrets = prepared.secrets
        let logFile = prepared.logFile
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
