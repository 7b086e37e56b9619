import Foundation
import GRDB

/// The embedded metadata store: one SQLite file in WAL mode, so readers never wait on the writer and
/// several `mage` processes on one machine share it.
public final class SQLiteStore: MetadataStore {
    private let pool: DatabasePool

    public init(path: URL) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path.path, configuration: configuration)
        try SQLiteMigrations.migrator.migrate(pool)
    }

    public func pipelineRunCreate(_ params: PipelineRunCreateParams) throws -> PipelineRun {
        let variables = ConfigValue.map(params.variables).jsonText
        return try pool.write { db in
            try db.execute(sql: """
                INSERT INTO pipeline_runs (pipeline, status, variables, created_at) VALUES (?, ?, ?, ?)
                """, arguments: [params.pipeline, PipelineRunStatus.initial.rawValue, variables, params.createdAt])
            let id = db.lastInsertedRowID
            for block in params.blocks {
                try db.execute(sql: """
                    INSERT INTO block_runs (pipeline_run_id, block, status, attempts) VALUES (?, ?, ?, 0)
                    """, arguments: [id, block, BlockRunStatus.initial.rawValue])
            }
            return PipelineRun(id: id, pipeline: params.pipeline, status: .initial, variables: params.variables,
                               createdAt: params.createdAt, completedAt: nil)
        }
    }

    public func pipelineRunSetStatus(id: Int64, status: PipelineRunStatus, at: Date) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE pipeline_runs SET status = ?, completed_at = CASE WHEN ? THEN ? ELSE completed_at END
                WHERE id = ?
                """, arguments: [status.rawValue, status.isFinished, at, id])
        }
    }

    public func pipelineRunGet(id: Int64) throws -> PipelineRun? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM pipeline_runs WHERE id = ?", arguments: [id]).map(Self.pipelineRun)
        }
    }

    public func pipelineRunList(pipeline: String?, limit: Int) throws -> [PipelineRun] {
        try pool.read { db in
            let rows: [Row]
            if let pipeline {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM pipeline_runs WHERE pipeline = ? ORDER BY id DESC LIMIT ?",
                                        arguments: [pipeline, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM pipeline_runs ORDER BY id DESC LIMIT ?", arguments: [limit])
            }
            return rows.map(Self.pipelineRun)
        }
    }

    public func blockRunUpdate(_ u: BlockRunUpdate) throws {
        let facets = try u.facets.map { String(decoding: try JSON.encode($0, pretty: false), as: UTF8.self) }
        try pool.write { db in
            try db.execute(sql: """
                UPDATE block_runs SET status = ?,
                    attempts = COALESCE(?, attempts), started_at = COALESCE(?, started_at),
                    completed_at = COALESCE(?, completed_at),
                    error = CASE WHEN ? = 'completed' THEN NULL ELSE COALESCE(?, error) END,
                    log_path = COALESCE(?, log_path), output_path = COALESCE(?, output_path),
                    facets = COALESCE(?, facets)
                WHERE pipeline_run_id = ? AND block = ?
                """, arguments: [u.status.rawValue, u.attempts, u.startedAt, u.completedAt, u.status.rawValue, u.error, u.logPath,
                                 u.outputPath, facets, u.pipelineRunID, u.block])
        }
    }

    public func blockRunList(pipelineRunID: Int64) throws -> [BlockRun] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM block_runs WHERE pipeline_run_id = ? ORDER BY id",
                             arguments: [pipelineRunID]).map(Self.blockRun)
        }
    }

    public func blockRunLatestCompleted(pipeline: String, block: String) throws -> BlockRun? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT b.* FROM block_runs b JOIN pipeline_runs p ON p.id = b.pipeline_run_id
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

    private static func pipelineRun(_ row: Row) -> PipelineRun {
        let variablesText: String = row["variables"]
        let variables = (try? JSONDecoder().decode([String: ConfigValue].self, from: Data(variablesText.utf8))) ?? [:]
        return PipelineRun(id: row["id"], pipeline: row["pipeline"],
                           status: PipelineRunStatus(rawValue: row["status"]) ?? .failed,
                           variables: variables, createdAt: row["created_at"], completedAt: row["completed_at"])
    }

    private static func blockRun(_ row: Row) -> BlockRun {
        let facetsText: String? = row["facets"]
        let facets = facetsText.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        return BlockRun(id: row["id"], pipelineRunID: row["pipeline_run_id"], block: row["block"],
                        status: BlockRunStatus(rawValue: row["status"]) ?? .failed, attempts: row["attempts"],
                        startedAt: row["started_at"], completedAt: row["completed_at"], error: row["error"],
                        logPath: row["log_path"], outputPath: row["output_path"], facets: facets)
    }
}
