import Foundation

/// What the scheduler does for one trigger at one instant: the execution dates that get runs, oldest
/// first, and where the trigger's cursor goes. Pure: the scheduler reads the store, asks this, writes.
public struct TickPlan: Sendable, Equatable {
    public var executionDates: [Date] = []
    /// The cursor afterwards; nil: it stays (nothing due, or the run limit holds the ticks back).
    public var through: Date?
    /// Ticks passed over without a run (missed under `catch_up`, or skipped while a run was in progress).
    public var skipped = 0
    /// Why ticks were passed over or held back, for the log.
    public var note: String?
}

/// Decides which ticks of a trigger get runs. A tick is on time when it is at most `onTimeWithin` seconds
/// old: every on-time tick gets its run (a scheduler that lagged a moment misses nothing). Older ticks were
/// missed while no scheduler ran, and `catch_up` decides: `none` drops them, `last` runs the newest of
/// them if no on-time tick follows it, `all` runs each (at most `catchUpBatch` per call; the rest on the
/// next calls). Then `skip_if_previous_running` passes every due tick over while a run of the trigger is
/// in progress, and `pipeline_run_limit` holds ticks back (the cursor waits) until runs finish.
public enum TickPlanner {
    public static let catchUpBatch = 100
    /// Enough iterations for a minutely cron expression missed for a year and more.
    static let iterationLimit = 2_000_000

    public static func plan(_ trigger: Trigger, schedule: PipelineSchedule, now: Date, inProgress: Int,
                            onTimeWithin grace: Double) -> TickPlan {
        guard trigger.status == .active else {
            // An inactive trigger's ticks pass unrun, so enabling it later does not catch them up.
            return passOver(trigger, schedule: schedule, now: now)
        }
        switch trigger.schedule {
        case nil:
            return TickPlan()
        case .once:
            guard schedule.scheduledThrough == nil, let start = trigger.startTime, start <= now else { return TickPlan() }
            return limited(TickPlan(executionDates: [start], through: start), trigger, inProgress: inProgress)
        case .cron, .interval:
            break
        }
        guard let cursor = schedule.scheduledThrough else {
            // New to the store: ticks count from the moment it came in; create_initial_pipeline_run runs once at once.
            let arrived = schedule.createdAt
            guard trigger.settings.createInitialPipelineRun else { return TickPlan(through: arrived) }
            let initial = Date(timeIntervalSince1970: arrived.timeIntervalSince1970.rounded(.down))
            return limited(TickPlan(executionDates: [initial], through: arrived), trigger, inProgress: inProgress)
        }
        let due = DueTicks(trigger, after: cursor, through: now, lateBefore: now.addingTimeInterval(-grace),
                           keepOldestLate: trigger.catchUp == .all ? catchUpBatch : 0)
        guard let newest = due.newest else { return TickPlan() }
        var plan = TickPlan(through: newest)
        switch trigger.catchUp {
        case .none:
            plan.executionDates = due.onTime
            plan.skipped = due.lateCount
        case .last where due.onTime.isEmpty:
            plan.executionDates = [due.newestLate].compactMap { $0 }
            plan.skipped = due.lateCount - 1
        case .last:
            plan.executionDates = due.onTime
            plan.skipped = due.lateCount
        case .all where due.lateCount > due.oldestLate.count:
            // More missed ticks than one batch: these now, the cursor after them, the rest next time.
            plan.executionDates = due.oldestLate
            plan.through = due.oldestLate.last
        case .all:
            plan.executionDates = due.oldestLate + due.onTime
        }
        if plan.skipped > 0 {
            plan.note = "\(plan.skipped) tick(s) missed while no scheduler ran (catch_up: \(trigger.catchUp.rawValue))"
        }
        if trigger.settings.skipIfPreviousRunning && inProgress > 0 {
            return TickPlan(through: newest, skipped: due.count,
                            note: "\(due.count) tick(s) skipped: a run of the trigger is in progress (skip_if_previous_running)")
        }
        return limited(plan, trigger, inProgress: inProgress)
    }

    /// Holds back the runs `pipeline_run_limit` has no room for: the cursor stops before the first of them.
    private static func limited(_ plan: TickPlan, _ trigger: Trigger, inProgress: Int) -> TickPlan {
        guard let limit = trigger.settings.pipelineRunLimit else { return plan }
        let room = max(0, limit - inProgress)
        guard plan.executionDates.count > room else { return plan }
        var held = plan
        held.executionDates = Array(plan.executionDates.prefix(room))
        held.through = held.executionDates.last
        held.note = "\(plan.executionDates.count - room) tick(s) wait: \(inProgress) run(s) in progress (pipeline_run_limit \(limit))"
        return held
    }

    /// Moves an inactive trigger's cursor past its due ticks without runs.
    private static func passOver(_ trigger: Trigger, schedule: PipelineSchedule, now: Date) -> TickPlan {
        switch trigger.schedule {
        case .cron?, .interval?:
            guard let cursor = schedule.scheduledThrough else { return TickPlan(through: schedule.createdAt) }
            let due = DueTicks(trigger, after: cursor, through: now, lateBefore: now, keepOldestLate: 0)
            return due.newest.map { TickPlan(through: $0, skipped: due.count) } ?? TickPlan()
        case .once?, nil:
            return TickPlan()
        }
    }
}

/// The ticks of a trigger after its cursor up to now: how many, the newest, the on-time ones, and the
/// oldest and newest of the late ones.
struct DueTicks {
    var count = 0
    var lateCount = 0
    var newest: Date?
    var newestLate: Date?
    var oldestLate: [Date] = []
    var onTime: [Date] = []

    init(_ trigger: Trigger, after cursor: Date, through now: Date, lateBefore: Date, keepOldestLate: Int) {
        var from = cursor
        // A fixed interval needs no walk over a long gap: jump to the last late tick, counting what it passes.
        if case .interval(let seconds)? = trigger.schedule, let start = trigger.startTime, keepOldestLate == 0 {
            let step = Double(seconds)
            let lastLate = floor((lateBefore.timeIntervalSince(start)) / step)
            let first = max(0, floor((cursor.timeIntervalSince(start)) / step) + 1)
            // Ticks first ..< lastLate - 1 are counted here; the walk starts at lastLate - 1, the newest late one.
            if lastLate - first > 2 {
                let skipped = Int(lastLate - 1 - first)
                count += skipped
                lateCount += skipped
                from = start.addingTimeInterval((lastLate - 2) * step)
            }
        }
        var iterations = 0
        while let tick = trigger.nextRun(after: from), tick <= now, iterations < TickPlanner.iterationLimit {
            iterations += 1
            count += 1
            newest = tick
            if tick < lateBefore {
                lateCount += 1
                newestLate = tick
                if oldestLate.count < keepOldestLate { oldestLate.append(tick) }
            } else {
                onTime.append(tick)
            }
            from = tick
        }
    }
}
