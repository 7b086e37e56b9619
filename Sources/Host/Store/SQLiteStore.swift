import Foundation
import GRDB

/// The embedded metadata store: one SQLite file in WAL mode, so readers never wait on the writer and
/// several `mage` processes on one machine share it.
public final class SQLiteStore: MetadataStore {
    let pool: DatabasePool
    public var backend: String { "sqlite" }

    /// Any number of processes may open one database at once. Opening is done under an exclusive lock
    /// on `<database>.lock`: switching a new file to WAL and GRDB's first write on opening need locks
    /// that SQLite refuses at once (SQLITE_BUSY) rather than waiting for with the busy timeout. The
    /// busy timeout is part of the configuration, so it holds from the connection's first statement;
    /// migrations run in one `BEGIN IMMEDIATE` transaction (`SQLiteMigrations.migrate`).
    public init(path: URL) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try FileLock.withExclusiveLock(Self.openLock(path)) {
            let pool = try DatabasePool(path: path.path, configuration: configuration)
            try SQLiteMigrations.migrate(pool)
            return pool
        }
    }

    /// The lock file beside the database that serializes opening it.
    public static func openLock(_ database: URL) -> URL {
        database.deletingLastPathComponent().appendingPathComponent(database.lastPathComponent + ".lock")
    }

    public func pipelineRunCreate(_ params: PipelineRunCreateParams) throws -> PipelineRun {
        try pool.write { db in try Self.insertRun(params, db)! }
    }

    /// Inserts a run and its block runs; nil when its trigger already has a run for its execution date.
    static func insertRun(_ params: PipelineRunCreateParams, _ db: Database) throws -> PipelineRun? {
        let status: PipelineRunStatus = params.lease == nil ? .initial : .running
        let trigger = params.trigger
        try db.execute(sql: """
            INSERT INTO pipeline_runs (pipeline, status, variables, created_at, started_at, owner, lease_expires_at,
                                       retry_on_host_failure, pipeline_schedule_id, execution_date, timeout_seconds,
                                       timeout_status, sla_due_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """, arguments: [params.pipeline, status.rawValue, ConfigValue.map(params.variables).jsonText, params.createdAt,
                             params.lease == nil ? nil : params.createdAt, params.lease?.owner, params.lease?.until,
                             params.retryOnHostFailure, trigger?.scheduleID, trigger?.executionDate, trigger?.timeout,
                             trigger?.timeoutStatus.rawValue, trigger?.slaDueAt])
        guard db.changesCount == 1 else { return nil }
        let id = db.lastInsertedRowID
        for block in params.blocks {
            try db.execute(sql: """
                INSERT INTO block_runs (pipeline_run_id, block, status, attempts) VALUES (?, ?, ?, 0)
                """, arguments: [id, block, BlockRunStatus.initial.rawValue])
        }
        return try Row.fetchOne(db, sql: "SELECT \(runColumns) FROM pipeline_runs WHERE id = ?", arguments: [id]).map(pipelineRun)
    }

    public func pipelineRunGet(id: Int64) throws -> PipelineRun? {
        try pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.runColumns) FROM pipeline_runs WHERE id = ?"), arguments: [id])
                .map(Self.pipelineRun)
        }
    }

    public func pipelineRunList(_ filter: PipelineRunFilter, limit: Int, offset: Int) throws -> [PipelineRun] {
        let (condition, arguments) = Self.whereClause(filter)
        return try pool.read { db in
            let statement = try db.cachedStatement(sql: "SELECT \(Self.runColumns) FROM pipeline_runs\(condition) ORDER BY id DESC LIMIT ? OFFSET ?")
            return try Array(Row.fetchCursor(statement, arguments: arguments + [limit, offset]).map(Self.pipelineRun))
        }
    }

    public func pipelineRunCount(_ filter: PipelineRunFilter) throws -> Int {
        let (condition, arguments) = Self.whereClause(filter)
        return try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pipeline_runs\(condition)", arguments: arguments) ?? 0
        }
    }

    private static func whereClause(_ filter: PipelineRunFilter) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let pipeline = filter.pipeline {
            conditions.append("pipeline = ?")
            arguments += [pipeline]
        }
        if let scheduleID = filter.scheduleID {
            conditions.append("pipeline_schedule_id = ?")
            arguments += [scheduleID]
        }
        if !filter.statuses.isEmpty {
            let statuses = filter.statuses.map(\.rawValue).sorted()
            conditions.append("status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))")
            arguments += StatementArguments(statuses)
        }
        return (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    public func blockRunList(pipelineRunID: Int64) throws -> [BlockRun] {
        try pool.read { db in
            let statement = try db.cachedStatement(sql: "SELECT \(Self.blockRunColumns) FROM block_runs WHERE pipeline_run_id = ? ORDER BY id")
            return try Array(Row.fetchCursor(statement, arguments: [pipelineRunID]).map(Self.blockRun))
        }
    }

    public func blockRunGet(id: Int64) throws -> BlockRun? {
        try pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.blockRunColumns) FROM block_runs WHERE id = ?"), arguments: [id])
                .map(Self.blockRun)
        }
    }

    public func blockRunSummaries(pipelineRunIDs: [Int64]) throws -> [Int64: BlockRunSummary] {
        guard !pipelineRunIDs.isEmpty else { return [:] }
        return try pool.read { db in
            // Not cached: the list of ids has the page's length.
            let statement = try db.makeStatement(sql: """
                SELECT pipeline_run_id, status, COUNT(*), MIN(started_at) FROM block_runs
                WHERE pipeline_run_id IN (\(pipelineRunIDs.map { _ in "?" }.joined(separator: ", ")))
                GROUP BY pipeline_run_id, status
                """)
            var summaries: [Int64: BlockRunSummary] = [:]
            let rows = try Row.fetchCursor(statement, arguments: StatementArguments(pipelineRunIDs))
            while let row = try rows.next() {
                guard let status = BlockRunStatus(rawValue: row[1]) else { continue }
                let id: Int64 = row[0]
                summaries[id, default: BlockRunSummary()].counts[status] = row[2]
                if let started: Date = row[3] {
                    summaries[id]!.firstStartedAt = min(started, summaries[id]!.firstStartedAt ?? started)
                }
            }
            return summaries
        }
    }

    public func blockRunLatestCompleted(pipeline: String, block: String) throws -> BlockRun? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT \(Self.joinedBlockRunColumns) FROM block_runs b JOIN pipeline_runs p ON p.id = b.pipeline_run_id
                WHERE p.pipeline = ? AND b.block = ? AND b.status = 'completed'
                ORDER BY b.completed_at DESC, b.id DESC LIMIT 1
                """, arguments: [pipeline, block]).map(Self.blockRun)
        }
    }

    public func pluginRecordsReplace(_ records: [PluginRecord]) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM plugin_records")
            for r in records {
                try db.execute(sql: """
                    INSERT INTO plugin_records (path, sha256, name, version, abi_version, refused_reason, seen_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [r.path, r.sha256, r.name, r.version, r.abiVersion, r.refusedReason, r.seenAt])
            }
        }
    }

    public func pluginRecordList() throws -> [PluginRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM plugin_records ORDER BY path").map { row in
                PluginRecord(path: row["path"], sha256: row["sha256"], name: row["name"], version: row["version"],
                             abiVersion: row["abi_version"], refusedReason: row["refused_reason"], seenAt: row["seen_at"])
            }
        }
    }

    public func pipelineRunSetCode(id: Int64, code: CodeLineage) throws {
        let text = String(decoding: try JSON.encode(code, pretty: false), as: UTF8.self)
        try pool.write { db in
            try db.execute(sql: "UPDATE pipeline_runs SET code = ? WHERE id = ?", arguments: [text, id])
        }
    }

    public func pipelineRunCode(id: Int64) throws -> CodeLineage? {
        let text = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT code FROM pipeline_runs WHERE id = ?", arguments: [id])
        }
        return try text.map { try JSON.decode(CodeLineage.self, from: Data($0.utf8)) }
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
        let text = try pool.read { db in
            try String.fetchOne(db, sql: "SELECT document FROM model_versions WHERE version = ?", arguments: [version])
        }
        return try text.map { try JSON.decode(ModelVersion.self, from: Data($0.utf8)) }
    }

    public func modelVersionList(pipelineRunID: Int64?, limit: Int) throws -> [ModelVersion] {
        try documents(table: "model_versions", pipelineRunID: pipelineRunID, limit: limit)
    }

    public func predictionAppend(_ records: [PredictionRecord]) throws {
        guard !records.isEmpty else { return }
        try pool.write { db in
            for record in records { try Self.insert(record, db) }
        }
    }

    public func predictionAppendCounting(_ record: PredictionRecord) throws -> Int {
        try pool.write { db in
            try Self.insert(record, db)
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM predictions WHERE model_version = ? AND source = ?",
                                    arguments: [record.modelVersion, record.source.rawValue]) ?? 0
        }
    }

    public func predictionList(modelVersion: String, source: PredictionRecord.Source, limit: Int) throws -> [PredictionRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM predictions WHERE model_version = ? AND source = ? ORDER BY id DESC LIMIT ?
                """, arguments: [modelVersion, source.rawValue, limit]).reversed().map { row in
                PredictionRecord(source: PredictionRecord.Source(rawValue: row["source"]) ?? .predict, requestID: row["request_id"],
                                 modelVersion: row["model_version"], inputs: row["inputs"], outputs: row["outputs"],
                                 latencyMilliseconds: row["latency_ms"], userID: row["user_id"], at: row["at"])
            }
        }
    }

    public func predictionSummary(modelVersion: String, source: PredictionRecord.Source) throws -> PredictionSummary {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, MAX(at) AS last FROM predictions WHERE model_version = ? AND source = ?
                """, arguments: [modelVersion, source.rawValue])
            return PredictionSummary(count: row?["n"] ?? 0, last: row?["last"])
        }
    }

    /// One prepared statement for every row of a batch; the date as GRDB stores one ("yyyy-MM-dd
    /// HH:mm:ss.SSS", UTC), written without GRDB's DateFormatter, so it reads back as a `Date` as usual.
    private static func insert(_ r: PredictionRecord, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO predictions (source, request_id, model_version, inputs, outputs, latency_ms, user_id, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [r.source.rawValue, r.requestID, r.modelVersion, r.inputs, r.outputs,
                                          r.latencyMilliseconds, r.userID, UTCTimestamp(r.at).text(separator: UInt8(ascii: " "), zone: false)])
    }

    /// Stores a JSON document under the first free version id among base, base_2, base_3, …
    private func insertVersioned<T: VersionedRecord>(_ record: T, table: String, base: String, extra: [String: String]) throws -> T {
        try pool.write { db in
            // One read of the ids taken under this base, in the write transaction (no other writer meanwhile).
            let taken = Set(try String.fetchAll(db, sql: "SELECT version FROM \(table) WHERE version = ? OR version LIKE ? ESCAPE '\\'",
                                                arguments: [base, VersionedIDs.likePattern(base)]))
            let id = VersionedIDs.firstFree(base, taken: taken)
            let value = record.identified(as: id)
            let (created, run) = (value.createdAt, value.pipelineRunID)
            let document = String(decoding: try JSON.encode(value, pretty: false), as: UTF8.self)
            let columns = ["version", "document", "created_at", "pipeline_run_id"] + extra.keys.sorted()
            let values: [any DatabaseValueConvertible] = [id, document, created, run] + extra.keys.sorted().map { extra[$0]! }
            try db.execute(sql: "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                           arguments: StatementArguments(values))
            return value
        }
    }

    private func documents<T: Decodable>(table: String, pipelineRunID: Int64?, limit: Int) throws -> [T] {
        let texts = try pool.read { db in
            if let pipelineRunID {
                return try String.fetchAll(db, sql: "SELECT document FROM \(table) WHERE pipeline_run_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?",
                                           arguments: [pipelineRunID, limit])
            }
            return try String.fetchAll(db, sql: "SELECT document FROM \(table) ORDER BY created_at DESC, rowid DESC LIMIT ?", arguments: [limit])
        }
        return try texts.map { try JSON.decode(T.self, from: Data($0.utf8)) }
    }

    // The columns a run and a block run are read from, selected in this order and read by position (looking
    // a column up by name in every row cost more than reading its value). A new column is a new case here,
    // read in the decoder below.
    enum RunColumn: Int, CaseIterable {
        case id, pipeline, status, variables, created_at, completed_at
        case started_at, owner, lease_expires_at, cancel_requested, retry_on_host_failure, host_failures
        case pipeline_schedule_id, execution_date, timeout_seconds, timeout_status, sla_due_at, sla_missed_at, timed_out_at
    }
    enum BlockRunColumn: Int, CaseIterable {
        case id, pipeline_run_id, block, status, attempts, started_at, completed_at, error, log_path, output_path, facets
        case next_attempt_at
    }

    static let runColumns = RunColumn.allCases.map { "\($0)" }.joined(separator: ", ")

    static let blockRunColumns = BlockRunColumn.allCases.map { "\($0)" }.joined(separator: ", ")
    /// The same of `block_runs b` in a join.
    private static let joinedBlockRunColumns = BlockRunColumn.allCases.map { "b.\($0)" }.joined(separator: ", ")

    static func pipelineRun(_ row: Row) -> PipelineRun {
        typealias C = RunColumn
        let variables = (try? ConfigValue(json: row[C.variables.rawValue]))?.objectValue ?? [:]
        let trigger = (row[C.pipeline_schedule_id.rawValue] as Int64?).map { id in
            RunTrigger(scheduleID: id, executionDate: row[C.execution_date.rawValue], timeout: row[C.timeout_seconds.rawValue],
                       timeoutStatus: (row[C.timeout_status.rawValue] as String?).flatMap(Trigger.TimeoutStatus.init) ?? .failed,
                       slaDueAt: row[C.sla_due_at.rawValue])
        }
        return PipelineRun(id: row[C.id.rawValue], pipeline: row[C.pipeline.rawValue],
                           status: PipelineRunStatus(rawValue: row[C.status.rawValue]) ?? .failed,
                           variables: variables, createdAt: row[C.created_at.rawValue], startedAt: row[C.started_at.rawValue],
                           completedAt: row[C.completed_at.rawValue], owner: row[C.owner.rawValue],
                           leaseExpiresAt: row[C.lease_expires_at.rawValue], cancelRequested: row[C.cancel_requested.rawValue],
                           retryOnHostFailure: row[C.retry_on_host_failure.rawValue], hostFailures: row[C.host_failures.rawValue],
                           trigger: trigger, slaMissedAt: row[C.sla_missed_at.rawValue], timedOutAt: row[C.timed_out_at.rawValue])
    }

    static func blockRun(_ row: Row) -> BlockRun {
        typealias C = BlockRunColumn
        let facetsText: String? = row[C.facets.rawValue]
        let facets = facetsText.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        return BlockRun(id: row[C.id.rawValue], pipelineRunID: row[C.pipeline_run_id.rawValue], block: row[C.block.rawValue],
                        status: BlockRunStatus(rawValue: row[C.status.rawValue]) ?? .failed, attempts: row[C.attempts.rawValue],
                        startedAt: row[C.started_at.rawValue], completedAt: row[C.completed_at.rawValue], error: row[C.error.rawValue],
                        logPath: row[C.log_path.rawValue], outputPath: row[C.output_path.rawValue], facets: facets,
                        nextAttemptAt: row[C.next_attempt_at.rawValue])
    }
}
