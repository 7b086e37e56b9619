import Foundation

/// Triggers on PostgreSQL: one row per trigger, its definition a JSON document of triggers.yaml's keys.
/// A sync locks the pipeline's rows (`FOR UPDATE`) so two schedulers syncing at once apply one plan each,
/// one after the other.
extension PostgresStore {
    public func scheduleCreate(_ definition: ScheduleDefinition, at: Date) throws -> PipelineSchedule {
        guard let row = try query("""
            INSERT INTO pipeline_schedules (pipeline, name, status, schedule_type, definition, origin, file_digest, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (pipeline, name) DO NOTHING RETURNING *
            """, Self.parameters(definition) + [PostgresText.date(at)]).first else {
            throw StoreConflict.nameTaken(definition)
        }
        return Self.schedule(row)
    }

    public func scheduleGet(id: Int64) throws -> PipelineSchedule? {
        try query("SELECT * FROM pipeline_schedules WHERE id = $1", [String(id)]).first.map(Self.schedule)
    }

    public func scheduleList(pipeline: String?) throws -> [PipelineSchedule] {
        try query("SELECT * FROM pipeline_schedules WHERE $1::text IS NULL OR pipeline = $1 ORDER BY pipeline, name", [pipeline])
            .all.map(Self.schedule)
    }

    public func scheduleUpdate(id: Int64, _ definition: ScheduleDefinition, at: Date) throws -> PipelineSchedule? {
        try transaction { c in
            guard let current = try c.query("SELECT * FROM pipeline_schedules WHERE id = $1 FOR UPDATE", [String(id)]).first.map(Self.schedule)
            else { return nil }
            if let other = try c.query("SELECT id FROM pipeline_schedules WHERE pipeline = $1 AND name = $2",
                                       [current.pipeline, definition.name]).first?.int64("id"), other != id {
                throw StoreConflict.nameTaken(definition)
            }
            return try Self.replace(id: id, definition, at: at, c)
        }
    }

    public func scheduleDelete(id: Int64) throws -> Bool {
        try query("DELETE FROM pipeline_schedules WHERE id = $1", [String(id)]).affected == 1
    }

    public func scheduleSyncFile(pipeline: String, _ definitions: [ScheduleDefinition], refused: Set<String>,
                                 at: Date) throws -> ScheduleSyncReport {
        try transaction { c in
            // Serializes syncs of one pipeline, including the first (no rows to lock yet).
            try c.query("SELECT pg_advisory_xact_lock(hashtext($1))", ["mage.schedule_sync." + pipeline])
            let stored = try c.query("SELECT * FROM pipeline_schedules WHERE pipeline = $1 FOR UPDATE", [pipeline]).all.map(Self.schedule)
            let plan = ScheduleSyncPlan(stored: stored, file: definitions, refused: refused)
            for definition in plan.create {
                try c.query("""
                    INSERT INTO pipeline_schedules (pipeline, name, status, schedule_type, definition, origin, file_digest, created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
                    """, Self.parameters(definition) + [PostgresText.date(at)])
            }
            for (id, definition) in plan.replace { _ = try Self.replace(id: id, definition, at: at, c) }
            for schedule in plan.delete { try c.query("DELETE FROM pipeline_schedules WHERE id = $1", [String(schedule.id)]) }
            return plan.report
        }
    }

    public func scheduleSetToken(id: Int64, digest: String?, hint: String?) throws -> Bool {
        try query("UPDATE pipeline_schedules SET token_digest = $1, token_hint = $2 WHERE id = $3", [digest, hint, String(id)]).affected == 1
    }

    public func scheduleTick(_ tick: ScheduleTick) throws -> PipelineRun? {
        try transaction { c in
            let moved = try c.query("""
                UPDATE pipeline_schedules SET scheduled_through = $1, cursor_version = cursor_version + 1
                WHERE id = $2 AND cursor_version = $3
                """, [PostgresText.date(tick.through), String(tick.scheduleID), String(tick.fromVersion)])
            guard moved.affected == 1, let run = tick.run else { return nil }
            return try Self.insertRun(run, c)
        }
    }

    public func pipelineRunsMarkSLAMissed(at: Date) throws -> [PipelineRun] {
        try query("""
            UPDATE pipeline_runs SET sla_missed_at = $1
            WHERE sla_due_at IS NOT NULL AND sla_missed_at IS NULL AND sla_due_at < $1
                AND (status <> 'completed' OR completed_at > sla_due_at)
            RETURNING *
            """, [PostgresText.date(at)]).all.map(Self.pipelineRun).sorted { $0.id < $1.id }
    }

    private static func parameters(_ d: ScheduleDefinition) -> [String?] {
        [d.pipeline, d.name, d.status.rawValue, d.scheduleType.rawValue, ConfigValue.map(d.document).jsonText, d.origin.rawValue, d.fileDigest]
    }

    private static func replace(id: Int64, _ d: ScheduleDefinition, at: Date, _ c: PostgresConnection) throws -> PipelineSchedule? {
        try c.query("""
            UPDATE pipeline_schedules SET name = $1, status = $2, schedule_type = $3, definition = $4, origin = $5, file_digest = $6,
                updated_at = $7
            WHERE id = $8 RETURNING *
            """, [d.name, d.status.rawValue, d.scheduleType.rawValue, ConfigValue.map(d.document).jsonText, d.origin.rawValue,
                  d.fileDigest, PostgresText.date(at), String(id)]).first.map(schedule)
    }

    private static func schedule(_ row: PostgresRow) -> PipelineSchedule {
        let document = (try? ConfigValue(json: row.string("definition")))?.objectValue ?? [:]
        let definition = ScheduleDefinition(
            pipeline: row.string("pipeline"), name: row.string("name"), status: Trigger.Status(rawValue: row.string("status")) ?? .inactive,
            scheduleType: Trigger.ScheduleType(rawValue: row.string("schedule_type")) ?? .time, document: document,
            origin: PipelineSchedule.Origin(rawValue: row.string("origin")) ?? .api, fileDigest: row.text("file_digest"))
        return PipelineSchedule(id: row.int64("id"), definition: definition, createdAt: row.date("created_at") ?? Date(timeIntervalSince1970: 0),
                                updatedAt: row.date("updated_at") ?? Date(timeIntervalSince1970: 0),
                                scheduledThrough: row.date("scheduled_through"), cursorVersion: row.int64("cursor_version"), tokenDigest: row.text("token_digest"),
                                tokenHint: row.text("token_hint"))
    }
}
