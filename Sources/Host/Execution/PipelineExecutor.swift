import Foundation

/// Runs one pipeline in this process, for `mage run` and tests: the run is created already claimed by
/// this process (so no dispatcher elsewhere takes it), executed by `RunExecution` on an executor pool of
/// its own, and its lease renewed while it runs, so that a cancel requested from another process (the
/// web API) stops it and a rescuer can finish it if this process dies.
public struct PipelineExecutor: Sendable {
    public let project: Project
    public let catalog: PluginCatalog
    public let store: any MetadataStore
    public let options: ExecutionOptions
    public let timing: LeaseTiming

    public init(project: Project, catalog: PluginCatalog, store: any MetadataStore, options: ExecutionOptions,
                timing: LeaseTiming = LeaseTiming()) {
        self.project = project
        self.catalog = catalog
        self.store = store
        self.options = options
        self.timing = timing
    }

    public func run(_ pipeline: Pipeline,
                    onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }) async throws -> PipelineRunSummary {
        let selected = try selectedBlocks(pipeline)
        try checkUpstreamOutputs(pipeline, selected: selected)
        let owner = RunOwner.make()
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(
            pipeline: pipeline.uuid, variables: pipeline.variables, blocks: selected.map(\.uuid),
            retryOnHostFailure: pipeline.retryOnHostFailure, lease: timing.lease(owner)))
        let execution = RunExecution(project: project, catalog: catalog, store: store, options: options,
                                     pool: ExecutorPool(slots: options.executorCount), owner: owner)
        let task = Task { try await execution.execute(run, pipeline: pipeline, onEvent: onEvent) }
        let keeper = Task { [store, timing] in
            await LeaseKeeper.keep(store: store, owner: owner, timing: timing) { holds, _ in
                if holds.first(where: { $0.runID == run.id })?.cancelRequested != false { task.cancel() }
            }
        }
        defer { keeper.cancel() }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    private func selectedBlocks(_ pipeline: Pipeline) throws -> [Block] {
        guard let only = options.onlyBlock else { return pipeline.blocks }
        guard let block = pipeline.block(only) else {
            throw MageError.usage("pipeline '\(pipeline.uuid)' has no block '\(only)' (blocks: \(pipeline.blocks.map(\.uuid).joined(separator: ", ")))")
        }
        return [block]
    }

    /// A one-block run needs its upstream blocks to have completed once; said before a run is created.
    private func checkUpstreamOutputs(_ pipeline: Pipeline, selected: [Block]) throws {
        let inRun = Set(selected.map(\.uuid))
        for block in selected {
            for up in block.upstream where !inRun.contains(up) {
                if try store.blockRunLatestCompleted(pipeline: pipeline.uuid, block: up) == nil {
                    throw MageError.usage("block '\(block.uuid)' needs the output of '\(up)', which has never completed; run the whole pipeline first")
                }
            }
        }
    }
}
