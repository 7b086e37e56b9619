import Foundation
import GRDB

/// Copies a project's SQLite store into an empty PostgreSQL store (`mage store copy`): every table, ids
/// kept, in one PostgreSQL transaction, then each identity sequence set past the largest id copied. The
/// target must hold nothing yet; it is migrated first, so both schemas are at the same version.
public enum StoreCopy {
    /// A table as both stores name its columns. `identity`: the column a sequence fills on PostgreSQL.
    struct Table {
        let name: String
        let columns: [String]
        var identity: String? = nil
    }

    /// Every table of the store, parents before children, each with the columns both stores share
    /// (`dataset_versions.seq` and `model_versions.seq` exist on PostgreSQL only: rows are copied in
    /// SQLite's insertion order, so the sequence numbers them in that order). A new table is one entry.
    static let tables: [Table] = [
        Table(name: "pipeline_schedules", columns: ["id", "pipeline", "name", "status", "schedule_type", "definition", "origin",
                                                    "file_digest", "token_digest", "token_hint", "created_at", "updated_at",
                                                    "scheduled_through", "cursor_version"], identity: "id"),
        Table(name: "pipeline_runs", columns: ["id", "pipeline", "status", "variables", "created_at", "started_at", "completed_at",
                                               "code", "owner", "lease_expires_at", "cancel_requested", "retry_on_host_failure",
                                               "host_failures", "pipeline_schedule_id", "execution_date", "timeout_seconds",
                                               "timeout_status", "sla_due_at", "sla_missed_at", "timed_out_at"], identity: "id"),
        Table(name: "block_runs", columns: ["id", "pipeline_run_id", "block", "status", "attempts", "started_at", "completed_at",
                                            "error", "log_path", "output_path", "facets", "next_attempt_at"], identity: "id"),
        Table(name: "plugin_records", columns: ["path", "sha256", "name", "version", "abi_version", "refused_reason", "seen_at"]),
        Table(name: "dataset_versions", columns: ["version", "hash", "document", "created_at", "pipeline_run_id"]),
        Table(name: "model_versions", columns: ["version", "document", "created_at", "pipeline_run_id", "deployed"]),
        Table(name: "registry_events", columns: ["id", "action", "version", "previous", "at"], identity: "id"),
        Table(name: "registry_latest", columns: ["singleton", "version"]),
        Table(name: "predictions", columns: ["id", "source", "request_id", "model_version", "inputs", "outputs", "latency_ms",
                                             "user_id", "at"], identity: "id"),
    ]

    /// Rows per INSERT statement.
    static let batch = 500

    /// Copies `source` into the store at `url`; returns how many rows of each table it copied.
    public static func copy(from source: SQLiteStore, to url: String) throws -> [(table: String, rows: Int)] {
        let target = try PostgresStore(url: url)
        return try source.pool.read { db in
            try target.transaction { c in
                for table in tables {
                    if try c.query("SELECT EXISTS (SELECT 1 FROM \(table.name)) AS taken").first?.bool("taken") == true {
                        throw MageError.usage("the target database already holds \(table.name) rows (\(PostgresStore.masked(url))): copy into an empty database")
                    }
                }
                var copied: [(String, Int)] = []
                for table in tables {
                    copied.append((table.name, try copy(table, from: db, into: c)))
                }
                return copied
            }
        }
    }

    /// One table, in batches, in SQLite's row order; then its sequence past the largest id.
    private static func copy(_ table: Table, from db: Database, into c: PostgresConnection) throws -> Int {
        let columns = table.columns.joined(separator: ", ")
        let rows = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM \(table.name) ORDER BY rowid")
        var pending: [[String?]] = [], count = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            let width = table.columns.count
            let placeholders = pending.indices.map { row in
                "(" + (1...width).map { "$\(row * width + $0)" }.joined(separator: ", ") + ")"
            }.joined(separator: ", ")
            try c.query("INSERT INTO \(table.name) (\(columns)) VALUES \(placeholders)", pending.flatMap { $0 })
            count += pending.count
            pending.removeAll(keepingCapacity: true)
        }
        while let row = try rows.next() {
            pending.append((0..<table.columns.count).map { text(row[$0] as DatabaseValue) })
            if pending.count == batch { try flush() }
        }
        try flush()
        if let identity = table.identity {
            try c.query("""
                SELECT setval(pg_get_serial_sequence('\(table.name)', '\(identity)'), COALESCE(MAX(\(identity)), 1), MAX(\(identity)) IS NOT NULL)
                FROM \(table.name)
                """)
        }
        return count
    }

    /// A SQLite value as PostgreSQL reads it in text: dates are already text (`yyyy-MM-dd HH:mm:ss.SSS`,
    /// UTC, which a UTC session reads as such) and booleans are 0 or 1, which PostgreSQL reads too.
    private static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: nil
        case .int64(let n): String(n)
        case .double(let d): String(d)
        case .string(let s): s
        case .blob(let data): String(decoding: data, as: UTF8.self)
        }
    }
}
