import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// The triggers' half of the store protocol, on every store: definitions, the file sync, the scheduler's
/// guarded cursor, one run per tick, SLA stamps and timeout marks.
@Suite struct ScheduleConformanceTests {
    typealias Factory = StoreConformanceTests.Factory

    static func definition(_ name: String, pipeline: String = "p", status: Trigger.Status = .active, interval: Int = 60,
                           origin: PipelineSchedule.Origin = .api, digest: String? = nil) -> ScheduleDefinition {
        ScheduleDefinition(pipeline: pipeline, name: name, status: status, scheduleType: .time,
                           document: ["name": .string(name), "interval": .int(Int64(interval)), "start_time": .string("2026-12-01T00:00:00Z"),
                                      "status": .string(status.rawValue)],
                           origin: origin, fileDigest: digest)
    }

    static let t0 = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z

    static func tickRun(_ schedule: PipelineSchedule, at date: Date, sla: Double? = nil) -> PipelineRunCreateParams {
        PipelineRunCreateParams(pipeline: schedule.pipeline, variables: [:], blocks: ["a", "b"],
                                trigger: RunTrigger(scheduleID: schedule.id, executionDate: date, timeout: 30, timeoutStatus: .cancelled,
                                                    slaDueAt: sla.map { date.addingTimeInterval($0) }))
    }

    @Test(arguments: StoreConformanceTests.stores)
    func definitionsAreCreatedReadUpdatedAndDeleted(_ factory: Factory) throws {
        let store = try factory.make()
        let created = try store.scheduleCreate(Self.definition("hourly"), at: Self.t0)
        #expect(created.definition == Self.definition("hourly") && created.createdAt == Self.t0 && created.scheduledThrough == nil)
        #expect(try store.scheduleGet(id: created.id) == created)
        #expect(throws: StoreConflict.self) { try store.scheduleCreate(Self.definition("hourly"), at: Self.t0) }
        let other = try store.scheduleCreate(Self.definition("hourly", pipeline: "q"), at: Self.t0)
        #expect(other.id != created.id, "names are unique per pipeline only")
        _ = try store.scheduleCreate(Self.definition("alpha"), at: Self.t0)
        #expect(try store.scheduleList(pipeline: nil).map { "\($0.pipeline)/\($0.name)" } == ["p/alpha", "p/hourly", "q/hourly"])
        #expect(try store.scheduleList(pipeline: "q").map(\.id) == [other.id])

        let later = Self.t0.addingTimeInterval(5)
        let disabled = try #require(try store.scheduleUpdate(id: created.id, Self.definition("hourly").with(status: .inactive), at: later))
        #expect(disabled.definition.status == .inactive && disabled.definition.document["status"] == .string("inactive"))
        #expect(disabled.updatedAt == later && disabled.createdAt == Self.t0)
        #expect(throws: StoreConflict.self) { try store.scheduleUpdate(id: created.id, Self.definition("alpha"), at: later) }
        #expect(try store.scheduleUpdate(id: 999_999, Self.definition("x"), at: later) == nil)

        #expect(try store.scheduleSetToken(id: created.id, digest: String(repeating: "ab", count: 32), hint: "9f3a"))
        let tokened = try #require(try store.scheduleGet(id: created.id))
        #expect(tokened.tokenDigest == String(repeating: "ab", count: 32) && tokened.tokenHint == "9f3a")
        #expect(try store.scheduleSetToken(id: 999_999, digest: nil, hint: nil) == false)

        #expect(try store.scheduleDelete(id: created.id))
        #expect(try store.scheduleDelete(id: created.id) == false)
        #expect(try store.scheduleGet(id: created.id) == nil)
    }

    @Test(arguments: StoreConformanceTests.stores)
    func aFileSyncCreatesReplacesDeletesAndKeepsRefusedAndEditedTriggers(_ factory: Factory) throws {
        let store = try factory.make()
        let first = try store.scheduleSyncFile(pipeline: "p", [
            Self.definition("a", origin: .file, digest: "a1"), Self.definition("b", origin: .file, digest: "b1"),
            Self.definition("c", origin: .file, digest: "c1"),
        ], refused: [], at: Self.t0)
        #expect(first == ScheduleSyncReport(created: ["a", "b", "c"]))
        let api = try store.scheduleCreate(Self.definition("d"), at: Self.t0)
        // Disabling a file trigger through the API holds while its entry in the file stays as it was.
        let a = try #require(try store.scheduleList(pipeline: "p").first { $0.name == "a" })
        _ = try store.scheduleUpdate(id: a.id, a.definition.with(status: .inactive), at: Self.t0)

        let second = try store.scheduleSyncFile(pipeline: "p", [
            Self.definition("a", origin: .file, digest: "a1"), Self.definition("b", interval: 120, origin: .file, digest: "b2"),
            Self.definition("d", origin: .file, digest: "d1"),
        ], refused: ["c"], at: Self.t0.addingTimeInterval(1))
        #expect(second == ScheduleSyncReport(updated: ["b", "d"]), "c is refused in the file: its last good definition stays")
        let stored = Dictionary(uniqueKeysWithValues: try store.scheduleList(pipeline: "p").map { ($0.name, $0) })
        #expect(stored.keys.sorted() == ["a", "b", "c", "d"])
        #expect(stored["a"]?.definition.status == .inactive)
        #expect(stored["b"]?.definition.document["interval"] == .int(Int64(120)))
        #expect(stored["d"]?.id == api.id && stored["d"]?.definition.origin == .file, "the file takes over a name it now uses")

        let third = try store.scheduleSyncFile(pipeline: "p", [], refused: [], at: Self.t0.addingTimeInterval(2))
        #expect(third == ScheduleSyncReport(deleted: ["a", "b", "c", "d"]))
        #expect(try store.scheduleList(pipeline: nil).isEmpty)
    }

    @Test(arguments: StoreConformanceTests.stores)
    func aTickCreatesItsRunOnceAndMovesTheCursorOnlyFromTheVersionRead(_ factory: Factory) throws {
        let store = try factory.make()
        let schedule = try store.scheduleCreate(Self.definition("every_minute"), at: Self.t0)
        let tick1 = Self.t0.addingTimeInterval(60)
        let run = try #require(try store.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: 0, through: tick1,
                                                                   run: Self.tickRun(schedule, at: tick1, sla: 10))))
        #expect(run.status == .initial && run.trigger == RunTrigger(scheduleID: schedule.id, executionDate: tick1, timeout: 30,
                                                                    timeoutStatus: .cancelled, slaDueAt: tick1.addingTimeInterval(10)))
        #expect(try store.blockRunList(pipelineRunID: run.id).map(\.block) == ["a", "b"])
        let moved = try #require(try store.scheduleGet(id: schedule.id))
        #expect(moved.scheduledThrough == tick1 && moved.cursorVersion == 1)
        // A scheduler that read version 0 is too late: nothing is written.
        #expect(try store.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: 0, through: tick1,
                                                    run: Self.tickRun(schedule, at: tick1))) == nil)
        // The same tick again from the current version moves the cursor but the unique key refuses a second run.
        #expect(try store.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: 1, through: tick1,
                                                    run: Self.tickRun(schedule, at: tick1))) == nil)
        #expect(try store.pipelineRunCount(PipelineRunFilter(scheduleID: schedule.id)) == 1)
        // A tick with no run (skipped) moves the cursor only.
        let tick2 = tick1.addingTimeInterval(60)
        #expect(try store.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: 2, through: tick2, run: nil)) == nil)
        #expect(try store.scheduleGet(id: schedule.id)?.scheduledThrough == tick2)
        // Runs without an execution date (API requests) are not limited to one.
        for _ in 0..<2 {
            var request = Self.tickRun(schedule, at: tick1)
            request.trigger?.executionDate = nil
            _ = try store.pipelineRunCreate(request)
        }
        #expect(try store.pipelineRunCount(PipelineRunFilter(scheduleID: schedule.id)) == 3)
        #expect(try store.pipelineRunCount(PipelineRunFilter(statuses: [.initial], scheduleID: schedule.id)) == 3)
        #expect(try store.pipelineRunCount(PipelineRunFilter(scheduleID: schedule.id + 1)) == 0)
    }

    @Test(arguments: StoreConformanceTests.stores)
    func concurrentSchedulersCreateEachTickOnce(_ factory: Factory) async throws {
        let first = try factory.make()
        let schedule = try first.scheduleCreate(Self.definition("racy"), at: Self.t0)
        // Four connections race over the same 30 ticks, each from the cursor version it last read.
        let stores: [any MetadataStore] = [first] + (try (0..<3).map { _ in try Self.reopen(first, factory) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                group.addTask {
                    for n in 1...30 {
                        let current = try store.scheduleGet(id: schedule.id)!
                        let date = Self.t0.addingTimeInterval(Double(n) * 60)
                        _ = try store.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: current.cursorVersion, through: date,
                                                                run: Self.tickRun(schedule, at: date)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let runs = try first.pipelineRunList(PipelineRunFilter(scheduleID: schedule.id), limit: 100, offset: 0)
        let dates = runs.compactMap { $0.trigger?.executionDate }
        #expect(dates.count == Set(dates).count, "no tick has two runs")
        #expect(runs.count <= 30)
    }

    /// Another connection to the same database.
    static func reopen(_ store: any MetadataStore, _ factory: Factory) throws -> any MetadataStore {
        if let sqlite = store as? SQLiteStore { return try SQLiteStore(path: URL(fileURLWithPath: sqlite.pool.path)) }
        if let postgres = store as? PostgresStore { return try PostgresStore(url: postgres.url) }
        return try factory.make()
    }

    @Test(arguments: StoreConformanceTests.stores)
    func slaMissesAreStampedOnceOnRunsNotCompletedInTime(_ factory: Factory) throws {
        let store = try factory.make()
        let schedule = try store.scheduleCreate(Self.definition("sla"), at: Self.t0)
        let late = try #require(try store.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: 0, through: Self.t0,
                                                                    run: Self.tickRun(schedule, at: Self.t0, sla: 10))))
        let onTime = try #require(try store.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: 1, through: Self.t0.addingTimeInterval(1),
                                                                      run: Self.tickRun(schedule, at: Self.t0.addingTimeInterval(1), sla: 10))))
        let owner = "owner"
        #expect(try store.pipelineRunClaim(Lease(owner: owner, until: .distantFuture), at: Self.t0)?.id == late.id)
        #expect(try store.pipelineRunClaim(Lease(owner: owner, until: .distantFuture), at: Self.t0)?.id == onTime.id)
        #expect(try store.pipelineRunTransition(RunTransition(runID: onTime.id, from: .running, owner: owner, to: .completed,
                                                              at: Self.t0.addingTimeInterval(5))))
        #expect(try store.pipelineRunsMarkSLAMissed(at: Self.t0.addingTimeInterval(9)).isEmpty, "not due yet")
        let stamp = Self.t0.addingTimeInterval(20)
        #expect(try store.pipelineRunsMarkSLAMissed(at: stamp).map(\.id) == [late.id])
        #expect(try store.pipelineRunGet(id: late.id)?.slaMissedAt == stamp)
        #expect(try store.pipelineRunGet(id: onTime.id)?.slaMissedAt == nil)
        #expect(try store.pipelineRunsMarkSLAMissed(at: stamp.addingTimeInterval(1)).isEmpty, "stamped once")
        // A timed-out end is marked on the run.
        #expect(try store.pipelineRunTransition(RunTransition(runID: late.id, from: .running, owner: owner, to: .cancelled,
                                                              timedOut: true, at: stamp)))
        #expect(try store.pipelineRunGet(id: late.id)?.timedOutAt == stamp)
        #expect(try store.pipelineRunGet(id: onTime.id)?.timedOutAt == nil)
    }
}
