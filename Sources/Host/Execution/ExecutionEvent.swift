import Foundation

/// Progress of a pipeline run, as the CLI prints it.
public enum ExecutionEvent: Sendable {
    case runStarted(runID: Int64, pipeline: String)
    case blockStarted(block: String, attempt: Int)
    case blockRetrying(block: String, attempt: Int, after: Double, error: String)
    case blockFinished(block: String, status: BlockRunStatus, seconds: Double, rows: Int?, error: String?)
    /// What a completed block produced beyond its table: a data version, facets, registered models.
    case blockReported(block: String, details: BlockDetails)
}

public struct BlockDetails: Sendable {
    public var dataset: DatasetVersion?
    /// Facets the plugin reported, as JSON values.
    public var facets: [String: ConfigValue]
    public var registeredModels: [ModelVersion]
    public var git: GitState?
}

public struct ExecutionOptions: Sendable {
    public var variables: [String: ConfigValue]
    /// Run only this block, on its upstream blocks' latest completed outputs.
    public var onlyBlock: String?
    /// The `mage` binary that runs isolated blocks (this process's own executable by default).
    public var workerExecutable: URL?
    public var pluginDirectories: [URL]
    public var executorCount: Int

    public init(variables: [String: ConfigValue] = [:], onlyBlock: String? = nil,
                workerExecutable: URL? = Executable.url, pluginDirectories: [URL], executorCount: Int) {
        self.variables = variables
        self.onlyBlock = onlyBlock
        self.workerExecutable = workerExecutable
        self.pluginDirectories = pluginDirectories
        self.executorCount = executorCount
    }
}

public struct PipelineRunSummary: Sendable {
    public var run: PipelineRun
    public var blocks: [BlockRun]
}
