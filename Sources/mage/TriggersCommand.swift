import ArgumentParser
import Foundation
import MageHost

struct TriggersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "triggers", abstract: "Inspect the pipelines' triggers.",
                                                    subcommands: [List.self, Sync.self, Token.self])

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sync the triggers.yaml files into the store now (the scheduler does it on start and when a file changes).",
            discussion: "Exits 1 when a trigger or a file was refused; the valid triggers are synced all the same.")

        @Argument(help: "The project folder.")
        var project: String

        func run() throws {
            let outcome: TriggerSync.Outcome
            do {
                let project = try Project(root: URL(fileURLWithPath: self.project))
                outcome = try TriggerSync(project: project, store: try project.openStore()).sync()
            } catch {
                throw fail(error)
            }
            if outcome.reports.isEmpty { print("triggers already in sync") }
            for (pipeline, report) in outcome.reports.sorted(by: { $0.key < $1.key }) {
                for (verb, names) in [("created", report.created), ("updated", report.updated), ("deleted", report.deleted)] {
                    for name in names { print("\(pipeline)\t\(name)\t\(verb)") }
                }
            }
            if !outcome.problems.isEmpty {
                print("refused:")
                for problem in outcome.problems { print("  \(problem)") }
                throw ExitCode.failure
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each trigger of each pipeline (pipelines/<uuid>/triggers.yaml), its next run time, and the refused ones.",
            discussion: "Exits 1 when a trigger or a file was refused, after listing everything.")

        @Argument(help: "The project folder.")
        var project: String

        @Option(help: "Compute next run times after this instant (ISO 8601 with a zone) instead of now.")
        var at: String?

        @Flag(help: "Print JSON.")
        var json = false

        struct Row: Encodable {
            var pipeline: String
            var name: String
            var schedule_type: String
            var schedule: String?
            var status: String
            var timezone: String
            var start_time: String?
            var catch_up: String
            var next_run: String?
        }

        struct Listing: Encodable {
            var triggers: [Row]
            var problems: [TriggerProblem]
        }

        func run() throws {
            let loaded: TriggerFile.Loaded
            let now: Date
            do {
                let project = try Project(root: URL(fileURLWithPath: self.project))
                if let at {
                    guard let instant = ISO8601DateFormatter().date(from: at) else {
                        throw MageError.usage("--at '\(at)' is not an ISO 8601 time with a zone, like 2026-12-03T10:00:00Z")
                    }
                    now = instant
                } else {
                    now = Date()
                }
                loaded = TriggerFile.load(project)
            } catch {
                throw fail(error)
            }
            let rows = loaded.triggers.map { trigger in
                Row(pipeline: trigger.pipeline, name: trigger.name, schedule_type: trigger.scheduleType.rawValue,
                    schedule: trigger.scheduleText, status: trigger.status.rawValue, timezone: trigger.timeZoneName,
                    start_time: trigger.startTime.map { trigger.wallClock($0) }, catch_up: trigger.catchUp.rawValue,
                    next_run: trigger.nextRun(after: now).map { trigger.wallClock($0) })
            }
            if json {
                try printJSON(Listing(triggers: rows, problems: loaded.problems))
            } else {
                if rows.isEmpty && loaded.problems.isEmpty { print("no triggers: add pipelines/<uuid>/triggers.yaml") }
                if !rows.isEmpty { print("pipeline\ttrigger\ttype\tschedule\tstatus\tnext run") }
                for row in rows {
                    let next = row.next_run.map { "\($0) \(row.timezone)" } ?? "-"
                    print("\(row.pipeline)\t\(row.name)\t\(row.schedule_type)\t\(row.schedule ?? "-")\t\(row.status)\t\(next)")
                }
                if !loaded.problems.isEmpty {
                    print("refused:")
                    for problem in loaded.problems { print("  \(problem)") }
                }
            }
            if !loaded.problems.isEmpty { throw ExitCode.failure }
        }
    }
}
