import Foundation
import Testing
@testable import MageHost

@Suite struct TriggerFileTests {
    static let file = "pipelines/p/triggers.yaml"

    static func parse(_ yaml: String) throws -> TriggerFile.Loaded {
        TriggerFile.parse(try ProjectFileReader.parse(yaml), pipeline: "p", file: file)
    }

    /// The problems of a file holding one trigger named `t` with `keys` (YAML lines) added.
    static func problems(_ keys: String) throws -> [String] {
        let loaded = try parse("triggers:\n- name: t\n" + keys.split(separator: "\n").map { "  \($0)\n" }.joined())
        #expect(loaded.triggers.isEmpty == !loaded.problems.isEmpty)
        return loaded.problems.map(\.description)
    }

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func readsMageKeysAndOurs() throws {
        let loaded = try Self.parse("""
            triggers:
            - name: daily_training
              schedule_type: time
              schedule_interval: '@daily'
              start_time: 2026-12-01 00:00:00
              status: active
              variables: {rows: 1000}
              sla: 3600
              timezone: Europe/Berlin
              catch_up: all
              settings:
                skip_if_previous_running: true
                allow_blocks_to_fail: false
                create_initial_pipeline_run: true
                pipeline_run_limit: 2
                timeout: 600
                timeout_status: cancelled
            - name: hook
              schedule_type: api
            - name: every_minute
              interval: 60
              start_time: '2026-12-01T00:00:30Z'
            """)
        #expect(loaded.problems.isEmpty)
        #expect(loaded.triggers.map(\.name) == ["daily_training", "hook", "every_minute"])
        let daily = loaded.triggers[0]
        #expect(daily.pipeline == "p")
        #expect(daily.schedule == .cron(try CronExpression("@daily")))
        #expect(daily.startTime == Self.date("2026-11-30T23:00:00Z"))  // midnight in Berlin
        #expect(daily.status == .active)
        #expect(daily.timeZone.identifier == "Europe/Berlin")
        #expect(daily.catchUp == .all)
        #expect(daily.variables == ["rows": .int(1000)])
        #expect(daily.sla == 3600)
        #expect(daily.settings == Trigger.Settings(skipIfPreviousRunning: true, allowBlocksToFail: false, createInitialPipelineRun: true,
                                                  pipelineRunLimit: 2, timeout: 600, timeoutStatus: .cancelled))
        let hook = loaded.triggers[1]
        #expect(hook.scheduleType == .api && hook.schedule == nil && hook.status == .inactive)
        #expect(hook.timeZoneName == "UTC" && hook.catchUp == .last && hook.settings == Trigger.Settings())
        #expect(loaded.triggers[2].schedule == .interval(seconds: 60))
    }

    @Test func nextRunTimes() throws {
        let loaded = try Self.parse("""
            triggers:
            - {name: cron, schedule_interval: '0 9 * * *', timezone: America/New_York, start_time: '2026-12-05 09:00:00'}
            - {name: every, interval: 3600, start_time: '2026-12-01T00:00:30+01:00'}
            - {name: once, schedule_interval: '@once', start_time: '2026-12-01 12:00:00'}
            - {name: api, schedule_type: api}
            """)
        #expect(loaded.problems.isEmpty)
        let now = Self.date("2026-12-03T10:00:00Z")
        let byName = Dictionary(uniqueKeysWithValues: loaded.triggers.map { ($0.name, $0) })
        // Not before start_time, and start_time itself counts.
        #expect(byName["cron"]?.nextRun(after: now) == Self.date("2026-12-05T14:00:00Z"))
        #expect(byName["cron"]?.nextRun(after: Self.date("2026-12-06T00:00:00Z")) == Self.date("2026-12-06T14:00:00Z"))
        #expect(byName["every"]?.nextRun(after: now) == Self.date("2026-12-03T10:00:30Z"))
        #expect(byName["every"]?.nextRun(after: Self.date("2026-12-03T10:00:30Z")) == Self.date("2026-12-03T11:00:30Z"))
        #expect(byName["every"]?.nextRun(after: Self.date("2026-11-01T00:00:00Z")) == Self.date("2026-11-30T23:00:30Z"))
        #expect(byName["once"]?.nextRun(after: now) == Self.date("2026-12-01T12:00:00Z"))  // due, not yet run
        #expect(byName["once"]?.nextRun(after: now, hasRun: true) == nil)
        #expect(byName["api"]?.nextRun(after: now) == nil)
    }

    @Test func startTimeFormats() {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(StartTime.parse("2026-12-01 00:00:00", in: berlin) == Self.date("2026-11-30T23:00:00Z"))
        #expect(StartTime.parse("2026-12-01 00:00", in: berlin) == Self.date("2026-11-30T23:00:00Z"))
        #expect(StartTime.parse("2026-12-01T00:00:00Z", in: berlin) == Self.date("2026-12-01T00:00:00Z"))
        #expect(StartTime.parse("2026-12-01T00:00:00-05:00", in: berlin) == Self.date("2026-12-01T05:00:00Z"))
        #expect(StartTime.parse("2026-12-01 00:00:00+0530", in: berlin) == Self.date("2026-11-30T18:30:00Z"))
        #expect(StartTime.parse("2026-12-01T00:00:00.250Z", in: berlin)?.timeIntervalSince(Self.date("2026-12-01T00:00:00Z")) == 0.25)
        // A wall time in Berlin's spring gap is the instant the gap ends.
        #expect(StartTime.parse("2026-03-29 02:30:00", in: berlin) == Self.date("2026-03-29T01:00:00Z"))
        for bad in ["2026-02-30 00:00:00", "2026-13-01 00:00:00", "2026-12-01", "12/01/2026 00:00", "2026-12-01 24:00:00",
                    "2026-12-01T00:00:00 Europe/Berlin", "2026-12-01T00:00:00+25:00", "tomorrow"] {
            #expect(StartTime.parse(bad, in: berlin) == nil, "\(bad)")
        }
    }

    @Test func everyBadInputIsNamedWithFileTriggerAndKey() throws {
        let prefix = "pipelines/p/triggers.yaml: trigger 't': "
        #expect(try Self.problems("schedule_interval: '61 * * * *'") == [prefix + "schedule_interval: minute: 61 is out of range 0-59"])
        #expect(try Self.problems("schedule_interval: '0 0 * * 9'") == [prefix + "schedule_interval: day-of-week: 9 is out of range 0-7"])
        #expect(try Self.problems("schedule_interval: '@daily'\nschedul_type: time") == [
            prefix + "schedul_type: unknown key (known: catch_up, interval, name, schedule_interval, schedule_type, settings, sla, start_time, status, timezone, variables)"])
        #expect(try Self.problems("schedule_interval: '@daily'\nsettings: {timeout: 5, retries: 2}") == [
            prefix + "settings.retries: unknown key (known: allow_blocks_to_fail, create_initial_pipeline_run, pipeline_run_limit, skip_if_previous_running, timeout, timeout_status)"])
        #expect(try Self.problems("schedule_interval: '@daily'\ntimezone: Mars/Olympus") == [
            prefix + "timezone: 'Mars/Olympus' is not an IANA time zone name (like Europe/Berlin or UTC)"])
        #expect(try Self.problems("schedule_interval: '@daily'\nstart_time: 01/12/2026") == [
            prefix + "start_time: '01/12/2026' is not a time like 2026-12-01 00:00:00 (read in the trigger's timezone) or ISO 8601 with a zone (2026-12-01T00:00:00Z)"])
        #expect(try Self.problems("schedule_interval: '@daily'\nstatus: 1") == [prefix + "status: '1' is not one of active, inactive"])
        #expect(try Self.problems("schedule_interval: '@daily'\nstatus: paused") == [prefix + "status: 'paused' is not one of active, inactive"])
        #expect(try Self.problems("schedule_type: event") == [prefix + "schedule_type: 'event' is not one of time, api"])
        #expect(try Self.problems("schedule_interval: '@daily'\ncatch_up: some") == [prefix + "catch_up: 'some' is not one of none, last, all"])
        #expect(try Self.problems("status: active") == [
            prefix + "schedule_interval: missing (@once, @hourly, @daily, @weekly, @monthly, a cron expression, or interval in seconds)"])
        #expect(try Self.problems("schedule_interval: '@daily'\ninterval: 60\nstart_time: 2026-12-01 00:00:00") == [
            prefix + "interval: give schedule_interval or interval, not both"])
        #expect(try Self.problems("interval: 0\nstart_time: 2026-12-01 00:00:00") == [prefix + "interval: must be at least 1 second, got 0"])
        #expect(try Self.problems("interval: 60") == [prefix + "start_time: missing: an interval counts from start_time"])
        #expect(try Self.problems("interval: 1.5\nstart_time: 2026-12-01 00:00:00") == [prefix + "interval: expected a whole number, got double"])
        #expect(try Self.problems("schedule_interval: '@once'") == [prefix + "start_time: missing: @once runs at start_time"])
        #expect(try Self.problems("schedule_interval: '@fortnightly'") == [
            prefix + "schedule_interval: unknown macro '@fortnightly' (known: @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually)"])
        #expect(try Self.problems("schedule_type: api\nschedule_interval: '@daily'") == [
            prefix + "schedule_type: an api trigger is run by requests; remove schedule_interval and interval"])
        #expect(try Self.problems("schedule_interval: '@daily'\nsla: -1") == [prefix + "sla: must be a positive number of seconds, got -1.0"])
        #expect(try Self.problems("schedule_interval: '@daily'\nvariables: [1, 2]") == [prefix + "variables: expected a mapping, got list"])
        #expect(try Self.problems("schedule_interval: '@daily'\nsettings: {pipeline_run_limit: 0, timeout: -5, timeout_status: ignored, skip_if_previous_running: maybe}") == [
            prefix + "settings.skip_if_previous_running: expected true or false, got string",
            prefix + "settings.pipeline_run_limit: must be at least 1, got 0",
            prefix + "settings.timeout: must be a positive number of seconds, got -5.0",
            prefix + "settings.timeout_status: 'ignored' is not one of failed, cancelled"])
    }

    @Test func oneBadTriggerDoesNotHideTheOthers() throws {
        let loaded = try Self.parse("""
            triggers:
            - {name: good, schedule_interval: '*/5 * * * *', status: active}
            - {name: bad_cron, schedule_interval: '0 25 * * *'}
            - {name: twice, schedule_interval: '@hourly'}
            - {schedule_interval: '@hourly'}
            - just a string
            - {name: twice, schedule_interval: '@daily'}
            - {name: also_good, schedule_type: api}
            """)
        #expect(loaded.triggers.map(\.name) == ["good", "also_good"])
        #expect(loaded.problems.map(\.description) == [
            "pipelines/p/triggers.yaml: trigger 'bad_cron': schedule_interval: hour: 25 is out of range 0-23",
            "pipelines/p/triggers.yaml: trigger 'twice': name: used by 2 triggers in this file",
            "pipelines/p/triggers.yaml: trigger '#4': name: missing",
            "pipelines/p/triggers.yaml: trigger '#5': expected a mapping of trigger keys, got string",
            "pipelines/p/triggers.yaml: trigger 'twice': name: used by 2 triggers in this file",
        ])
    }

    @Test func badFilesAndUnknownPipelines() throws {
        #expect(try Self.parse("trigger:\n- {name: a}\n").problems.map(\.description) == [
            "pipelines/p/triggers.yaml: trigger: unknown key (the file holds a 'triggers' list)"])
        #expect(try Self.parse("triggers: {name: a}\n").problems.map(\.description) == [
            "pipelines/p/triggers.yaml: triggers: expected a list, got map"])
        #expect(try Self.parse("- a\n").problems.map(\.description) == [
            "pipelines/p/triggers.yaml: the document: expected a mapping, got list"])

        let project = try TestEnvironment.project(pipelines: ["a": "blocks: []\n", "b": "blocks: []\n"])
        func write(_ uuid: String, _ yaml: String) throws {
            let folder = project.pipelinesDirectory.appendingPathComponent(uuid)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try yaml.write(to: folder.appendingPathComponent("triggers.yaml"), atomically: true, encoding: .utf8)
        }
        try write("a", "triggers:\n- {name: hourly, schedule_interval: '@hourly'}\n")
        try write("b", "triggers: [unclosed\n")
        try write("gone", "triggers:\n- {name: orphan, schedule_interval: '@hourly'}\n")
        let loaded = TriggerFile.load(project)
        #expect(loaded.triggers.map { "\($0.pipeline)/\($0.name)" } == ["a/hourly"])
        #expect(loaded.problems.count == 2)
        #expect(loaded.problems.first?.description.hasPrefix("pipelines/b/triggers.yaml: cannot parse: not valid YAML at line") == true)
        #expect(loaded.problems.last?.description == "pipelines/gone/triggers.yaml: no pipeline 'gone' (pipelines/gone/metadata.yaml does not exist): its triggers are refused")
    }
}
