import Foundation
import Testing
@testable import MageHost

/// `mage triggers list` as a person runs it.
@Suite struct TriggersCommandTests {
    static func project(triggers: String) throws -> Project {
        let project = try TestEnvironment.project(pipelines: ["train": "blocks: []\n"])
        try triggers.write(to: project.pipelinesDirectory.appendingPathComponent("train/triggers.yaml"), atomically: true, encoding: .utf8)
        return project
    }

    static let yaml = """
        triggers:
        - {name: daily, schedule_interval: '@daily', status: active, timezone: Europe/Berlin, start_time: 2026-12-01 00:00:00}
        - {name: hook, schedule_type: api}
        - {name: broken, schedule_interval: '0 0 32 * *'}
        """

    @Test func listsTriggersInTheirZonesAndTheRefusedOnes() throws {
        let project = try Self.project(triggers: Self.yaml)
        let (code, out, err) = try TestEnvironment.runMage(["triggers", "list", project.root.path, "--at", "2026-12-03T10:00:00Z"])
        #expect(code == 1, "\(err)")
        #expect(out == """
            pipeline\ttrigger\ttype\tschedule\tstatus\tnext run
            train\tdaily\ttime\t@daily\tactive\t2026-12-04 00:00:00+01:00 Europe/Berlin
            train\thook\tapi\t-\tinactive\t-
            refused:
              pipelines/train/triggers.yaml: trigger 'broken': schedule_interval: day-of-month: 32 is out of range 1-31

            """)
    }

    struct Listing: Decodable {
        struct Row: Decodable { let pipeline, name, status, timezone: String; let next_run, start_time: String? }
        let triggers: [Row]
        let problems: [TriggerProblem]
    }

    @Test func json() throws {
        let project = try Self.project(triggers: Self.yaml)
        let (_, out, err) = try TestEnvironment.runMage(["triggers", "list", project.root.path, "--json", "--at", "2026-12-03T10:00:00Z"])
        let listing = try JSONDecoder().decode(Listing.self, from: Data(out.utf8))
        #expect(listing.triggers.map(\.name) == ["daily", "hook"], "\(err)")
        #expect(listing.triggers.first?.next_run == "2026-12-04 00:00:00+01:00")
        #expect(listing.triggers.first?.start_time == "2026-12-01 00:00:00+01:00")
        #expect(listing.triggers.first?.timezone == "Europe/Berlin")
        #expect(listing.problems == [TriggerProblem(file: "pipelines/train/triggers.yaml", trigger: "broken",
                                                    message: "schedule_interval: day-of-month: 32 is out of range 1-31")])
    }

    @Test func aValidProjectExitsZeroAndABadInstantIsAUsageError() throws {
        let project = try Self.project(triggers: "triggers:\n- {name: hourly, schedule_interval: '@hourly'}\n")
        let (code, out, _) = try TestEnvironment.runMage(["triggers", "list", project.root.path, "--at", "2026-12-03T10:20:00Z"])
        #expect(code == 0)
        #expect(out.contains("train\thourly\ttime\t@hourly\tinactive\t2026-12-03 11:00:00+00:00 UTC"))
        let (badCode, _, err) = try TestEnvironment.runMage(["triggers", "list", project.root.path, "--at", "soon"])
        #expect(badCode == 1)
        #expect(err == "error: --at 'soon' is not an ISO 8601 time with a zone, like 2026-12-03T10:00:00Z\n")
    }

    /// `mage triggers token`: a token for an api trigger of triggers.yaml, printed once, only its digest stored.
    @Test func aTokenIsMadeForAnAPITriggerOnceItIsInTheStore() throws {
        let project = try Self.project(triggers: Self.yaml)
        let (early, _, notYet) = try TestEnvironment.runMage(["triggers", "token", project.root.path, "train", "hook"])
        #expect(early == 1)
        #expect(notYet.contains("trigger 'hook' of pipeline 'train' is not in the store yet: run mage triggers sync"), "\(notYet)")
        let loaded = TriggerFile.load(project)
        let store = try project.openStore()
        _ = try store.scheduleSyncFile(pipeline: "train", loaded.definitions, refused: loaded.refusedNames["train"] ?? [], at: Date())
        let (code, out, err) = try TestEnvironment.runMage(["triggers", "token", project.root.path, "train", "hook"])
        #expect(code == 0, "\(err)")
        let token = out.trimmingCharacters(in: .newlines)
        #expect(token.count == 32 && token.allSatisfy(\.isHexDigit), "\(out)")
        #expect(err.contains("shown this once") && !err.contains(token))
        let hook = try #require(try store.scheduleList(pipeline: "train").first { $0.name == "hook" })
        #expect(hook.tokenDigest == TriggerToken.digest(of: token) && hook.tokenHint == String(token.suffix(4)))
        let (again, second, _) = try TestEnvironment.runMage(["triggers", "token", project.root.path, "train", "hook"])
        #expect(again == 0 && second.trimmingCharacters(in: .newlines) != token, "a new token each time")
        #expect(try store.scheduleGet(id: hook.id)?.tokenDigest != hook.tokenDigest)
        let (time, _, refused) = try TestEnvironment.runMage(["triggers", "token", project.root.path, "train", "daily"])
        #expect(time == 1 && refused.contains("trigger 'daily' is a time trigger"), "\(refused)")
    }
}
