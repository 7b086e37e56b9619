import GRDB

/// Versioned schema changes, applied in order and recorded in the database, in GRDB's
/// `grdb_migrations` table (so databases migrated by GRDB's `DatabaseMigrator` carry on). Append;
/// never edit one that has shipped.
enum SQLiteMigrations {
    /// Applies the missing migrations in one `BEGIN IMMEDIATE` transaction: it takes the write lock
    /// before reading which migrations are applied, so of several processes opening a new database
    /// the first applies them all and the others, once they have the lock, find nothing left to do.
    static func migrate(_ pool: DatabasePool) throws {
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                let applied = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
                for (identifier, apply) in migrations where !applied.contains(identifier) {
                    try apply(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
                }
                return .commit
            }
        }
    }

    static var migrations: [(identifier: String, apply: (Database) throws -> Void)] {
        var list = Migrations()
        list.append("v1: runs, block runs, plugin records") { db in
            try db.execute(sql: """
                CREATE TABLE pipeline_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    pipeline TEXT NOT NULL,
                    status TEXT NOT NULL,
                    variables TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    completed_at DATETIME
                );
                CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs (pipeline, id);
                CREATE TABLE block_runs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    pipeline_run_id INTEGER NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
                    block TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    started_at DATETIME,
                    completed_at DATETIME,
                    error TEXT,
                    log_path TEXT,
                    output_path TEXT,
                    facets TEXT,
                    UNIQUE (pipeline_run_id, block)
                );
                CREATE TABLE plugin_records (
                    path TEXT PRIMARY KEY,
                    sha256 TEXT,
                    name TEXT,
                    version TEXT,
                    abi_version TEXT,
                    refused_reason TEXT,
                    seen_at DATETIME NOT NULL
                );
                """)
        }
        list.append("v2: code lineage, dataset and model versions, registry events") { db in
            try db.execute(sql: """
                ALTER TABLE pipeline_runs ADD COLUMN code TEXT;
                CREATE TABLE dataset_versions (
                    version TEXT PRIMARY KEY,
                    hash TEXT NOT NULL,
                    document TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    pipeline_run_id INTEGER NOT NULL
                );
                CREATE INDEX dataset_versions_by_run ON dataset_versions (pipeline_run_id);
                CREATE TABLE model_versions (
                    version TEXT PRIMARY KEY,
                    document TEXT NOT NULL,
                    created_at DATETIME NOT NULL,
                    pipeline_run_id INTEGER NOT NULL
                );
                CREATE INDEX model_versions_by_run ON model_versions (pipeline_run_id);
                CREATE TABLE registry_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    action TEXT NOT NULL,
                    version TEXT NOT NULL,
                    previous TEXT,
                    at DATETIME NOT NULL
                );
                """)
        }
        list.append("v3: predictions") { db in
            try db.execute(sql: """
                CREATE TABLE predictions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    source TEXT NOT NULL,
                    request_id TEXT,
                    model_version TEXT NOT NULL,
                    inputs TEXT NOT NULL,
                    outputs TEXT NOT NULL,
                    latency_ms REAL,
                    user_id TEXT,
                    at DATETIME NOT NULL
                );
                CREATE INDEX predictions_by_version ON predictions (model_version, source, id);
                """)
        }
        // The web API counts runs in flight and pages runs by status (with and without their pipeline) on
        // every request; without these each was a scan of every run.
        list.append("v4: runs by status") { db in
            try db.execute(sql: """
                CREATE INDEX pipeline_runs_by_status ON pipeline_runs (status, id);
                CREATE INDEX pipeline_runs_by_pipeline_status ON pipeline_runs (pipeline, status, id);
                """)
        }
        // Runs became durable jobs: claimed by an owner under a lease, cancelled through a flag, rescued
        // when the owner's lease runs out; a retry waits in the store. The status sets are closed here,
        // in the database, as of this migration (a new status needs a migration that replaces these).
        list.append("v5: run queue") { db in
            let runStatuses = "'initial', 'running', 'completed', 'failed', 'cancelled'"
            let blockStatuses = "'initial', 'queued', 'running', 'completed', 'failed', 'cancelled', 'upstream_failed'"
            try db.execute(sql: """
                ALTER TABLE pipeline_runs ADD COLUMN started_at DATETIME;
                ALTER TABLE pipeline_runs ADD COLUMN owner TEXT;
                ALTER TABLE pipeline_runs ADD COLUMN lease_expires_at DATETIME;
                ALTER TABLE pipeline_runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE pipeline_runs ADD COLUMN retry_on_host_failure INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE pipeline_runs ADD COLUMN host_failures INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE block_runs ADD COLUMN next_attempt_at DATETIME;
                CREATE INDEX pipeline_runs_running_by_owner ON pipeline_runs (owner) WHERE status = 'running';
                CREATE TRIGGER pipeline_runs_status_insert BEFORE INSERT ON pipeline_runs
                WHEN NEW.status NOT IN (\(runStatuses))
                BEGIN SELECT RAISE(ABORT, 'pipeline run status must be one of \(runStatuses.replacingOccurrences(of: "'", with: ""))'); END;
                CREATE TRIGGER pipeline_runs_status_update BEFORE UPDATE OF status ON pipeline_runs
                WHEN NEW.status NOT IN (\(runStatuses))
                BEGIN SELECT RAISE(ABORT, 'pipeline run status must be one of \(runStatuses.replacingOccurrences(of: "'", with: ""))'); END;
                CREATE TRIGGER block_runs_status_insert BEFORE INSERT ON block_runs
                WHEN NEW.status NOT IN (\(blockStatuses))
                BEGIN SELECT RAISE(ABORT, 'block run status must be one of \(blockStatuses.replacingOccurrences(of: "'", with: ""))'); END;
                CREATE TRIGGER block_runs_status_update BEFORE UPDATE OF status ON block_runs
                WHEN NEW.status NOT IN (\(blockStatuses))
                BEGIN SELECT RAISE(ABORT, 'block run status must be one of \(blockStatuses.replacingOccurrences(of: "'", with: ""))'); END;
                """)
        }
        // Triggers live in the store (synced from triggers.yaml, edited through the API); a run names the
        // trigger and tick it was made for, and the unique index makes a tick's run exist once, whoever
        // creates it.
        list.append("v6: pipeline schedules") { db in
            try db.execute(sql: """
                CREATE TABLE pipeline_schedules (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    pipeline TEXT NOT NULL,
                    name TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
                    schedule_type TEXT NOT NULL CHECK (schedule_type IN ('time', 'api')),
                    definition TEXT NOT NULL,
                    origin TEXT NOT NULL CHECK (origin IN ('file', 'api')),
                    file_digest TEXT,
                    token_digest TEXT,
                    token_hint TEXT,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL,
                        scheduled_through DATETIME,
                    cursor_version INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (pipeline, name)
                );
                ALTER TABLE pipeline_runs ADD COLUMN pipeline_schedule_id INTEGER;
                ALTER TABLE pipeline_runs ADD COLUMN execution_date DATETIME;
                ALTER TABLE pipeline_runs ADD COLUMN timeout_seconds REAL;
                ALTER TABLE pipeline_runs ADD COLUMN timeout_status TEXT;
                ALTER TABLE pipeline_runs ADD COLUMN sla_due_at DATETIME;
                ALTER TABLE pipeline_runs ADD COLUMN sla_missed_at DATETIME;
                ALTER TABLE pipeline_runs ADD COLUMN timed_out_at DATETIME;
                CREATE UNIQUE INDEX pipeline_runs_one_per_tick ON pipeline_runs (pipeline_schedule_id, execution_date)
                    WHERE execution_date IS NOT NULL;
                CREATE INDEX pipeline_runs_by_schedule ON pipeline_runs (pipeline_schedule_id, status)
                    WHERE pipeline_schedule_id IS NOT NULL;
                CREATE INDEX pipeline_runs_sla_pending ON pipeline_runs (sla_due_at)
                    WHERE sla_due_at IS NOT NULL AND sla_missed_at IS NULL;
                """)
        }
        // The registry's rules became the database's: at most one deployed version (a column under a partial
        // unique index; the state lived in each version's document until now, and of several documents marked
        // deployed the newest deployment keeps it), and the latest pointer as one row that a move sets only
        // from the value it read (filled from the last pointer event).
        list.append("v7: registry constraints") { db in
            try db.execute(sql: """
                ALTER TABLE model_versions ADD COLUMN deployed INTEGER NOT NULL DEFAULT 0;
                UPDATE model_versions SET deployed = 1 WHERE version = (
                    SELECT version FROM model_versions WHERE json_extract(document, '$.status') = 'deployed'
                    ORDER BY json_extract(document, '$.deployed_at') DESC, rowid DESC LIMIT 1);
                UPDATE model_versions SET document = json_set(document, '$.status', 'registered')
                WHERE deployed = 0 AND json_extract(document, '$.status') = 'deployed';
                CREATE UNIQUE INDEX model_versions_one_deployed ON model_versions (deployed) WHERE deployed = 1;
                CREATE TABLE registry_latest (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    version TEXT NOT NULL
                );
                INSERT INTO registry_latest (singleton, version)
                SELECT 1, version FROM registry_events WHERE action <> 'deploy' ORDER BY id DESC LIMIT 1;
                """)
        }
        return list.migrations
    }

    /// The migrations in the order appended.
    private struct Migrations {
        var migrations: [(identifier: String, apply: (Database) throws -> Void)] = []

        mutating func append(_ identifier: String, _ apply: @escaping (Database) throws -> Void) {
            migrations.append((identifier, apply))
        }
    }
}
