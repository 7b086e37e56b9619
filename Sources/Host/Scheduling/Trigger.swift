import Foundation

/// One validated trigger of a pipeline, from `pipelines/<uuid>/triggers.yaml` (Mage's keys, plus
/// `timezone`, `interval` and `catch_up`).
public struct Trigger: Sendable, Equatable {
    public enum ScheduleType: String, Sendable, Codable, CaseIterable { case time, api }
    public enum Status: String, Sendable, Codable, CaseIterable { case active, inactive }
    /// What happens to ticks missed while no scheduler ran: none, only the latest, or each of them.
    public enum CatchUp: String, Sendable, Codable, CaseIterable { case none, last, all }
    public enum TimeoutStatus: String, Sendable, Codable, CaseIterable { case failed, cancelled }

    public enum Schedule: Sendable, Equatable {
        /// `@once`: one run at `start_time`.
        case once
        /// A cron expression or macro (`@hourly` …), read on the trigger's wall clock.
        case cron(CronExpression)
        /// Every `seconds` from `start_time`.
        case interval(seconds: Int64)
    }

    public struct Settings: Sendable, Equatable {
        public var skipIfPreviousRunning = false
        public var allowBlocksToFail = false
        public var createInitialPipelineRun = false
        public var pipelineRunLimit: Int?
        public var timeout: Double?
        public var timeoutStatus: TimeoutStatus = .failed
    }

    public var pipeline: String
    public var name: String
    public var scheduleType: ScheduleType
    /// Nil for an api trigger: requests run it.
    public var schedule: Schedule?
    /// The schedule as written: `@daily`, `*/5 * * * *`, `every 3600 s`.
    public var scheduleText: String?
    public var startTime: Date?
    public var status: Status
    public var timeZone: TimeZone
    /// The zone's name as written (`UTC` by default): Foundation on Linux names UTC `GMT`.
    public var timeZoneName: String
    public var catchUp: CatchUp
    public var variables: [String: ConfigValue]
    /// Seconds after the scheduled time by which a run should have completed.
    public var sla: Double?
    public var settings: Settings

    /// The first scheduled time strictly after `instant`, never before `start_time`. `@once` is its
    /// `start_time` until it has run (even when that is past: it is due), then never; api triggers have
    /// none. The status is not consulted: an inactive trigger still has a schedule.
    public func nextRun(after instant: Date, hasRun: Bool = false) -> Date? {
        switch schedule {
        case nil:
            return nil
        case .once:
            return hasRun ? nil : startTime
        case .cron(let cron):
            // A fire time at start_time itself counts: search from one second before it.
            let from = startTime.map { max(instant, $0.addingTimeInterval(-1)) } ?? instant
            return cron.next(after: from, in: timeZone)
        case .interval(let seconds):
            guard let start = startTime else { return nil }
            let elapsed = Int64(instant.timeIntervalSince(start).rounded(.down))
            if elapsed < 0 { return start }
            return start.addingTimeInterval(TimeInterval((elapsed / seconds + 1) * seconds))
        }
    }

    /// An instant on the trigger's wall clock with its offset: `2026-12-04 00:00:00+01:00`, or with `T`
    /// between date and time (ISO 8601) when `separator` says so.
    public func wallClock(_ date: Date, separator: String = " ") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd'\(separator)'HH:mm:ssxxx"
        return formatter.string(from: date)
    }
}
