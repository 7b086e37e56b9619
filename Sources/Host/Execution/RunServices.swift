import Foundation

/// The host services a block reaches through ABI 1.1 (`lineage_json`, `register_model`,
/// `deploy_model`), for one block of one run, in whichever process runs the block.
public final class RunServices: @unchecked Sendable {
    let project: Project
    let store: any MetadataStore
    let catalog: PluginCatalog
    let pipelineUUID: String
    let runID: Int64
    let block: String
    private let lock = NSLock()
    private var loadedPipeline: Pipeline?

    public init(project: Project, store: any MetadataStore, catalog: PluginCatalog, pipeline: String, runID: Int64, block: String) {
        self.project = project
        self.store = store
        self.catalog = catalog
        self.pipelineUUID = pipeline
        self.runID = runID
        self.block = block
    }

    /// The pipeline as this run loaded it (its variables from the run record).
    private func pipeline() throws -> Pipeline {
        try lock.withLock {
            if let loadedPipeline { return loadedPipeline }
            let variables = try store.pipelineRunGet(id: runID)?.variables ?? [:]
            let pipeline = try PipelineLoader(project: project, catalog: catalog).load(pipelineUUID, variables: variables)
            loadedPipeline = pipeline
            return pipeline
        }
    }

    func lineageJSON() throws -> String {
        let document = try LineageBuilder(project: project, store: store).document(pipeline: try pipeline(), runID: runID)
        return String(decoding: try JSON.encode(document), as: UTF8.self)
    }

    /// Registers the model of `modelBlock`, or of the nearest upstream model block.
    func registerModel(_ modelBlock: String?) throws -> String {
        let pipeline = try pipeline()
        let target = try modelBlock ?? nearestUpstreamModel(in: pipeline)
        guard let definition = pipeline.block(target), definition.type == .model else {
            throw MageError.usage("'\(target)' is not a model block of pipeline '\(pipeline.uuid)'")
        }
        let lineage = try LineageBuilder(project: project, store: store).document(pipeline: pipeline, runID: runID)
        guard let trained = lineage.blocks.first(where: { $0.uuid == target }), trained.status == .completed else {
            throw MageError.usage("model block '\(target)' has not completed in run \(runID)")
        }
        let artifacts = project.blockRunDirectory(pipeline: pipeline.uuid, runID: runID, block: target)
            .appendingPathComponent("artifacts")
        return try ModelRegistry.configured(project: project, store: store)
            .register(lineage: lineage, modelBlock: trained, artifactDirectory: artifacts,
                      kind: try catalog.blockKind(named: trained.kind)).version
    }

    func deployModel(_ version: String?) throws -> String {
        let chosen: String
        if let version {
            chosen = version
        } else {
            guard let registered = try store.modelVersionList(pipelineRunID: runID, limit: 1).first else {
                throw MageError.usage("no model was registered in run \(runID); name the version to deploy")
            }
            chosen = registered.version
        }
        return try ModelRegistry.configured(project: project, store: store).deploy(chosen).version
    }

    private func nearestUpstreamModel(in pipeline: Pipeline) throws -> String {
        var frontier = pipeline.block(block)?.upstream ?? []
        var seen = Set<String>()
        while !frontier.isEmpty {
            var next: [String] = []
            for uuid in frontier where seen.insert(uuid).inserted {
                guard let candidate = pipeline.block(uuid) else { continue }
                if candidate.type == .model { return uuid }
                next.append(contentsOf: candidate.upstream)
            }
            frontier = next
        }
        throw MageError.usage("block '\(block)' has no model block upstream to register")
    }
}
