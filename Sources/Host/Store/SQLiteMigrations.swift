import GRDB

/// Versioned schema changes, applied in order and recorded in the database. Append; never edit one
/// that has shipped.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, block runs, plugin records") { db in
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
        migrator.registerMigration("v2: code lineage, dataset and model versions, registry events") { db in
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
        migrator.registerMigration("v3: predictions") { db in
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
        return migrator
    }
}
