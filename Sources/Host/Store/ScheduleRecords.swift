import Foundation

/// A trigger as the store keeps it (Mage's pipeline schedule): its definition in triggers.yaml's keys,
/// the scheduler's cursor, and the digest of its API token. The store is what the scheduler reads;
/// triggers.yaml is synced into it, and the API edits it.
public struct PipelineSchedule: Sendable, Equatable {
    /// Where a trigger was defined. A file trigger is replaced when its text in the file changes.
    public enum Origin: String, Sendable, Codable, CaseIterable { case file, api }

    public var id: Int64
    public var definition: ScheduleDefinition
    public var createdAt: Date
    public var updatedAt: Date
    /// The latest tick the scheduler has dealt with (run, skipped or missed): ticks up to it are done.
    public var scheduledThrough: Date?
    /// Counts the cursor's moves: a scheduler moves it only from the version it read.
    public var cursorVersion: Int64
    /// SHA-256 (hex) of the API token; the token itself is shown once and never stored.
    public var tokenDigest: String?
    /// The token's last four characters, for listings (`…9f3a`).
    public var tokenHint: String?

    public var pipeline: String { definition.pipeline }
    public var name: String { definition.name }

    public init(id: Int64, definition: ScheduleDefinition, createdAt: Date, updatedAt: Date, scheduledThrough: Date?,
                cursorVersion: Int64 = 0, tokenDigest: String?, tokenHint: String?) {
        self.cursorVersion = cursorVersion
        self.id = id
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.scheduledThrough = scheduledThrough
        self.tokenDigest = tokenDigest
        self.tokenHint = tokenHint
    }

    /// The trigger, validated again as a triggers.yaml entry is: the one way a definition becomes a trigger.
    public func trigger() -> Result<Trigger, TriggerRefused> {
        TriggerFile.trigger(.map(definition.document), pipeline: pipeline)
    }
}

/// What defines a trigger: its pipeline, name and the mapping of triggers.yaml keys. `status` and
/// `scheduleType` repeat the mapping's values as columns, so the scheduler selects active time triggers
/// without reading every document.
public struct ScheduleDefinition: Sendable, Equatable {
    public var pipeline: String
    public var name: String
    public var status: Trigger.Status
    public var scheduleType: Trigger.ScheduleType
    /// The trigger's keys as triggers.yaml writes them (`name`, `schedule_interval`, `settings`, …).
    public var document: [String: ConfigValue]
    public var origin: PipelineSchedule.Origin
    /// For a file trigger: the digest of its entry in the file when last synced.
    public var fileDigest: String?

    public init(trigger: Trigger, document: [String: ConfigValue], origin: PipelineSchedule.Origin, fileDigest: String? = nil) {
        pipeline = trigger.pipeline
        name = trigger.name
        status = trigger.status
        scheduleType = trigger.scheduleType
        self.document = document
        self.origin = origin
        self.fileDigest = fileDigest
    }

    public init(pipeline: String, name: String, status: Trigger.Status, scheduleType: Trigger.ScheduleType,
                document: [String: ConfigValue], origin: PipelineSchedule.Origin, fileDigest: String?) {
        self.pipeline = pipeline
        self.name = name
        self.status = status
        self.scheduleType = scheduleType
        self.document = document
        self.origin = origin
        self.fileDigest = fileDigest
    }

    /// The definition with another status, in its document too.
    public func with(status: Trigger.Status) -> ScheduleDefinition {
        var copy = self
        copy.status = status
        copy.document["status"] = .string(status.rawValue)
        return copy
    }
}

/// What a run owes to the trigger that created it.
public struct RunTrigger: Sendable, Codable, Equatable {
    public var scheduleID: Int64
    /// The tick it runs for; nil for a run requested through the trigger's API. One run per trigger and
    /// execution date: the store refuses a second.
    public var executionDate: Date?
    /// Seconds the run may take from its start; then it is stopped and ends `timeoutStatus`.
    public var timeout: Double?
    public var timeoutStatus: Trigger.TimeoutStatus
    /// When it should have completed (its execution date, or creation, plus the trigger's `sla`).
    public var slaDueAt: Date?

    public init(scheduleID: Int64, executionDate: Date?, timeout: Double? = nil, timeoutStatus: Trigger.TimeoutStatus = .failed,
                slaDueAt: Date? = nil) {
        self.scheduleID = scheduleID
        self.executionDate = executionDate
        self.timeout = timeout
        self.timeoutStatus = timeoutStatus
        self.slaDueAt = slaDueAt
    }
}

/// One step of the scheduler for one trigger, written at once and only if nobody moved the cursor since
/// the scheduler read it (`fromVersion`): the cursor moves to `through`, and `run`, when given, is created
/// unless its trigger already has a run for its execution date.
public struct ScheduleTick: Sendable {
    public var scheduleID: Int64
    public var fromVersion: Int64
    public var through: Date
    public var run: PipelineRunCreateParams?

    public init(scheduleID: Int64, fromVersion: Int64, through: Date, run: PipelineRunCreateParams?) {
        self.scheduleID = scheduleID
        self.fromVersion = fromVersion
        self.through = through
        self.run = run
    }
}

/// What a sync of one pipeline's triggers.yaml changed in the store.
public struct ScheduleSyncReport: Sendable, Equatable {
    public var created: [String] = []
    public var updated: [String] = []
    public var deleted: [String] = []

    public init(created: [String] = [], updated: [String] = [], deleted: [String] = []) {
        self.created = created
        self.updated = updated
        self.deleted = deleted
    }

    public var isEmpty: Bool { created.isEmpty && updated.isEmpty && deleted.isEmpty }
}

/// A write the store refused because it would break a uniqueness rule (a trigger name taken).
public struct StoreConflict: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
