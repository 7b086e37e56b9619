import Foundation

/// Assembles a run's `LineageDocument` from the metadata store, whichever process asks.
public struct LineageBuilder: Sendable {
    public let project: Project
    public let store: any MetadataStore

    public init(project: Project, store: any MetadataStore) {
        self.project = project
        self.store = store
    }

    /// `pipeline` gives the block order and kinds; the store gives what happened.
    public func document(pipeline: Pipeline, runID: Int64) throws -> LineageDocument {
        guard let run = try store.pipelineRunGet(id: runID) else {
            throw MageError.usage("no pipeline run \(runID)")
        }
        let records = Dictionary(uniqueKeysWithValues: try store.blockRunList(pipelineRunID: runID).map { ($0.block, $0) })
        let datasets = try store.datasetVersionList(pipelineRunID: runID, limit: 10_000).reversed()
        let blocks = pipeline.blocks.compactMap { block -> BlockLineage? in
            guard let record = records[block.uuid] else { return nil }
            let duration = record.startedAt.flatMap { start in record.completedAt.map { $0.timeIntervalSince(start) } }
            return BlockLineage(
                uuid: block.uuid, kind: block.kind.name, type: block.type, upstream: block.upstream,
                status: record.status, attempts: record.attempts, startedAt: record.startedAt,
                completedAt: record.completedAt, durationSeconds: duration, error: record.error,
                facets: record.facets.compactMapValues { try? JSON.decode(ConfigValue.self, from: Data($0.utf8)) },
                datasetVersion: datasets.last { $0.block == block.uuid }?.version)
        }
        return LineageDocument(
            project: project.identifier,
            pipeline: PipelineRunLineage(uuid: run.pipeline, runID: run.id, status: run.status, createdAt: run.createdAt,
                                         completedAt: run.completedAt, variables: run.variables),
            code: try store.pipelineRunCode(id: runID) ?? CodeLineage(git: nil, plugins: []),
            datasets: Array(datasets), blocks: blocks,
            models: try store.modelVersionList(pipelineRunID: runID, limit: 10_000).reversed())
    }
}
