import Foundation

/// Keeps the store's file triggers equal to the project's triggers.yaml files: synced when the scheduler
/// starts and whenever a file changes (seen by its size, modification time and inode, checked on every
/// call: a `stat` per pipeline). A pipeline whose file cannot be read keeps its stored triggers.
public final class TriggerSync: @unchecked Sendable {
    let project: Project
    let store: any MetadataStore
    private var fingerprint: [String: String]?

    public init(project: Project, store: any MetadataStore) {
        self.project = project
        self.store = store
    }

    public struct Outcome: Sendable {
        public var reports: [String: ScheduleSyncReport] = [:]
        public var problems: [TriggerProblem] = []
    }

    /// Syncs if any triggers.yaml (or the set of pipelines) changed since the last sync; nil when nothing did.
    public func syncIfChanged(at now: Date = Date()) throws -> Outcome? {
        let current = Self.fingerprint(project)
        guard current != fingerprint else { return nil }
        let outcome = try sync(at: now)
        fingerprint = current
        return outcome
    }

    /// Syncs every pipeline now.
    public func sync(at now: Date = Date()) throws -> Outcome {
        let loaded = TriggerFile.load(project)
        var outcome = Outcome(problems: loaded.problems)
        let stored = Set(try store.scheduleList(pipeline: nil).filter { $0.definition.origin == .file }.map(\.pipeline))
        let byPipeline = Dictionary(grouping: loaded.definitions, by: \.pipeline)
        let readable = Set(loaded.refusedNames.keys)
        // Pipelines whose folder is gone have their file triggers removed too.
        let present = Set(project.pipelineUUIDs())
        for pipeline in stored.union(readable).sorted() where readable.contains(pipeline) || !present.contains(pipeline) {
            let report = try store.scheduleSyncFile(pipeline: pipeline, byPipeline[pipeline] ?? [],
                                                    refused: loaded.refusedNames[pipeline] ?? [], at: now)
            if !report.isEmpty { outcome.reports[pipeline] = report }
        }
        return outcome
    }

    static func fingerprint(_ project: Project) -> [String: String] {
        var result: [String: String] = [:]
        for uuid in (try? FileManager.default.contentsOfDirectory(atPath: project.pipelinesDirectory.path)) ?? [] {
            let path = project.pipelinesDirectory.appendingPathComponent(uuid).appendingPathComponent("triggers.yaml").path
            var info = stat()
            result[uuid] = stat(path, &info) == 0
                ? "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)"
                : (FileManager.default.fileExists(atPath: project.pipelineFile(uuid).path) ? "none" : "no pipeline")
        }
        return result
    }
}
