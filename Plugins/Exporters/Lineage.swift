import Foundation

/// The run's lineage document as the host's `lineage_json` service returns it (format
/// `swiftmage.lineage.v1`, docs/LINEAGE.md). This plugin cannot import the host, so it decodes its own
/// copy of the contract: identities are required, descriptions optional, unknown keys ignored.
public struct LineageDocument: Decodable, Sendable {
    public static let formatName = "swiftmage.lineage.v1"

    public var format: String
    public var project: String
    public var pipeline: PipelineRun
    public var code: Code
    public var datasets: [Dataset]
    public var blocks: [Block]
    public var models: [Model]

    public struct PipelineRun: Decodable, Sendable {
        public var uuid: String
        public var runID: Int64
        /// initial, running, completed, failed or cancelled.
        public var status: String
        public var createdAt: Timestamp
        public var completedAt: Timestamp?
        public var variables: [String: JSONValue]?

        enum CodingKeys: String, CodingKey {
            case uuid, status, variables
            case runID = "run_id"
            case createdAt = "created_at"
            case completedAt = "completed_at"
        }

        public var isFinished: Bool { ["completed", "failed", "cancelled"].contains(status) }
    }

    public struct Code: Decodable, Sendable {
        /// Absent when the project is not in a git repository.
        public var git: Git?
        public var plugins: [Plugin]?
    }

    public struct Git: Decodable, Sendable {
        public var commit: String
        public var branch: String?
        public var dirty: Bool?
    }

    public struct Plugin: Decodable, Sendable {
        public var name: String
        public var version: String?
        public var abi: String?
        public var path: String?
        public var sha256: String?
        public var blockKinds: [String]?

        enum CodingKeys: String, CodingKey {
            case name, version, abi, path, sha256
            case blockKinds = "block_kinds"
        }
    }

    /// One version of a data loader's output.
    public struct Dataset: Decodable, Sendable {
        public var version: String
        /// `sha256:<hex>` of the table's canonical encoding.
        public var hash: String
        public var rowCount: Int?
        public var featureCount: Int?
        public var features: [String]?
        public var label: String?
        public var labelRate: Double?
        public var schema: [Column]?
        public var createdAt: Timestamp?
        public var path: String?
        public var pipelineRunID: Int64?
        /// The loader block whose output this is.
        public var block: String

        enum CodingKeys: String, CodingKey {
            case version, hash, features, label, schema, path, block
            case rowCount = "row_count"
            case featureCount = "feature_count"
            case labelRate = "label_rate"
            case createdAt = "created_at"
            case pipelineRunID = "pipeline_run_id"
        }
    }

    public struct Column: Decodable, Sendable {
        public var name: String
        /// float64, int64, bool or utf8.
        public var type: String
        public var nullable: Bool?
    }

    public struct Block: Decodable, Sendable {
        public var uuid: String
        public var kind: String
        /// data_loader, transformer, data_exporter or model.
        public var type: String
        public var upstream: [String]
        /// initial, queued, running, completed, failed, cancelled or upstream_failed.
        public var status: String
        public var attempts: Int?
        public var startedAt: Timestamp?
        public var completedAt: Timestamp?
        public var durationSeconds: Double?
        public var error: String?
        public var facets: [String: JSONValue]?
        public var datasetVersion: String?

        enum CodingKeys: String, CodingKey {
            case uuid, kind, type, upstream, status, attempts, error, facets
            case startedAt = "started_at"
            case completedAt = "completed_at"
            case durationSeconds = "duration_seconds"
            case datasetVersion = "dataset_version"
        }

        public var isFinished: Bool { ["completed", "failed", "cancelled", "upstream_failed"].contains(status) }

        /// When the block stopped: `completed_at`, else start + duration, else nil.
        public var endDate: Date? {
            if let completedAt { return completedAt.date }
            if let startedAt, let durationSeconds { return startedAt.date.addingTimeInterval(durationSeconds) }
            return nil
        }
    }

    /// A model version registered by this run.
    public struct Model: Decodable, Sendable {
        public var version: String
        public var path: String?
        public var modelType: String?
        /// registered or deployed.
        public var status: String
        public var metrics: [String: JSONValue]?
        public var createdAt: Timestamp?
        public var deployedAt: Timestamp?
        public var pipelineRunID: Int64?
        /// The model block that trained it.
        public var block: String

        enum CodingKeys: String, CodingKey {
            case version, path, status, metrics, block
            case modelType = "model_type"
            case createdAt = "created_at"
            case deployedAt = "deployed_at"
            case pipelineRunID = "pipeline_run_id"
        }

        public var isDeployed: Bool { status == "deployed" }
    }

    public func block(_ uuid: String) -> Block? { blocks.first { $0.uuid == uuid } }

    /// The data version made from a loader block's output in this run.
    public func dataset(ofBlock uuid: String) -> Dataset? {
        if let version = block(uuid)?.datasetVersion, let d = datasets.first(where: { $0.version == version }) { return d }
        return datasets.first { $0.block == uuid }
    }

    /// Decodes and checks the format, with errors that name the offending key.
    public static func decode(_ data: Data) throws -> LineageDocument {
        let document: LineageDocument
        do {
            document = try JSONDecoder().decode(LineageDocument.self, from: data)
        } catch let error as DecodingError {
            throw ExportError.invalidInput("the lineage document does not follow \(formatName): \(describe(error))")
        } catch {
            throw ExportError.invalidInput("the lineage document is not valid JSON: \(error)")
        }
        guard document.format == formatName else {
            throw ExportError.invalidInput("the lineage document has format '\(document.format)', this plugin reads '\(formatName)'")
        }
        return document
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: CodingKey? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the document" : String(text.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let c): return "'\(path(c, key))' is missing"
        case .valueNotFound(_, let c): return "'\(path(c))' is null"
        case .typeMismatch(let type, let c): return "'\(path(c))' is not \(type == String.self ? "a string" : "of type \(type)")"
        case .dataCorrupted(let c): return "'\(path(c))': \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// An ISO 8601 date as the document writes it, with or without fractional seconds.
public struct Timestamp: Decodable, Sendable, Comparable {
    public var text: String
    public var date: Date

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        text = try c.decode(String.self)
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)' is not an ISO 8601 date"))
        }
        self.date = date
    }

    public init(_ date: Date) {
        self.date = date
        text = Timestamp.format(date)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.date < b.date }

    public static func parse(_ text: String) -> Date? {
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return d }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// UTC with milliseconds: `2026-11-29T16:02:11.000Z`.
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }
}

/// Why an export failed; the text becomes the block's error.
public enum ExportError: Error, CustomStringConvertible, Equatable {
    /// Bad configuration or an unreadable lineage document.
    case invalidInput(String)
    /// A file or a connection failed.
    case io(String)

    public var description: String {
        switch self {
        case .invalidInput(let m), .io(let m): m
        }
    }
}
