import Foundation
import MageHost

/// A trigger in Mage's field names (`/api/pipeline_schedules`), plus where it was defined, when it runs
/// next, its last run and its runs in flight.
struct PipelineScheduleResource: Encodable {
    struct Settings: Encodable {
        var skip_if_previous_running: Bool
        var allow_blocks_to_fail: Bool
        var create_initial_pipeline_run: Bool
        var pipeline_run_limit: Int?
        var timeout: Double?
        var timeout_status: String
    }

    var id: Int64
    var name: String
    var pipeline_uuid: String
    var schedule_type: String
    var schedule_interval: String?
    var interval: Int64?
    var start_time: Date?
    var timezone: String?
    var status: String
    var catch_up: String?
    var variables: [String: ConfigValue]
    var sla: Double?
    var settings: Settings?
    /// `file` (triggers.yaml) or `api`.
    var origin: String
    /// The next time the scheduler runs it, ISO 8601 in its zone with the offset; nil for api and inactive
    /// triggers and for a `@once` that ran.
    var next_run_time: String?
    var last_pipeline_run_id: Int64?
    var last_pipeline_run_status: String?
    /// Its runs `initial` or `running`.
    var pipeline_runs_in_progress: Int
    /// An api trigger's token: masked (`••••` and its last four characters), except in the one answer
    /// that made it.
    var token: String?
    var created_at: Date
    var updated_at: Date
    /// Why the stored definition no longer validates (it cannot run); empty for a valid one.
    var errors: [String]

    init(_ schedule: PipelineSchedule, lastRun: PipelineRun?, inProgress: Int, now: Date, token: TriggerToken? = nil) {
        let document = schedule.definition.document
        id = schedule.id
        name = schedule.name
        pipeline_uuid = schedule.pipeline
        schedule_type = schedule.definition.scheduleType.rawValue
        status = schedule.definition.status.rawValue
        origin = schedule.definition.origin.rawValue
        last_pipeline_run_id = lastRun?.id
        last_pipeline_run_status = lastRun?.status.rawValue
        pipeline_runs_in_progress = inProgress
        created_at = schedule.createdAt
        updated_at = schedule.updatedAt
        if let token { self.token = token.text } else { self.token = schedule.tokenHint.map(TriggerToken.masked) }
        switch schedule.trigger() {
        case .success(let trigger):
            schedule_interval = document["schedule_interval"].flatMap { trigger.scheduleType == .time ? $0.stringValue : nil }
            if case .interval(let seconds)? = trigger.schedule { interval = seconds }
            start_time = trigger.startTime
            timezone = trigger.timeZoneName
            catch_up = trigger.catchUp.rawValue
            variables = trigger.variables
            sla = trigger.sla
            settings = Settings(skip_if_previous_running: trigger.settings.skipIfPreviousRunning,
                                allow_blocks_to_fail: trigger.settings.allowBlocksToFail,
                                create_initial_pipeline_run: trigger.settings.createInitialPipelineRun,
                                pipeline_run_limit: trigger.settings.pipelineRunLimit, timeout: trigger.settings.timeout,
                                timeout_status: trigger.settings.timeoutStatus.rawValue)
            next_run_time = trigger.status == .active
                ? Self.nextRun(trigger, scheduledThrough: schedule.scheduledThrough, now: now).map { trigger.wallClock($0, separator: "T") }
                : nil
            errors = []
        case .failure(let refused):
            variables = document["variables"]?.objectValue ?? [:]
            errors = refused.problems
        }
    }

    /// The scheduler's next tick: after now and after the ticks it has dealt with (`scheduledThrough`).
    /// A `@once` that is past and not yet dealt with is due now: its time is its start.
    static func nextRun(_ trigger: Trigger, scheduledThrough: Date?, now: Date) -> Date? {
        let hasRun = scheduledThrough.map { through in trigger.startTime.map { through >= $0 } ?? true } ?? false
        let after = scheduledThrough.map { max($0, now) } ?? now
        return trigger.nextRun(after: after, hasRun: hasRun)
    }
}
