import Foundation

/// The PostgreSQL schema, versioned like the SQLite one: applied in order, recorded in
/// `mage_migrations`, appended, never edited. Migrating takes a transaction-scoped advisory lock first,
/// so of several processes starting at once one applies them and the others find them applied.
enum PostgresMigrations {
    /// The advisory lock's key: any fixed 64-bit number other programs are unlikely to use.
    static let lockKey = "7310450265148710657"

    static func migrate(_ connection: PostgresConnection) throws {
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [lockKey])
            try connection.query("CREATE TABLE IF NOT EXISTS mage_migrations (identifier TEXT PRIMARY KEY)")
            let applied = Set(try connection.query("SELECT identifier FROM mage_migrations").all.map { $0.string("identifier") })
            for (identifier, sql) in migrations where !applied.contains(identifier) {
                try connection.script(sql)
                try connection.query("INSERT INTO mage_migrations (identifier) VALUES ($1)", [identifier])
            }
        }
    }

    static let runStatuses = "'initial', 'running', 'completed', 'failed', 'cancelled'"
    static let blockStatuses = "'initial', 'queued', 'running', 'completed', 'failed', 'cancelled', 'upstream_failed'"

    /// One statement list per migration (libpq runs a multi-statement string without parameters).
    static let migrations: [(String, String)] = [
        ("v1: the store as the SQLite store's v5", """
            CREATE TABLE pipeline_runs (
                id BIGSERIAL PRIMARY KEY,
                pipeline TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN (\(runStatuses))),
                variables TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                started_at TIMESTAMPTZ,
                completed_at TIMESTAMPTZ,
                code TEXT,
                owner TEXT,
                lease_expires_at TIMESTAMPTZ,
                cancel_requested BOOLEAN NOT NULL DEFAULT false,
                retry_on_host_failure BOOLEAN NOT NULL DEFAULT false,
                host_failures INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs (pipeline, id);
            CREATE INDEX pipeline_runs_by_status ON pipeline_runs (status, id);
            CREATE INDEX pipeline_runs_by_pipeline_status ON pipeline_runs (pipeline, status, id);
            CREATE INDEX pipeline_runs_running_by_owner ON pipeline_runs (owner) WHERE status = 'running';
            CREATE TABLE block_runs (
                id BIGSERIAL PRIMARY KEY,
                pipeline_run_id BIGINT NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
                block TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN (\(blockStatuses))),
                attempts INTEGER NOT NULL DEFAULT 0,
                started_at TIMESTAMPTZ,
                completed_at TIMESTAMPTZ,
                error TEXT,
                log_path TEXT,
                output_path TEXT,
                facets TEXT,
                next_attempt_at TIMESTAMPTZ,
                UNIQUE (pipeline_run_id, block)
            );
            CREATE TABLE plugin_records (
                path TEXT PRIMARY KEY, sha256 TEXT, name TEXT, version TEXT, abi_version TEXT, refused_reason TEXT,
                seen_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE dataset_versions (
                seq BIGSERIAL, version TEXT PRIMARY KEY, hash TEXT NOT NULL, document TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL, pipeline_run_id BIGINT NOT NULL
            );
            CREATE INDEX dataset_versions_by_run ON dataset_versions (pipeline_run_id);
            CREATE TABLE model_versions (
                seq BIGSERIAL, version TEXT PRIMARY KEY, document TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
                pipeline_run_id BIGINT NOT NULL
            );
            CREATE INDEX model_versions_by_run ON model_versions (pipeline_run_id);
            CREATE TABLE registry_events (
                id BIGSERIAL PRIMARY KEY, action TEXT NOT NULL, version TEXT NOT NULL, previous TEXT, at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE predictions (
                id BIGSERIAL PRIMARY KEY, source TEXT NOT NULL, request_id TEXT, model_version TEXT NOT NULL,
                inputs TEXT NOT NULL, outputs TEXT NOT NULL, latency_ms DOUBLE PRECISION, user_id TEXT, at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX predictions_by_version ON predictions (model_version, source, id);
            """),
        ("v2: pipeline schedules (the SQLite store's v6)", """
            CREATE TABLE pipeline_schedules (
                id BIGSERIAL PRIMARY KEY,
                pipeline TEXT NOT NULL,
                name TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
                schedule_type TEXT NOT NULL CHECK (schedule_type IN ('time', 'api')),
                definition TEXT NOT NULL,
                origin TEXT NOT NULL CHECK (origin IN ('file', 'api')),
                file_digest TEXT,
                token_digest TEXT,
                token_hint TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                scheduled_through TIMESTAMPTZ,
                cursor_version BIGINT NOT NULL DEFAULT 0,
                UNIQUE (pipeline, name)
            );
            ALTER TABLE pipeline_runs ADD COLUMN pipeline_schedule_id BIGINT;
            ALTER TABLE pipeline_runs ADD COLUMN execution_date TIMESTAMPTZ;
            ALTER TABLE pipeline_runs ADD COLUMN timeout_seconds DOUBLE PRECISION;
            ALTER TABLE pipeline_runs ADD COLUMN timeout_status TEXT CHECK (timeout_status IN ('failed', 'cancelled'));
            ALTER TABLE pipeline_runs ADD COLUMN sla_due_at TIMESTAMPTZ;
            ALTER TABLE pipeline_runs ADD COLUMN sla_missed_at TIMESTAMPTZ;
            ALTER TABLE pipeline_runs ADD COLUMN timed_out_at TIMESTAMPTZ;
            CREATE UNIQUE INDEX pipeline_runs_one_per_tick ON pipeline_runs (pipeline_schedule_id, execution_date)
                WHERE execution_date IS NOT NULL;
            CREATE INDEX pipeline_runs_by_schedule ON pipeline_runs (pipeline_schedule_id, status)
                WHERE pipeline_schedule_id IS NOT NULL;
            CREATE INDEX pipeline_runs_sla_pending ON pipeline_runs (sla_due_at)
                WHERE sla_due_at IS NOT NULL AND sla_missed_at IS NULL;
            """),
        // As the SQLite store's v7: at most one deployed version, carried over from the documents (the newest
        // deployment wins), and the latest pointer as one row a move sets only from the value it read.
        ("v3: registry constraints (the SQLite store's v7)", """
            ALTER TABLE model_versions ADD COLUMN deployed BOOLEAN NOT NULL DEFAULT false;
            UPDATE model_versions SET deployed = true WHERE version = (
                SELECT version FROM model_versions WHERE document::jsonb ->> 'status' = 'deployed'
                ORDER BY document::jsonb ->> 'deployed_at' DESC NULLS LAST, seq DESC LIMIT 1);
            UPDATE model_versions SET document = jsonb_set(document::jsonb, '{status}', '"registered"')::text
            WHERE NOT deployed AND document::jsonb ->> 'status' = 'deployed';
            CREATE UNIQUE INDEX model_versions_one_deployed ON model_versions (deployed) WHERE deployed;
            CREATE TABLE registry_latest (
                singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                version TEXT NOT NULL
            );
            INSERT INTO registry_latest (singleton, version)
            SELECT 1, version FROM registry_events WHERE action <> 'deploy' ORDER BY id DESC LIMIT 1;
            """),
    ]
}
