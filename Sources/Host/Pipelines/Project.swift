import Foundation

/// A SwiftMage project folder: `metadata.yaml`, `pipelines/<uuid>/metadata.yaml`, `plugins/`, and the
/// run data the host writes under `.mage_data/`.
public struct Project: Sendable {
    public let root: URL
    public let settings: Settings

    public struct Settings: Sendable {
        public var project_uuid: String?
        /// Size of the executor pool: blocks that may run at once (Mage's default is 20).
        public var executor_count: Int?
        /// Folders outside the project that block configuration paths may name (absolute, or relative
        /// to the project folder).
        public var allowed_paths: [String]
    }

    public init(root: URL) throws {
        self.root = root.standardizedFileURL
        let metadata = root.appendingPathComponent("metadata.yaml")
        guard FileManager.default.fileExists(atPath: metadata.path) else {
            throw MageError.invalidProject("\(root.path) is not a SwiftMage project (no metadata.yaml)")
        }
        do {
            let fields = try YAMLFields(ProjectFileReader.parse(ProjectFileReader.text(of: metadata)), path: "")
            settings = Settings(project_uuid: try fields.string("project_uuid"), executor_count: try fields.int("executor_count"),
                                allowed_paths: try fields.strings("allowed_paths") ?? [])
        } catch {
            throw MageError.invalidProject("\(metadata.path): \(error)")
        }
        if let count = settings.executor_count, count < 1 {
            throw MageError.invalidProject("\(metadata.path): executor_count must be at least 1, got \(count)")
        }
    }

    public var executorCount: Int { settings.executor_count ?? 20 }
    /// `project_uuid`, or the folder's name when metadata.yaml has none.
    public var identifier: String { settings.project_uuid ?? root.lastPathComponent }
    public var pipelinesDirectory: URL { root.appendingPathComponent("pipelines") }
    public var dataDirectory: URL { root.appendingPathComponent(".mage_data") }
    public var databaseURL: URL { dataDirectory.appendingPathComponent("mage.db") }

    public func pipelineFile(_ uuid: String) -> URL {
        pipelinesDirectory.appendingPathComponent(uuid).appendingPathComponent("metadata.yaml")
    }

    public func pipelineUUIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: pipelinesDirectory.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: pipelineFile($0).path) }.sorted()
    }

    /// Where one block run keeps its output, log and artifacts.
    public func blockRunDirectory(pipeline: String, runID: Int64, block: String) -> URL {
        dataDirectory.appendingPathComponent("pipelines").appendingPathComponent(pipeline)
            .appendingPathComponent("runs").appendingPathComponent(String(runID)).appendingPathComponent(block)
    }
}
