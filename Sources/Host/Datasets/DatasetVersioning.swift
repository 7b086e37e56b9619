import Foundation

/// Versions every data loader's output: hashes the table, stores it once under
/// `<project>/datasets/objects/<hex>/`, and records a `data_v_…` version in the metadata store.
public struct DatasetVersioning: Sendable {
    public let project: Project
    public let store: any MetadataStore

    public init(project: Project, store: any MetadataStore) {
        self.project = project
        self.store = store
    }

    public var objectsDirectory: URL { project.root.appendingPathComponent("datasets/objects") }

    /// Versions the table a block wrote to `outputDirectory`.
    public func version(outputDirectory: URL, pipelineRunID: Int64, block: String, at date: Date = Date()) throws -> DatasetVersion {
        let table = try TableFile.read(from: outputDirectory)
        let hash = CanonicalTableHash.hash(table)
        let hex = String(hash.dropFirst("sha256:".count))
        let object = objectsDirectory.appendingPathComponent(hex)
        if !FileManager.default.fileExists(atPath: object.appendingPathComponent(TableFile.schemaName).path) {
            try storeObject(from: outputDirectory, as: object)
        }
        let label = ["churn", "label"].first { table.column(named: $0) != nil }
        let features = table.columns.map(\.name).filter { $0 != label }
        let dataset = DatasetVersion(
            version: "", hash: hash, rowCount: table.rowCount, featureCount: features.count, features: features,
            label: label, labelRate: label.flatMap { Self.positiveRate(table.column(named: $0)!) },
            schema: table.columns.map { TableFile.ColumnSchema(name: $0.name, type: $0.values.type, nullable: $0.validity != nil) },
            createdAt: date, path: "datasets/objects/\(hex)", pipelineRunID: pipelineRunID, block: block)
        return try store.datasetVersionCreate(dataset, base: VersionID.base(prefix: "data_v_", at: date))
    }

    /// Copies the output beside the final folder, then renames it in: a reader sees all of it or none.
    private func storeObject(from source: URL, as object: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: objectsDirectory, withIntermediateDirectories: true)
        // Content-addressed: stored once, by whichever run got there first.
        if fm.fileExists(atPath: object.appendingPathComponent(TableFile.schemaName).path) { return }
        removeAbandonedStaging()
        // Unique per attempt: runs of one process can store the same content at the same time.
        let staging = objectsDirectory.appendingPathComponent(".\(object.lastPathComponent).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        for name in [TableFile.dataName, TableFile.schemaName] {
            try AtomicFile.write(try Data(contentsOf: source.appendingPathComponent(name)), to: staging.appendingPathComponent(name))
        }
        if rename(staging.path, object.path) != 0 {
            try? fm.removeItem(at: staging)
            // Another process stored the same content first: identical bytes, nothing to do.
            guard fm.fileExists(atPath: object.appendingPathComponent(TableFile.schemaName).path) else {
                throw MageError.io("cannot store dataset object \(object.path): \(errnoText())")
            }
        }
    }

    /// How old a staging folder must be before it counts as abandoned: a copy in progress writes into
    /// its folder, which keeps it younger than this.
    static let abandonedAfter: TimeInterval = 3600

    /// Removes staging folders a killed process left (`.<hex>.<pid>.<random>.tmp`, untouched for an hour):
    /// the next versioning cleans up after it.
    private func removeAbandonedStaging(now: Date = Date()) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: objectsDirectory.path) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let url = objectsDirectory.appendingPathComponent(name)
            guard let modified = (try? fm.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > Self.abandonedAfter else { continue }
            try? fm.removeItem(at: url)
        }
    }

    /// Share of 1s (or trues) among present values; nil for other column types.
    static func positiveRate(_ column: Column) -> Double? {
        let present = (0..<column.count).filter { !column.isNull($0) }
        guard !present.isEmpty else { return nil }
        switch column.values {
        case .int64(let v): return Double(present.filter { v[$0] == 1 }.count) / Double(present.count)
        case .float64(let v): return Double(present.filter { v[$0] == 1 }.count) / Double(present.count)
        case .bool(let v): return Double(present.filter { v[$0] }.count) / Double(present.count)
        case .utf8: return nil
        }
    }
}

/// Time-based version ids (`<prefix>YYYYMMDD_HHMMSS`, UTC); the store makes them unique.
enum VersionID {
    static func base(prefix: String, at date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return prefix + String(format: "%04d%02d%02d_%02d%02d%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
