import Foundation

/// A record a store files under the first free id among `base`, `base_2`, …: it says what it becomes
/// under the id picked, so every store files it the same way.
protocol VersionedRecord: Encodable {
    func identified(as id: String) -> Self
    var createdAt: Date { get }
    var pipelineRunID: Int64 { get }
}

extension DatasetVersion: VersionedRecord {
    func identified(as id: String) -> DatasetVersion {
        var version = self
        version.version = id
        return version
    }
}

extension ModelVersion: VersionedRecord {
    /// Its `path` names the folder that holds versions; the id is appended to it.
    func identified(as id: String) -> ModelVersion {
        var version = self
        version.version = id
        version.path = (path as NSString).appendingPathComponent(id)
        return version
    }
}
