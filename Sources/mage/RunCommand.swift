import ArgumentParser
import Foundation
import MageHost

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a pipeline.")

    @Argument(help: "The project folder.")
    var project: String

    @Argument(help: "The pipeline uuid (its folder under pipelines/).")
    var pipeline: String

    @Option(help: "Run only this block, on its upstream blocks' latest outputs.")
    var block: String?

    @Option(name: .customLong("runtime-vars"), help: "A JSON object of variables for {{ variables('name') }}.")
    var runtimeVars: String?

    @Option(name: .customLong("lease-seconds"), help: "How long this process's claim on its run lasts without renewal: how soon another process rescues the run if this one dies.")
    var leaseSeconds: Double = 30

    func run() async throws {
        do {
            let project = try Project(root: URL(fileURLWithPath: self.project))
            // Relative paths in block configuration mean the project's own files, in and out of process.
            FileManager.default.changeCurrentDirectoryPath(project.root.path)
            let variables = try runtimeVars.map(ConfigValue.parseObject(json:)) ?? [:]
            let directories = PluginCatalog.searchPath(project: project.root)
            let catalog = PluginCatalog(directories: directories, hashFiles: false)
            for refused in catalog.refused {
                FileHandle.standardError.write(Data("warning: plugin refused: \(refused.path): \(refused.reason)\n".utf8))
            }
            let pipeline = try PipelineLoader(project: project, catalog: catalog).load(pipeline, variables: variables)
            guard leaseSeconds >= 1 else { throw MageError.usage("--lease-seconds must be at least 1, got \(leaseSeconds)") }
            let store = try project.openStore()
            // Runs left running by a process that died are finished (or re-queued) before this one starts.
            for rescue in try RunRescuer(store: store).rescue() {
                FileHandle.standardError.write(Data("rescued: \(rescue)\n".utf8))
            }
            let executor = PipelineExecutor(project: project, catalog: catalog, store: store, options: ExecutionOptions(
                variables: variables, onlyBlock: block, pluginDirectories: directories,
                executorCount: project.executorCount), timing: LeaseTiming(duration: leaseSeconds))
            let width = pipeline.blocks.map(\.uuid.count).max() ?? 10
            let started = Date()
            // Listening before the run starts, so a signal that comes as the first block spawns is not lost.
            let stop = CancelOnSignals([SIGINT, SIGTERM])
            let task = Task { try await executor.run(pipeline) { ProgressPrinter.print($0, width: width) } }
            stop.cancel(task)
            let summary = try await task.value
            withExtendedLifetime(stop) {}
            ProgressPrinter.summary(summary, seconds: Date().timeIntervalSince(started))
            if summary.run.status != .completed { throw ExitCode.failure }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }
}

enum ProgressPrinter {
    static func print(_ event: ExecutionEvent, width: Int) {
        func pad(_ s: String) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }
        switch event {
        case .runStarted(let id, let pipeline):
            Swift.print("run \(id) of pipeline '\(pipeline)'")
        case .blockStarted(let block, let attempt):
            Swift.print("  \(pad(block))  running" + (attempt > 1 ? " (attempt \(attempt))" : ""))
        case .blockRetrying(let block, let attempt, let after, let error):
            Swift.print("  \(pad(block))  attempt \(attempt) failed: \(error); retrying in \(String(format: "%g", after)) s")
        case .blockFinished(let block, let status, let seconds, let rows, let error):
            var line = "  \(pad(block))  \(status.rawValue)"
            if status != .upstreamFailed { line += String(format: "  %.3f s", seconds) }
            if let rows { line += "  \(rows) rows" }
            if let error { line += "  \(error)" }
            Swift.print(line)
        case .blockReported(_, let details):
            for line in detailLines(details) { Swift.print("  \(pad(""))    \(line)") }
        }
    }

    /// The lines a person wants after a block: its data version, its metrics, the model it registered.
    static func detailLines(_ details: BlockDetails) -> [String] {
        var lines: [String] = []
        if let data = details.dataset {
            var line = "data \(data.version)  \(data.rowCount) records, \(data.featureCount) features  \(data.hash)"
            if let label = data.label, let rate = data.labelRate { line += String(format: "  \(label) rate %.1f%%", rate * 100) }
            lines.append(line)
        }
        if let metrics = details.facets["metrics"]?.objectValue {
            let shown = ["accuracy", "roc_auc", "f1"].compactMap { key -> String? in
                guard let value = metrics[key] else { return nil }
                switch value {
                case .double(let v): return String(format: "\(key) %.4f", v)
                case .int(let v): return "\(key) \(v)"
                default: return nil
                }
            }
            if !shown.isEmpty { lines.append(shown.joined(separator: "  ")) }
        }
        if let importance = details.facets["feature_importance"]?.objectValue {
            // JSON does not keep 3.0 apart from 3: whole-number importances decode as ints.
            let top = importance.compactMap { key, value -> (String, Double)? in
                switch value {
                case .double(let v): (key, v)
                case .int(let v): (key, Double(v))
                default: nil
                }
            }.sorted { $0.1 > $1.1 }.prefix(3)
            if !top.isEmpty {
                lines.append("top features: " + top.map { String(format: "%@ %.3f", $0.0 as NSString, $0.1) }.joined(separator: ", "))
            }
        }
        for model in details.registeredModels {
            let commit = details.git.map { " at commit \(String($0.commit.prefix(12)))\($0.dirty ? " (dirty)" : "")" } ?? ""
            lines.append("registered \(model.version) (\(model.modelType)) in \(model.path)\(commit)")
        }
        return lines
    }

    static func summary(_ summary: PipelineRunSummary, seconds: Double) {
        let counts = Dictionary(grouping: summary.blocks, by: \.status)
            .map { "\($0.value.count) \($0.key.rawValue)" }.sorted().joined(separator: ", ")
        Swift.print("run \(summary.run.id) \(summary.run.status.rawValue) in \(String(format: "%.2f", seconds)) s: \(counts)")
    }
}

/// Turns SIGINT (Ctrl-C) and SIGTERM (systemd, Kubernetes, CI) into cancellation of the run's task: the
/// running blocks' process groups are killed, the blocks and the run are recorded `cancelled`, and
/// `mage run` exits 1. A signal that comes before the task is handed over cancels it when it is.
final class CancelOnSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var task: Task<PipelineRunSummary, Error>?
    private var signalled = false

    init(_ signals: [Int32]) {
        for number in signals {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { [weak self] in self?.received() }
            source.resume()
            sources.append(source)
        }
    }

    func cancel(_ task: Task<PipelineRunSummary, Error>) {
        let cancelNow = lock.withLock {
            self.task = task
            return signalled
        }
        if cancelNow { task.cancel() }
    }

    private func received() {
        lock.withLock {
            signalled = true
            return task
        }?.cancel()
    }
}
