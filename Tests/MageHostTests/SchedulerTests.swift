import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// The scheduler over a real project and a real store: triggers.yaml synced in, due runs created once
/// whoever ticks, the file's changes followed, refused triggers not stopping the others, and trigger
/// timeouts enforced on real block processes.
@Suite struct SchedulerTests {
    static let pipeline = """
        blocks:
        - {uuid: load, type: data_loader, plugin: c_numbers, configuration: {rows: 3}}
        """
    static let start = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z

    struct Harness {
        let project: Project
        let catalog: PluginCatalog
        let store: SQLiteStore
        let pluginDirectory: URL
        let logs = Lines()

        init(triggers: String, pipelines: [String: String] = ["p": "isolation: in_process\n" + SchedulerTests.pipeline],
             fixtures: [String] = ["c_features"]) throws {
            pluginDirectory = try TestEnvironment.pluginDirectory(fixtures: fixtures)
            project = try TestEnvironment.project(pipelines: pipelines)
            catalog = PluginCatalog(directories: [pluginDirectory], hashFiles: false)
            store = try SQLiteStore(path: project.databaseURL)
            try write(triggers)
        }

        func write(_ triggers: String) throws {
            try triggers.write(to: project.pipelinesDirectory.appendingPathComponent("p/triggers.yaml"), atomically: true, encoding: .utf8)
        }

        func scheduler(store: (any MetadataStore)? = nil) -> Scheduler {
            let logs = self.logs
            return Scheduler(project: project, catalog: catalog, store: store ?? self.store, log: { logs.append($0) })
        }

        func runs() throws -> [PipelineRun] {
            try store.pipelineRunList(PipelineRunFilter(), limit: 1000, offset: 0).reversed()
        }

        func dispatcher() -> RunDispatcher {
            RunDispatcher(project: project, catalog: catalog, store: store, options: ExecutionOptions(
                workerExecutable: TestEnvironment.mage, pluginDirectories: [pluginDirectory], executorCount: 2),
                timing: LeaseTiming(duration: 30, renewEvery: 0.2), pollEvery: 0.2)
        }
    }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    static let everyMinute = """
        triggers:
        - name: every_minute
          interval: 60
          start_time: 2025-12-01 00:00:00
          status: active
          variables: {}
          sla: 30
        """

    @Test func dueTicksBecomeInitialRunsOnceWhoeverTicks() throws {
        let harness = try Harness(triggers: Self.everyMinute)
        let first = harness.scheduler()
        #expect(try first.tick(now: Self.at(0.5)).isEmpty, "synced at 00:00:00.5: the next tick is 00:01")
        let schedule = try #require(try harness.store.scheduleList(pipeline: "p").first)
        #expect(schedule.name == "every_minute" && schedule.definition.origin == .file)

        let created = try first.tick(now: Self.at(60.2))
        #expect(created.map { $0.trigger?.executionDate } == [Self.at(60)])
        let run = try #require(created.first)
        #expect(run.status == .initial && run.trigger?.scheduleID == schedule.id && run.trigger?.slaDueAt == Self.at(90))
        #expect(try harness.store.blockRunList(pipelineRunID: run.id).map(\.block) == ["load"])

        // A second scheduler on its own connection, and a restarted one, tick at the same instants: nothing twice.
        let second = harness.scheduler(store: try SQLiteStore(path: harness.project.databaseURL))
        let restarted = harness.scheduler()
        for now in [60.3, 61, 120.1, 120.2] {
            for scheduler in [first, second, restarted] { try scheduler.tick(now: Self.at(now)) }
        }
        #expect(try harness.runs().compactMap { $0.trigger?.executionDate } == [Self.at(60), Self.at(120)])
    }

    @Test func aSchedulerBackAfterDowntimeCatchesUpAsTheTriggerSays() throws {
        let harness = try Harness(triggers: Self.everyMinute.replacingOccurrences(of: "  sla: 30", with: "  catch_up: last"))
        let scheduler = harness.scheduler()
        try scheduler.tick(now: Self.at(0))
        try scheduler.tick(now: Self.at(60.1))
        // Down from 00:01 to 00:10:30: ticks 2…10 missed; catch_up last runs 00:10 only.
        let back = harness.scheduler()
        #expect(try back.tick(now: Self.at(630)).map { $0.trigger?.executionDate } == [Self.at(600)])
        #expect(harness.logs.all.contains { $0.contains("8 tick(s) missed while no scheduler ran (catch_up: last)") }, "\(harness.logs.all)")

        try harness.write(Self.everyMinute.replacingOccurrences(of: "  sla: 30", with: "  catch_up: all"))
        #expect(try back.tick(now: Self.at(900.5)).map { $0.trigger?.executionDate } == (11...15).map { Self.at(Double($0) * 60) },
                "the changed file is synced and its catch_up applies")
        try harness.write(Self.everyMinute.replacingOccurrences(of: "  sla: 30", with: "  catch_up: none"))
        #expect(try back.tick(now: Self.at(1200 + 30)).isEmpty, "00:16…00:20 missed, none caught up")
        #expect(try back.tick(now: Self.at(1260.5)).map { $0.trigger?.executionDate } == [Self.at(1260)])
    }

    @Test func aRefusedTriggerKeepsItsLastGoodDefinitionAndDoesNotStopTheOthers() throws {
        let two = Self.everyMinute + """

            - name: other
              interval: 60
              start_time: 2025-12-01 00:00:30
              status: active
            """
        let harness = try Harness(triggers: two)
        let scheduler = harness.scheduler()
        try scheduler.tick(now: Self.at(0))
        try harness.write(two.replacingOccurrences(of: "  interval: 60\n  start_time: 2025-12-01 00:00:30", with: "  interval: -5\n  start_time: 2025-12-01 00:00:30"))
        let created = try scheduler.tick(now: Self.at(60.5))
        #expect(Set(created.compactMap { $0.trigger?.executionDate }) == [Self.at(30), Self.at(60)])
        #expect(harness.logs.all.contains { $0.contains("trigger 'other': interval: must be at least 1 second, got -5") }, "\(harness.logs.all)")
        #expect(try harness.store.scheduleList(pipeline: "p").count == 2)
        // Removing a trigger from the file removes it from the store.
        try harness.write(Self.everyMinute)
        try scheduler.tick(now: Self.at(61))
        #expect(try harness.store.scheduleList(pipeline: "p").map(\.name) == ["every_minute"])
    }

    @Test func aTriggerWhoseVariablesThePipelineDoesNotDeclareWaitsUntilMended() throws {
        let harness = try Harness(triggers: Self.everyMinute.replacingOccurrences(of: "variables: {}", with: "variables: {nope: 1}"))
        let scheduler = harness.scheduler()
        try scheduler.tick(now: Self.at(0))
        #expect(try scheduler.tick(now: Self.at(60.5)).isEmpty)
        #expect(try scheduler.tick(now: Self.at(61)).isEmpty)
        let refusals = harness.logs.all.filter { $0.contains("cannot be scheduled: variables.nope: the pipeline declares no such variable") }
        #expect(refusals.count == 1, "logged once, not on every pass: \(harness.logs.all)")
        try harness.write(Self.everyMinute)
        #expect(try scheduler.tick(now: Self.at(62)).map { $0.trigger?.executionDate } == [Self.at(60)], "the tick waited, on time still")
    }

    @Test func aTriggerDisabledThroughTheStoreStopsUntilEnabledAndDoesNotCatchUp() throws {
        let harness = try Harness(triggers: Self.everyMinute)
        let scheduler = harness.scheduler()
        try scheduler.tick(now: Self.at(0))
        let schedule = try #require(try harness.store.scheduleList(pipeline: "p").first)
        _ = try harness.store.scheduleUpdate(id: schedule.id, schedule.definition.with(status: .inactive), at: Self.at(1))
        #expect(try scheduler.tick(now: Self.at(300.5)).isEmpty)
        _ = try harness.store.scheduleUpdate(id: schedule.id, schedule.definition.with(status: .active), at: Self.at(301))
        #expect(try scheduler.tick(now: Self.at(330)).isEmpty, "the ticks it passed while inactive are not caught up")
        #expect(try scheduler.tick(now: Self.at(360.5)).map { $0.trigger?.executionDate } == [Self.at(360)])
    }

    @Test func aTriggerTimeoutStopsItsRunAsTheTriggerSays() async throws {
        let markers = try TemporaryFolder.make("markers")
        // Blocks in their own processes: a timeout kills the one running.
        func napping(_ name: String) -> String {
            """
            blocks:
            - {uuid: nap, type: transformer, plugin: sleep_first, configuration: {marker_file: \(markers.path)/\(name), seconds: 600}}
            - {uuid: after, type: transformer, plugin: sleep_first, upstream_blocks: [nap], configuration: {marker_file: \(markers.path)/\(name)-after, seconds: 0}}
            """
        }
        let harness = try Harness(triggers: "triggers: []\n", pipelines: ["p": napping("p"), "q": napping("q")], fixtures: ["sleep_first"])
        let schedule = try harness.store.scheduleCreate(ScheduleConformanceTests.definition("timed"), at: Date())
        var ids: [Int64] = []
        for (pipeline, status) in [("p", Trigger.TimeoutStatus.failed), ("q", .cancelled)] {
            let run = try harness.store.pipelineRunCreate(PipelineRunCreateParams(
                pipeline: pipeline, variables: [:], blocks: ["nap", "after"],
                trigger: RunTrigger(scheduleID: schedule.id, executionDate: nil, timeout: 1, timeoutStatus: status)))
            ids.append(run.id)
        }
        let dispatcher = harness.dispatcher()
        let task = Task { await dispatcher.run() }
        let deadline = Date().addingTimeInterval(120)
        while try ids.contains(where: { try harness.store.pipelineRunGet(id: $0)?.status.isFinished != true }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        dispatcher.stop(grace: 0)
        await task.value
        for (id, expected) in zip(ids, [PipelineRunStatus.failed, .cancelled]) {
            let run = try #require(try harness.store.pipelineRunGet(id: id))
            let blocks = try harness.store.blockRunList(pipelineRunID: id)
            #expect(run.status == expected && run.timedOutAt != nil, "run \(id): \(run.status)")
            let elapsed = try #require(run.completedAt).timeIntervalSince(try #require(run.startedAt))
            // About 1 s on a quiet machine; the bound leaves room for a loaded one and is far from the nap's 600 s.
            #expect(elapsed >= 1 && elapsed < 120, "stopped after its 1 s timeout, not its 600 s nap: \(elapsed)")
            #expect(blocks.first { $0.block == "nap" }?.status == .cancelled)
            #expect(blocks.first { $0.block == "after" }?.error?.contains("timed out: the run took longer than its trigger's timeout of 1.0 s") == true,
                    "\(blocks.map { "\($0.block) \($0.status) \($0.error ?? "")" })")
        }
    }
}
