import Foundation

/// The model registry of a project: version folders under `model_registry/`, the `latest.json` pointer
/// the prediction service follows, and their index and history in the metadata store. Every write that
/// others read is atomic, so a reader never sees a half-written pointer or a pointer to a partial version.
/// Moves (register, promote, rollback, deploy) run one at a time across processes, under the lock file,
/// and commit in the store before they publish files (`RegistryReconciliation`).
public struct ModelRegistry: Sendable {
    public let project: Project
    public let store: any MetadataStore
    /// Announces every move of `latest.json` on Redis (`REDIS_URL`); nil on one machine.
    public let announcer: RegistryAnnouncer?

    public init(project: Project, store: any MetadataStore, announcer: RegistryAnnouncer? = nil) {
        self.project = project
        self.store = store
        self.announcer = announcer
    }

    /// The registry as the environment configures it: announcing on Redis when `REDIS_URL` is set.
    public static func configured(project: Project, store: any MetadataStore) throws -> ModelRegistry {
        ModelRegistry(project: project, store: store, announcer: try RegistryAnnouncer.fromEnvironment(project: project))
    }

    public var root: URL { project.root.appendingPathComponent("model_registry") }
    public var latestFile: URL { root.appendingPathComponent("latest.json") }
    /// Held for the whole of every move, by every process (`FileLock`).
    public var lockFile: URL { root.appendingPathComponent(".lock") }
    public var deploymentFile: URL { project.root.appendingPathComponent("deployment/deployment_status.json") }

    /// `latest.json`: the version that serves.
    public struct Pointer: Codable, Sendable, Equatable {
        public var version: String
        public var path: String
        public var updatedAt: Date

        public init(version: String, path: String, updatedAt: Date) {
            self.version = version
            self.path = path
            self.updatedAt = updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case version, path
            case updatedAt = "updated_at"
        }
    }

    public func latest() throws -> Pointer? {
        guard let data = FileManager.default.contents(atPath: latestFile.path) else { return nil }
        return try JSON.decode(Pointer.self, from: data)
    }

    /// Registers the model a block trained in a run: copies its artifact files into a staging folder,
    /// takes a version id, writes metadata.json and lineage.json, renames the folder into place and
    /// points latest at it. Refuses, before any of that is visible, a model `kind` cannot serve.
    public func register(lineage: LineageDocument, modelBlock: BlockLineage, artifactDirectory: URL, kind: BlockKind,
                         at date: Date = Date()) throws -> ModelVersion {
        let fm = FileManager.default
        let artifacts = try fm.contentsOfDirectory(atPath: artifactDirectory.path).filter { !$0.hasPrefix(".") }.sorted()
        guard !artifacts.isEmpty else {
            throw MageError.usage("model block '\(modelBlock.uuid)' left no artifact files in \(artifactDirectory.path)")
        }
        try ServabilityCheck.verify(artifactDirectory, kind: kind, block: modelBlock.uuid)
        return try move {
            let staging = root.appendingPathComponent(".staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            var placed = false
            defer { if !placed { try? fm.removeItem(at: staging) } }
            for name in artifacts {
                try AtomicFile.write(try Data(contentsOf: artifactDirectory.appendingPathComponent(name)),
                                     to: staging.appendingPathComponent(name))
            }
            let facets = modelBlock.facets
            let modelType = facets["model"]?.objectValue?["model_type"]?.stringValue ?? modelBlock.kind
            let metrics = facets["metrics"]?.objectValue ?? [:]
            let model = try store.modelVersionCreate(ModelVersion(
                version: "", path: "model_registry", modelType: modelType, blockKind: modelBlock.kind, status: .registered, metrics: metrics, createdAt: date,
                deployedAt: nil, pipelineRunID: lineage.pipeline.runID, block: modelBlock.uuid),
                base: VersionID.base(prefix: "v_", at: date))
            var lineage = lineage
            lineage.models.append(model)
            let documents = VersionDocuments(model: model, lineage: lineage, modelBlock: modelBlock, artifacts: artifacts)
            try AtomicFile.write(try JSON.encode(documents.metadata), to: staging.appendingPathComponent("metadata.json"))
            try AtomicFile.write(try JSON.encode(documents.lineageFile), to: staging.appendingPathComponent("lineage.json"))
            let final = root.appendingPathComponent(model.version)
            guard rename(staging.path, final.path) == 0 else {
                throw MageError.io("cannot move the new version into \(final.path): \(errnoText())")
            }
            placed = true
            try setLatest(model, action: .register, at: date)
            return model
        }
    }

    public func promote(_ version: String, at date: Date = Date()) throws {
        try move { try setLatest(try complete(version), action: .promote, at: date) }
    }

    /// Points latest back at the version it pointed to before the current one.
    @discardableResult
    public func rollback(at date: Date = Date()) throws -> ModelVersion {
        try move {
            let stack = try Self.pointerHistory(try store.registryEventList())
            guard stack.count >= 2 else { throw MageError.usage("nothing to roll back to: latest has no earlier version left in its history") }
            let target = try complete(stack[stack.count - 2])
            let event = RegistryEvent(action: .rollback, version: target.version, previous: stack.last, at: date)
            guard try store.registryPointerMove(event) else {
                // Going back from a version another host has just replaced would undo its move instead.
                throw MageError.usage("latest moved while rolling back from \(stack.last!); nothing was rolled back: run it again to go back from the version latest names now")
            }
            try publishPointer(event)
            return target
        }
    }

    /// The versions latest has named that a rollback can go back to, oldest first: the events replayed
    /// as a stack (register and promote push, rollback pops, deploy does not count). Its top is latest.
    static func pointerHistory(_ events: [RegistryEvent]) -> [String] {
        var stack: [String] = []
        for event in events {
            switch event.action {
            case .register, .promote: stack.append(event.version)
            case .rollback: if !stack.isEmpty { stack.removeLast() }
            case .deploy: break
            }
        }
        return stack
    }

    /// Marks a version deployed: in the store and in `deployment/deployment_status.json`.
    public func deploy(_ version: String, at date: Date = Date()) throws -> ModelVersion {
        try move {
            _ = try complete(version)
            try store.modelVersionSetDeployed(version, at: date)
            try publishDeployment()
            return try complete(version)
        }
    }

    /// Finishes what a process killed in the middle of a move left (see `RegistryReconciliation`), for
    /// commands that only read the registry; every move does it first anyway. Returns the repairs made.
    @discardableResult
    public func reconcile() throws -> [String] {
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        return try FileLock.withExclusiveLock(lockFile) { try reconcileAndReport() }
    }

    /// Runs a move of the registry under its lock, `model_registry/.lock`, after reconciling: moves of
    /// every process on the project happen one at a time, each on a registry that agrees with the store.
    private func move<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return try FileLock.withExclusiveLock(lockFile) {
            try reconcileAndReport()
            return try body()
        }
    }

    /// Under the lock: reconciles, and says on standard error what it repaired (a block's block.log).
    @discardableResult
    private func reconcileAndReport() throws -> [String] {
        let repairs = try reconcileUnderLock()
        for repair in repairs {
            FileHandle.standardError.write(Data("note: registry reconciled: \(repair)\n".utf8))
        }
        return repairs
    }

    /// A version whose folder is whole: folders appear by one rename once every file is written.
    private func complete(_ version: String) throws -> ModelVersion {
        guard let model = try store.modelVersionGet(version) else {
            let known = try store.modelVersionList(pipelineRunID: nil, limit: 5).map(\.version).joined(separator: ", ")
            throw MageError.usage("no model version '\(version)' (newest: \(known.isEmpty ? "none" : known))")
        }
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("\(version)/metadata.json").path) else {
            throw MageError.corruptData("model version '\(version)' has no complete folder under \(root.path)")
        }
        var located = model
        located.path = "model_registry/\(version)"
        return located
    }

    /// The event first, then the file: the event is the move's commit point, and `latest.json` says
    /// what the events say (from now, or from the next move if this process dies first). The store
    /// records the move only from the `previous` read here; when a move of another host (one that does
    /// not share this registry lock) came in between, the history is read again, a few times.
    private func setLatest(_ model: ModelVersion, action: RegistryEvent.Action, at date: Date) throws {
        for _ in 0..<Self.pointerMoveAttempts {
            let previous = Self.pointerHistory(try store.registryEventList()).last
            let event = RegistryEvent(action: action, version: model.version, previous: previous, at: date)
            if try store.registryPointerMove(event) {
                try publishPointer(event)
                return
            }
        }
        throw MageError.io("latest kept moving under this \(action.rawValue) of \(model.version) (\(Self.pointerMoveAttempts) tries); nothing was recorded: try again")
    }

    static let pointerMoveAttempts = 5

    struct DeploymentStatus: Codable {
        var version: String
        var path: String
        var status: String
        var deployedAt: Date

        enum CodingKeys: String, CodingKey {
            case version, path, status
            case deployedAt = "deployed_at"
        }
    }
}
