import Foundation

/// A trigger refused, or a triggers.yaml that could not be read: the file, the trigger (when one is
/// known) and the problem, which starts with the key it is about.
public struct TriggerProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var trigger: String?
    public var message: String

    public var description: String {
        trigger.map { "\(file): trigger '\($0)': \(message)" } ?? "\(file): \(message)"
    }
}

/// The problems that refused one trigger, each starting with its key.
public struct TriggerRefused: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}

/// Reads every `pipelines/<uuid>/triggers.yaml` of a project. A bad trigger is refused and reported; the
/// others are kept, so one typo does not stop a project's schedules.
public enum TriggerFile {
    public struct Loaded: Sendable {
        public var triggers: [Trigger]
        public var problems: [TriggerProblem]
        /// Each valid trigger as the store keeps it, its digest that of its entry in the file.
        public var definitions: [ScheduleDefinition] = []
        /// Per pipeline whose file was read (or that has none): the names of its refused triggers. A
        /// pipeline whose file could not be read at all is absent, so syncing it changes nothing.
        public var refusedNames: [String: Set<String>] = [:]
    }

    static let keys: Set<String> = ["name", "schedule_type", "schedule_interval", "start_time", "status", "variables",
                                    "sla", "settings", "timezone", "interval", "catch_up"]
    static let settingsKeys: Set<String> = ["skip_if_previous_running", "allow_blocks_to_fail", "create_initial_pipeline_run",
                                            "pipeline_run_limit", "timeout", "timeout_status"]

    /// All triggers of the project, pipelines in name order, triggers in file order.
    public static func load(_ project: Project) -> Loaded {
        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: project.pipelinesDirectory.path)) ?? []).sorted()
        var loaded = Loaded(triggers: [], problems: [])
        for uuid in folders {
            let url = project.pipelinesDirectory.appendingPathComponent(uuid).appendingPathComponent("triggers.yaml")
            guard FileManager.default.fileExists(atPath: url.path) else {
                if FileManager.default.fileExists(atPath: project.pipelineFile(uuid).path) { loaded.refusedNames[uuid] = [] }
                continue
            }
            let file = "pipelines/\(uuid)/triggers.yaml"
            guard FileManager.default.fileExists(atPath: project.pipelineFile(uuid).path) else {
                loaded.problems.append(TriggerProblem(file: file, trigger: nil,
                    message: "no pipeline '\(uuid)' (pipelines/\(uuid)/metadata.yaml does not exist): its triggers are refused"))
                continue
            }
            let document: ConfigValue
            do { document = try ProjectFileReader.parse(ProjectFileReader.text(of: url)) }
            catch {
                loaded.problems.append(TriggerProblem(file: file, trigger: nil, message: "cannot parse: \(error)"))
                continue
            }
            let one = parse(document, pipeline: uuid, file: file)
            loaded.triggers += one.triggers
            loaded.problems += one.problems
            loaded.definitions += one.definitions
            if let refused = one.refusedNames[uuid] { loaded.refusedNames[uuid] = refused }
        }
        return loaded
    }

    /// One file's document: its valid triggers and a problem for each refused one.
    static func parse(_ document: ConfigValue, pipeline: String, file: String) -> Loaded {
        var loaded = Loaded(triggers: [], problems: [])
        let items: [ConfigValue]
        do {
            let top = try YAMLFields(document, path: "")
            for key in top.entries.keys.sorted() where key != "triggers" {
                loaded.problems.append(TriggerProblem(file: file, trigger: nil, message: "\(key): unknown key (the file holds a 'triggers' list)"))
            }
            items = try top.list("triggers") ?? []
        } catch {
            loaded.problems.append(TriggerProblem(file: file, trigger: nil, message: "\(error)"))
            return loaded
        }
        loaded.refusedNames[pipeline] = []
        // A name given twice is ambiguous (triggers are known by pipeline and name): all of them are refused.
        var counts: [String: Int] = [:]
        for item in items {
            if let name = item.objectValue?["name"].flatMap(YAMLFields.text) { counts[name, default: 0] += 1 }
        }
        for (index, item) in items.enumerated() {
            let label = item.objectValue?["name"].flatMap(YAMLFields.text) ?? "#\(index + 1)"
            if let count = counts[label], count > 1 {
                loaded.problems.append(TriggerProblem(file: file, trigger: label, message: "name: used by \(count) triggers in this file"))
                loaded.refusedNames[pipeline]!.insert(label)
                continue
            }
            switch trigger(item, pipeline: pipeline) {
            case .success(let trigger):
                loaded.triggers.append(trigger)
                loaded.definitions.append(ScheduleDefinition(trigger: trigger, document: item.objectValue ?? [:], origin: .file,
                                                             fileDigest: FileDigest.sha256(of: Data(item.jsonText.utf8))))
            case .failure(let refused):
                loaded.problems += refused.problems.map { TriggerProblem(file: file, trigger: label, message: $0) }
                loaded.refusedNames[pipeline]!.insert(label)
            }
        }
        return loaded
    }

    /// One trigger, or every problem found in it: a triggers.yaml entry, or a definition the store or
    /// the API holds.
    public static func trigger(_ item: ConfigValue, pipeline: String) -> Result<Trigger, TriggerRefused> {
        var problems: [String] = []
        func read<T>(_ body: () throws -> T?) -> T? {
            do { return try body() } catch { problems.append("\(error)"); return nil }
        }
        func choice<E: RawRepresentable & CaseIterable>(_ fields: YAMLFields, _ key: String, _ type: E.Type,
                                                         prefix: String = "") -> E? where E.RawValue == String {
            guard let text = read({ try fields.string(key) }) else { return nil }
            guard let value = E(rawValue: text) else {
                problems.append("\(prefix)\(key): '\(text)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            return value
        }
        let fields: YAMLFields
        do { fields = try YAMLFields(item, path: "") }
        catch { return .failure(TriggerRefused(problems: ["expected a mapping of trigger keys, got \(item.typeName)"])) }
        for key in fields.entries.keys.sorted() where !keys.contains(key) {
            problems.append("\(key): unknown key (known: \(keys.sorted().joined(separator: ", ")))")
        }
        let name = read { try fields.string("name") }
        if name == nil, (fields.entries["name"] ?? .null) == .null { problems.append("name: missing") }
        else if let name, name.isEmpty { problems.append("name: must not be empty") }

        // Refused (nil) when written wrong; time when absent, as in Mage.
        let scheduleType: Trigger.ScheduleType? = (fields.entries["schedule_type"] ?? .null) == .null
            ? .time : choice(fields, "schedule_type", Trigger.ScheduleType.self)
        let status = choice(fields, "status", Trigger.Status.self) ?? .inactive
        let catchUp = choice(fields, "catch_up", Trigger.CatchUp.self) ?? .last
        var timeZone = TimeZone(identifier: "UTC")!, timeZoneName = "UTC"
        if let zone = read({ try fields.string("timezone") }) {
            if let known = TimeZone(identifier: zone) { timeZone = known; timeZoneName = zone }
            else { problems.append("timezone: '\(zone)' is not an IANA time zone name (like Europe/Berlin or UTC)") }
        }
        var startTime: Date?
        if let text = read({ try fields.string("start_time") }) {
            startTime = StartTime.parse(text, in: timeZone)
            if startTime == nil {
                problems.append("start_time: '\(text)' is not a time like 2026-12-01 00:00:00 (read in the trigger's timezone) or ISO 8601 with a zone (2026-12-01T00:00:00Z)")
            }
        }
        let variables = read { try fields.map("variables") } ?? [:]
        let sla = read { try fields.double("sla") }
        if let sla, !(sla > 0) { problems.append("sla: must be a positive number of seconds, got \(sla)") }

        var settings = Trigger.Settings()
        if let map = read({ try fields.map("settings") }), let settingsFields = try? YAMLFields(.map(map), path: "settings") {
            for key in settingsFields.entries.keys.sorted() where !settingsKeys.contains(key) {
                problems.append("settings.\(key): unknown key (known: \(settingsKeys.sorted().joined(separator: ", ")))")
            }
            settings.skipIfPreviousRunning = read { try settingsFields.bool("skip_if_previous_running") } ?? false
            settings.allowBlocksToFail = read { try settingsFields.bool("allow_blocks_to_fail") } ?? false
            settings.createInitialPipelineRun = read { try settingsFields.bool("create_initial_pipeline_run") } ?? false
            settings.pipelineRunLimit = read { try settingsFields.int("pipeline_run_limit") }
            if let limit = settings.pipelineRunLimit, limit < 1 { problems.append("settings.pipeline_run_limit: must be at least 1, got \(limit)") }
            settings.timeout = read { try settingsFields.double("timeout") }
            if let timeout = settings.timeout, !(timeout > 0) { problems.append("settings.timeout: must be a positive number of seconds, got \(timeout)") }
            settings.timeoutStatus = choice(settingsFields, "timeout_status", Trigger.TimeoutStatus.self, prefix: "settings.") ?? .failed
        }

        var schedule: Trigger.Schedule?
        var scheduleText: String?
        func given(_ key: String) -> Bool { (fields.entries[key] ?? .null) != .null }
        let startMissing = !given("start_time")
        let interval = read { try fields.string("schedule_interval") }
        let seconds = read { try fields.int("interval") }
        switch (scheduleType, given("schedule_interval"), given("interval")) {
        case (nil, _, _):
            break  // the schedule_type was refused; its schedule cannot be judged
        case (.api, false, false):
            break
        case (.api, _, _):
            problems.append("schedule_type: an api trigger is run by requests; remove schedule_interval and interval")
        case (.time, false, false):
            problems.append("schedule_interval: missing (@once, @hourly, @daily, @weekly, @monthly, a cron expression, or interval in seconds)")
        case (.time, true, true):
            problems.append("interval: give schedule_interval or interval, not both")
        case (.time, true, false):
            guard let text = interval else { break }
            scheduleText = text
            if text.trimmingCharacters(in: .whitespaces).lowercased() == "@once" {
                schedule = .once
                if startMissing { problems.append("start_time: missing: @once runs at start_time") }
            } else {
                do { schedule = .cron(try CronExpression(text)) }
                catch { problems.append("schedule_interval: \(error)") }
            }
        case (.time, false, true):
            guard let every = seconds else { break }
            scheduleText = "every \(every) s"
            if every < 1 { problems.append("interval: must be at least 1 second, got \(every)") }
            else { schedule = .interval(seconds: Int64(every)) }
            if startMissing { problems.append("start_time: missing: an interval counts from start_time") }
        }

        guard problems.isEmpty, let name else { return .failure(TriggerRefused(problems: problems)) }
        return .success(Trigger(pipeline: pipeline, name: name, scheduleType: scheduleType ?? .time, schedule: schedule,
                                scheduleText: scheduleText, startTime: startTime, status: status, timeZone: timeZone, timeZoneName: timeZoneName,
                                catchUp: catchUp, variables: variables, sla: sla, settings: settings))
    }
}

/// `start_time` as Mage writes it (`2026-12-01 00:00:00`, a wall time in the trigger's zone; a time in a
/// DST gap is the instant the gap ends, a repeated one its first occurrence), or ISO 8601 with a zone
/// (`2026-12-01T00:00:00Z`, `2026-12-01T00:00:00+01:00`; seconds and a fraction optional).
enum StartTime {
    static func parse(_ text: String, in timeZone: TimeZone) -> Date? {
        let chars = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= chars.count else { return nil }
            var value = 0
            for c in chars[i..<(i + width)] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            i += width
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard i < chars.count, chars[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
              expect("T") || expect(" "), let hour = number(2), expect(":"), let minute = number(2) else { return nil }
        var second = 0, fraction = 0.0
        if expect(":") {
            guard let s = number(2) else { return nil }
            second = s
            if expect(".") {
                let start = i
                while i < chars.count, chars[i] >= 48 && chars[i] <= 57 { i += 1 }
                guard i > start, let f = Double("0." + String(decoding: chars[start..<i], as: UTF8.self)) else { return nil }
                fraction = f
            }
        }
        guard (1...12).contains(month), (1...Civil.daysIn(year: year, month: month)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        let wall = Civil.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        if i == chars.count {
            switch CronExpression.instant(forWall: wall, in: timeZone) {
            case .exact(let seconds), .gapEnd(let seconds): return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
            }
        }
        var offset = 0
        if expect("Z") {
            offset = 0
        } else {
            let negative: Bool
            if expect("+") { negative = false } else if expect("-") { negative = true } else { return nil }
            guard let hours = number(2) else { return nil }
            _ = expect(":")
            guard let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (negative ? -1 : 1)
        }
        guard i == chars.count else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(wall - Int64(offset)) + fraction)
    }
}
