import Foundation

/// Plugin records, code lineage, dataset and model versions, registry events and predictions on
/// PostgreSQL, as the SQLite store keeps them (JSON documents as text, dates to the millisecond).
extension PostgresStore {
    public func pluginRecordsReplace(_ records: [PluginRecord]) throws {
        try transaction { c in
            try c.query("DELETE FROM plugin_records")
            for r in records {
                try c.query("""
                    INSERT INTO plugin_records (path, sha256, name, version, abi_version, refused_reason, seen_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """, [r.path, r.sha256, r.name, r.version, r.abiVersion, r.refusedReason, PostgresText.date(r.seenAt)])
            }
        }
    }

    public func pluginRecordList() throws -> [PluginRecord] {
        try query("SELECT * FROM plugin_records ORDER BY path").all.map { row in
            PluginRecord(path: row.string("path"), sha256: row.text("sha256"), name: row.text("name"), version: row.text("version"),
                         abiVersion: row.text("abi_version"), refusedReason: row.text("refused_reason"),
                         seenAt: row.date("seen_at") ?? Date(timeIntervalSince1970: 0))
        }
    }

    public func pipelineRunSetCode(id: Int64, code: CodeLineage) throws {
        try query("UPDATE pipeline_runs SET code = $1 WHERE id = $2",
                  [String(decoding: try JSON.encode(code, pretty: false), as: UTF8.self), String(id)])
    }

    public func pipelineRunCode(id: Int64) throws -> CodeLineage? {
        try query("SELECT code FROM pipeline_runs WHERE id = $1", [String(id)]).first?.text("code")
            .map { try JSON.decode(CodeLineage.self, from: Data($0.utf8)) }
    }

    public func datasetVersionCreate(_ version: DatasetVersion, base: String) throws -> DatasetVersion {
        try insertVersioned(version, table: "dataset_versions", base: base, extra: ["hash": version.hash])
    }

    public func datasetVersionList(pipelineRunID: Int64?, limit: Int) throws -> [DatasetVersion] {
        try documents(table: "dataset_versions", pipelineRunID: pipelineRunID, limit: limit)
    }

    public func modelVersionCreate(_ version: ModelVersion, base: String) throws -> ModelVersion {
        try insertVersioned(version, table: "model_versions", base: base, extra: [:])
    }

    public func modelVersionGet(_ version: String) throws -> ModelVersion? {
        try query("SELECT document FROM model_versions WHERE version = $1", [version]).first?.text("document")
            .map { try JSON.decode(ModelVersion.self, from: Data($0.utf8)) }
    }

    public func modelVersionList(pipelineRunID: Int64?, limit: Int) throws -> [ModelVersion] {
        try documents(table: "model_versions", pipelineRunID: pipelineRunID, limit: limit)
    }

    public func predictionAppend(_ records: [PredictionRecord]) throws {
        guard !records.isEmpty else { return }
        try transaction { c in
            for record in records { try Self.insert(record, c) }
        }
    }

    public func predictionAppendCounting(_ record: PredictionRecord) throws -> Int {
        try transaction { c in
            // Counting callers of one source and version take turns, so each gets its own count.
            try c.query("SELECT pg_advisory_xact_lock(hashtext($1))", ["predictions:\(record.source.rawValue):\(record.modelVersion)"])
            try Self.insert(record, c)
            return try c.query("SELECT COUNT(*) AS n FROM predictions WHERE model_version = $1 AND source = $2",
                               [record.modelVersion, record.source.rawValue]).first?.int("n") ?? 0
        }
    }

    public func predictionList(modelVersion: String, source: PredictionRecord.Source, limit: Int) throws -> [PredictionRecord] {
        try query("SELECT * FROM predictions WHERE model_version = $1 AND source = $2 ORDER BY id DESC LIMIT $3",
                  [modelVersion, source.rawValue, String(limit)]).all.reversed().map { row in
            PredictionRecord(source: PredictionRecord.Source(rawValue: row.string("source")) ?? .predict, requestID: row.text("request_id"),
                             modelVersion: row.string("model_version"), inputs: row.string("inputs"), outputs: row.string("outputs"),
                             latencyMilliseconds: row.double("latency_ms"), userID: row.text("user_id"),
                             at: row.date("at") ?? Date(timeIntervalSince1970: 0))
        }
    }

    public func predictionSummary(modelVersion: String, source: PredictionRecord.Source) throws -> PredictionSummary {
        let row = try query("SELECT COUNT(*) AS n, MAX(at) AS last FROM predictions WHERE model_version = $1 AND source = $2",
                            [modelVersion, source.rawValue]).first
        return PredictionSummary(count: row?.int("n") ?? 0, last: row?.date("last"))
    }

    private static func insert(_ r: PredictionRecord, _ c: PostgresConnection) throws {
        try c.query("""
            INSERT INTO predictions (source, request_id, model_version, inputs, outputs, latency_ms, user_id, at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [r.source.rawValue, r.requestID, r.modelVersion, r.inputs, r.outputs, r.latencyMilliseconds.map { String($0) },
                  r.userID, PostgresText.date(r.at)])
    }

    /// Stores a JSON document under the first free version id among base, base_2, base_3, … The table
    /// is locked for the insert, so concurrent creators take distinct ids in turn.
    private func insertVersioned<T: VersionedRecord>(_ record: T, table: String, base: String, extra: [String: String]) throws -> T {
        try transaction { c in
            try c.query("LOCK TABLE \(table) IN SHARE ROW EXCLUSIVE MODE")
            let taken = Set(try c.query("SELECT version FROM \(table) WHERE version = $1 OR version LIKE $2",
                                        [base, VersionedIDs.likePattern(base)]).all.map { $0.string("version") })
            let id = VersionedIDs.firstFree(base, taken: taken)
            let value = record.identified(as: id)
            let (created, run) = (value.createdAt, value.pipelineRunID)
            let document = String(decoding: try JSON.encode(value, pretty: false), as: UTF8.self)
            let columns = ["version", "document", "created_at", "pipeline_run_id"] + extra.keys.sorted()
            let values: [String?] = [id, document, PostgresText.date(created), String(run)]
                + extra.keys.sorted().map { extra[$0] }
            try c.query("INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\((1...columns.count).map { "$\($0)" }.joined(separator: ", ")))",
                        values)
            return value
        }
    }

    private func documents<T: Decodable>(table: String, pipelineRunID: Int64?, limit: Int) throws -> [T] {
        let rows = try pipelineRunID.map {
            try query("SELECT document FROM \(table) WHERE pipeline_run_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2", [String($0), String(limit)])
        } ?? query("SELECT document FROM \(table) ORDER BY created_at DESC, seq DESC LIMIT $1", [String(limit)])
        return try rows.all.map { try JSON.decode(T.self, from: Data($0.string("document").utf8)) }
    }
}
