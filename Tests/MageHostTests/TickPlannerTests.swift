import Foundation
import Testing
@testable import MageHost

/// Which ticks get runs: on time, missed (`catch_up`), skipped, held back by the run limit.
@Suite struct TickPlannerTests {
    static let start = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z

    static func trigger(_ extra: [String: ConfigValue] = [:], settings: [String: ConfigValue] = [:]) throws -> Trigger {
        var item: [String: ConfigValue] = ["name": .string("t"), "interval": .int(60), "start_time": .string("2025-12-01T00:00:00Z"), "status": .string("active")]
        item.merge(extra) { $1 }
        if !settings.isEmpty { item["settings"] = .map(settings) }
        return try TriggerFile.trigger(.map(item), pipeline: "p").get()
    }

    static func schedule(through: Date?, created: Date = start) -> PipelineSchedule {
        PipelineSchedule(id: 1, definition: ScheduleDefinition(pipeline: "p", name: "t", status: .active, scheduleType: .time, document: [:],
                                                               origin: .api, fileDigest: nil),
                         createdAt: created, updatedAt: created, scheduledThrough: through, tokenDigest: nil, tokenHint: nil)
    }

    static func minute(_ n: Double) -> Date { start.addingTimeInterval(n * 60) }

    func plan(_ trigger: Trigger, through: Date?, now: Date, inProgress: Int = 0) -> TickPlan {
        TickPlanner.plan(trigger, schedule: Self.schedule(through: through), now: now, inProgress: inProgress, onTimeWithin: 5)
    }

    @Test func aNewTriggerCountsTicksFromWhenItCameIntoTheStore() throws {
        let plan = self.plan(try Self.trigger(), through: nil, now: Self.minute(10))
        #expect(plan == TickPlan(through: Self.start), "the ticks before it existed are not missed ticks")
        let initial = self.plan(try Self.trigger(settings: ["create_initial_pipeline_run": .bool(true)]), through: nil, now: Self.minute(10))
        #expect(initial.executionDates == [Self.start] && initial.through == Self.start)
    }

    @Test func aTickOnTimeGetsItsRunAndNothingBeforeItsTime() throws {
        let trigger = try Self.trigger()
        #expect(plan(trigger, through: Self.minute(1), now: Self.minute(1.9)) == TickPlan())
        #expect(plan(trigger, through: Self.minute(1), now: Self.minute(2)) == TickPlan(executionDates: [Self.minute(2)], through: Self.minute(2)))
        // A scheduler a few seconds late misses nothing, whatever catch_up says.
        let lagging = plan(try Self.trigger(["interval": .int(1), "catch_up": .string("none")]), through: Self.start,
                           now: Self.start.addingTimeInterval(3.5))
        #expect(lagging.executionDates == (1...3).map { Self.start.addingTimeInterval(Double($0)) } && lagging.skipped == 0)
    }

    @Test func missedTicksFollowCatchUp() throws {
        let now = Self.minute(10).addingTimeInterval(20)  // ticks 2…10 were missed, none is on time
        let none = plan(try Self.trigger(["catch_up": .string("none")]), through: Self.minute(1), now: now)
        #expect(none.executionDates.isEmpty && none.through == Self.minute(10) && none.skipped == 9)
        let last = plan(try Self.trigger(["catch_up": .string("last")]), through: Self.minute(1), now: now)
        #expect(last.executionDates == [Self.minute(10)] && last.through == Self.minute(10) && last.skipped == 8)
        let all = plan(try Self.trigger(["catch_up": .string("all")]), through: Self.minute(1), now: now)
        #expect(all.executionDates == (2...10).map { Self.minute(Double($0)) } && all.skipped == 0)
        // With an on-time tick, last does not add the newest missed one: the on-time run covers the period.
        let onTime = plan(try Self.trigger(["catch_up": .string("last")]), through: Self.minute(1), now: Self.minute(10).addingTimeInterval(2))
        #expect(onTime.executionDates == [Self.minute(10)] && onTime.skipped == 8)
    }

    @Test func catchingUpAllGoesInBatchesAndALongGapOfAFixedIntervalIsNotWalked() throws {
        let every = try Self.trigger(["interval": .int(1), "catch_up": .string("all")])
        let now = Self.start.addingTimeInterval(1000)
        let batch = plan(every, through: Self.start, now: now)
        #expect(batch.executionDates.count == TickPlanner.catchUpBatch)
        #expect(batch.executionDates.first == Self.start.addingTimeInterval(1) && batch.through == batch.executionDates.last)
        // A year of one-second ticks missed: the newest missed tick, counted without a walk.
        let yearLater = Self.start.addingTimeInterval(365 * 86_400 + 0.5)
        let last = plan(try Self.trigger(["interval": .int(1), "catch_up": .string("last")]), through: Self.start, now: yearLater)
        #expect(last.executionDates.count == 5, "the ticks of the last 5 s are on time")
        #expect(last.executionDates.last == Self.start.addingTimeInterval(365 * 86_400))
        #expect(last.skipped == 365 * 86_400 - 5)
        let quiet = plan(try Self.trigger(["interval": .int(60), "catch_up": .string("last")]), through: Self.start,
                         now: Self.start.addingTimeInterval(365 * 86_400 + 30))
        #expect(quiet.executionDates == [Self.start.addingTimeInterval(365 * 86_400)] && quiet.skipped == 365 * 1440 - 1)
    }

    @Test func aRunInProgressSkipsOrHoldsBackTicks() throws {
        let skip = try Self.trigger(settings: ["skip_if_previous_running": .bool(true)])
        let skipped = plan(skip, through: Self.minute(1), now: Self.minute(2), inProgress: 1)
        #expect(skipped.executionDates.isEmpty && skipped.through == Self.minute(2) && skipped.skipped == 1)
        #expect(plan(skip, through: Self.minute(1), now: Self.minute(2), inProgress: 0).executionDates == [Self.minute(2)])

        let limited = try Self.trigger(["interval": .int(1), "catch_up": .string("all")], settings: ["pipeline_run_limit": .int(2)])
        let held = plan(limited, through: Self.start, now: Self.start.addingTimeInterval(4), inProgress: 1)
        #expect(held.executionDates == [Self.start.addingTimeInterval(1)] && held.through == Self.start.addingTimeInterval(1))
        let full = plan(limited, through: Self.start, now: Self.start.addingTimeInterval(4), inProgress: 2)
        #expect(full.executionDates.isEmpty && full.through == nil, "the cursor waits for room")
    }

    @Test func anInactiveTriggerPassesItsTicksWithoutRuns() throws {
        let inactive = try Self.trigger(["status": .string("inactive")])
        let plan = self.plan(inactive, through: Self.minute(1), now: Self.minute(30))
        #expect(plan.executionDates.isEmpty && plan.through == Self.minute(30) && plan.skipped == 29)
    }

    @Test func onceRunsAtItsStartTimeOnlyOnce() throws {
        let once = try Self.trigger(["interval": .null, "schedule_interval": .string("@once"), "start_time": .string("2025-12-01T00:05:00Z")])
        #expect(plan(once, through: nil, now: Self.minute(4)) == TickPlan())
        #expect(plan(once, through: nil, now: Self.minute(60)) == TickPlan(executionDates: [Self.minute(5)], through: Self.minute(5)))
        #expect(plan(once, through: Self.minute(5), now: Self.minute(60)) == TickPlan())
    }

    @Test func cronTicksAreReadOnTheTriggersClock() throws {
        let daily = try Self.trigger(["interval": .null, "schedule_interval": .string("0 9 * * *"), "timezone": .string("Europe/Berlin")])
        // 09:00 in Berlin in December is 08:00 UTC.
        let nine = Self.start.addingTimeInterval(8 * 3600)
        #expect(plan(daily, through: Self.start, now: nine.addingTimeInterval(1)).executionDates == [nine])
    }
}
