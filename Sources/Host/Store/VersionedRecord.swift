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

/// The ids a versioned record may take: `base`, then `base_2`, `base_3`, … Each store reads the ids taken
/// under a base in one query, in the transaction that inserts, and takes the first free one.
enum VersionedIDs {
    /// `LIKE` matching `base_<anything>`, with `_` and `%` escaped by a backslash.
    static func likePattern(_ base: String) -> String {
        base.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "_", with: "\\_")
            .replacingOccurrences(of: "%", with: "\\%") + "\\_%"
    }

    static func firstFree(_ base: String, taken: Set<String>) -> String {
        guard taken.contains(base) else { return base }
        var n = 2
        while taken.contains("\(base)_\(n)") { n += 1 }
        return "\(base)_\(n)"
    }
}
