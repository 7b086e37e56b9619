import Foundation
import GRDB

/// Triggers on SQLite: one row per trigger, its definition a JSON document of triggers.yaml's keys.
extension SQLiteStore {
    public func scheduleCreate(_ definition: ScheduleDefinition, at: Date) throws -> PipelineSchedule {
        try pool.write { db in
            if try Self.scheduleID(pipeline: definition.pipeline, name: definition.name, db) != nil {
                throw StoreConflict.nameTaken(definition)
            }
            try db.execute(sql: """
                INSERT INTO pipeline_schedules (pipeline, name, status, schedule_type, definition, origin, file_digest,
                                                created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [definition.pipeline, definition.name, definition.status.rawValue, definition.scheduleType.rawValue,
                                 ConfigValue.map(definition.document).jsonText, definition.origin.rawValue, definition.fileDigest, at, at])
            return try Self.schedule(id: db.lastInsertedRowID, db)!
        }
    }

    public func scheduleGet(id: Int64) throws -> PipelineSchedule? {
        try pool.read { db in try Self.schedule(id: id, db) }
    }

    public func scheduleList(pipeline: String?) throws -> [PipelineSchedule] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM pipeline_schedules WHERE ? IS NULL OR pipeline = ? ORDER BY pipeline, name",
                             arguments: [pipeline, pipeline]).map(Self.schedule)
        }
    }

    public func scheduleUpdate(id: Int64, _ definition: ScheduleDefinition, at: Date) throws -> PipelineSchedule? {
        try pool.write { db in
            guard let current = try Self.schedule(id: id, db) else { return nil }
            if let other = try Self.scheduleID(pipeline: current.pipeline, name: definition.name, db), other != id {
                throw StoreConflict.nameTaken(definition)
            }
            try Self.replace(id: id, definition, at: at, db)
            return try Self.schedule(id: id, db)
        }
    }

    public func scheduleDelete(id: Int64) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM pipeline_schedules WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
    }

    public func scheduleSyncFile(pipeline: String, _ definitions: [ScheduleDefinition], refused: Set<String>,
                                 at: Date) throws -> ScheduleSyncReport {
        try pool.write { db in
            let stored = try Row.fetchAll(db, sql: "SELECT * FROM pipeline_schedules WHERE pipeline = ?", arguments: [pipeline])
                .map(Self.schedule)
            let plan = ScheduleSyncPlan(stored: stored, file: definitions, refused: refused)
            for definition in plan.create {
                try db.execute(sql: """
                    INSERT INTO pipeline_schedules (pipeline, name, status, schedule_type, definition, origin, file_digest,
                                                    created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [pipeline, definition.name, definition.status.rawValue, definition.scheduleType.rawValue,
                                     ConfigValue.map(definition.document).jsonText, definition.origin.rawValue, definition.fileDigest,
                                     at, at])
            }
            for (id, definition) in plan.replace { try Self.replace(id: id, definition, at: at, db) }
            for schedule in plan.delete {
                try db.execute(sql: "DELETE FROM pipeline_schedules WHERE id = ?", arguments: [schedule.id])
            }
            return plan.report
        }
    }

    public func scheduleSetToken(id: Int64, digest: String?, hint: String?) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "UPDATE pipeline_schedules SET token_digest = ?, token_hint = ? WHERE id = ?",
                           arguments: [digest, hint, id])
            return db.changesCount == 1
        }
    }

    public func scheduleTick(_ tick: ScheduleTick) throws -> PipelineRun? {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE pipeline_schedules SET scheduled_through = ?, cursor_version = cursor_version + 1
                WHERE id = ? AND cursor_version = ?
                """, arguments: [tick.through, tick.scheduleID, tick.fromVersion])
            guard db.changesCount == 1, let run = tick.run else { return nil }
            return try Self.insertRun(run, db)
        }
    }

    public func pipelineRunsMarkSLAMissed(at: Date) throws -> [PipelineRun] {
        try pool.write { db in
            let ids = try Int64.fetchAll(db, sql: """
                SELECT id FROM pipeline_runs
                WHERE sla_due_at IS NOT NULL AND sla_missed_at IS NULL AND sla_due_at < ?
                    AND (status != 'completed' OR completed_at > sla_due_at)
                ORDER BY id
                """, arguments: [at])
            guard !ids.isEmpty else { return [] }
            let list = ids.map { _ in "?" }.joined(separator: ", ")
            try db.execute(sql: "UPDATE pipeline_runs SET sla_missed_at = ? WHERE id IN (\(list))",
                           arguments: StatementArguments([at] as [any DatabaseValueConvertible] + ids))
            return try Row.fetchAll(db, sql: "SELECT \(Self.runColumns) FROM pipeline_runs WHERE id IN (\(list)) ORDER BY id",
                                    arguments: StatementArguments(ids)).map(Self.pipelineRun)
        }
    }

    private static func replace(id: Int64, _ definition: ScheduleDefinition, at: Date, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE pipeline_schedules SET name = ?, status = ?, schedule_type = ?, definition = ?, origin = ?, file_digest = ?,
                updated_at = ?
            WHERE id = ?
            """, arguments: [definition.name, definition.status.rawValue, definition.scheduleType.rawValue,
                             ConfigValue.map(definition.document).jsonText, definition.origin.rawValue, definition.fileDigest, at, id])
    }

    private static func scheduleID(pipeline: String, name: String, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM pipeline_schedules WHERE pipeline = ? AND name = ?", arguments: [pipeline, name])
    }

    private static func schedule(id: Int64, _ db: Database) throws -> PipelineSchedule? {
        try Row.fetchOne(db, sql: "SELECT * FROM pipeline_schedules WHERE id = ?", arguments: [id]).map(schedule)
    }

    private static func schedule(_ row: Row) -> PipelineSchedule {
        let document = (try? ConfigValue(json: row["definition"]))?.objectValue ?? [:]
        let definition = ScheduleDefinition(
            pipeline: row["pipeline"], name: row["name"], status: Trigger.Status(rawValue: row["status"]) ?? .inactive,
            scheduleType: Trigger.ScheduleType(rawValue: row["schedule_type"]) ?? .time, document: document,
            origin: PipelineSchedule.Origin(rawValue: row["origin"]) ?? .api, fileDigest: row["file_digest"])
        return PipelineSchedule(id: row["id"], definition: definition, createdAt: row["created_at"], updatedAt: row["updated_at"],
                                scheduledThrough: row["scheduled_through"], cursorVersion: row["cursor_version"], tokenDigest: row["token_digest"],
                                tokenHint: row["token_hint"])
    }
}
