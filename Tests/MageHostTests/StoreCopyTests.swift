import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// `mage store copy`: a SQLite project filled by real runs (block runs, code lineage, data and model
/// versions, registry moves and a deployment) plus predictions and plugin records, copied into an empty
/// PostgreSQL database, reads the same through every list method; the ids carry on past the copied ones;
/// a second copy is refused; the password is never printed.
@Suite struct StoreCopyTests {
    /// What every list method of a store returns, with dates to the millisecond (as both stores keep them).
    struct Snapshot: Encodable {
        var runs: [PipelineRun] = []
        var blockRuns: [[BlockRun]] = []
        var summaries: [String] = []
        var codes: [CodeLineage?] = []
        var counts: [Int] = []
        var latestCompleted: [BlockRun?] = []
        var plugins: [PluginRecord] = []
        var datasets: [DatasetVersion] = []
        var models: [ModelVersion] = []
        var events: [RegistryEvent] = []
        var predictions: [[PredictionRecord]] = []
        var predictionSummaries: [String] = []
        var schedules: [String] = []

        init(_ store: any MetadataStore) throws {
            runs = try store.pipelineRunList(PipelineRunFilter(), limit: 1000, offset: 0)
            blockRuns = try runs.map { try store.blockRunList(pipelineRunID: $0.id) }
            summaries = try store.blockRunSummaries(pipelineRunIDs: runs.map(\.id)).sorted { $0.key < $1.key }.map { id, summary in
                "\(id): \(summary.counts.map { "\($0.key.rawValue)=\($0.value)" }.sorted()) \(Self.milliseconds(summary.firstStartedAt))"
            }
            codes = try runs.map { try store.pipelineRunCode(id: $0.id) }
            counts = try PipelineRunStatus.allCases.map { try store.pipelineRunCount(PipelineRunFilter(statuses: [$0])) }
            latestCompleted = try blockRuns.flatMap { $0 }.map { ($0.block, runs[0].pipeline) }.map {
                try store.blockRunLatestCompleted(pipeline: $0.1, block: $0.0)
            }
            plugins = try store.pluginRecordList()
            datasets = try store.datasetVersionList(pipelineRunID: nil, limit: 1000)
            models = try store.modelVersionList(pipelineRunID: nil, limit: 1000)
            events = try store.registryEventList()
            schedules = try store.scheduleList(pipeline: nil).map { s in
                "\(s.id) \(s.pipeline) \(s.name) \(s.definition.status) \(s.definition.scheduleType) \(s.definition.origin) \(ConfigValue.map(s.definition.document).jsonText) \(Self.milliseconds(s.createdAt)) \(Self.milliseconds(s.updatedAt)) \(Self.milliseconds(s.scheduledThrough)) \(s.cursorVersion) \(s.tokenDigest ?? "-") \(s.tokenHint ?? "-")"
            }
            for version in ["v_a", "v_b"] {
                for source in [PredictionRecord.Source.predict, .logged] {
                    predictions.append(try store.predictionList(modelVersion: version, source: source, limit: 100))
                    let summary = try store.predictionSummary(modelVersion: version, source: source)
                    predictionSummaries.append("\(version) \(source): \(summary.count) \(Self.milliseconds(summary.last))")
                }
            }
        }

        static func milliseconds(_ date: Date?) -> String { date.map { String(Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? "-" }

        func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(Int64((date.timeIntervalSince1970 * 1000).rounded()))
            }
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }

    @Test func aCopiedProjectReadsTheSameOnPostgreSQLAndItsIdsCarryOn() async throws {
        let (harness, _) = try await RegistryCrashTests.twoVersions()
        let source = harness.store
        try ModelRegistry(project: harness.project, store: source).rollback()
        let at = Date(timeIntervalSince1970: 1_800_000_000.123)
        try source.predictionAppend((0..<3).map {
            PredictionRecord(source: .predict, requestID: "r\($0)", modelVersion: "v_a", inputs: #"{"x":\#($0)}"#, outputs: "[0.25]",
                             latencyMilliseconds: 0.125 * Double($0), userID: $0 == 1 ? "u" : nil, at: at.addingTimeInterval(Double($0)))
        })
        _ = try source.predictionAppendCounting(PredictionRecord(source: .logged, requestID: nil, modelVersion: "v_b", inputs: "{}",
                                                                outputs: "{}", latencyMilliseconds: nil, userID: nil, at: at))
        try source.pluginRecordsReplace(try source.pluginRecordList() + [
            PluginRecord(path: "/refused.so", sha256: nil, name: nil, version: nil, abiVersion: nil, refusedReason: "no entry symbol", seenAt: at),
        ])
        // A trigger with its cursor and token, and a run of one of its ticks (SLA missed).
        let schedule = try source.scheduleCreate(ScheduleConformanceTests.definition("nightly"), at: at)
        #expect(try source.scheduleSetToken(id: schedule.id, digest: String(repeating: "0f", count: 32), hint: "abcd"))
        _ = try source.scheduleTick(ScheduleTick(scheduleID: schedule.id, fromVersion: 0, through: at, run: PipelineRunCreateParams(
            pipeline: "p", variables: [:], blocks: ["a"],
            trigger: RunTrigger(scheduleID: schedule.id, executionDate: at, timeout: 5, timeoutStatus: .cancelled, slaDueAt: at.addingTimeInterval(10)))))
        #expect(try source.pipelineRunsMarkSLAMissed(at: at.addingTimeInterval(20)).count == 1)
        let before = try Snapshot(source)
        try #require(before.runs.count == 3 && before.schedules.count == 1 && before.models.count == 2 && before.events.count >= 4 && !before.datasets.isEmpty,
                     "the project has something of each")

        let server = try PostgresServer.shared()
        let url = try StoreConformanceTests.freshPostgresDatabase()
        let (code, out, err) = try TestEnvironment.runMage(["store", "copy", harness.project.root.path, "--to", url])
        #expect(code == 0, "\(out)\(err)")
        #expect(out.contains("pipeline_runs\t3") && out.contains("pipeline_schedules\t1") && out.contains("postgresql://mage:********@"), "\(out)")
        #expect(!(out + err).contains(server.password))

        let target = try PostgresStore(url: url)
        let after = try Snapshot(target)
        let (afterJSON, beforeJSON) = (try after.json(), try before.json())
        #expect(afterJSON == beforeJSON, "\(afterJSON)\n---\n\(beforeJSON)")

        // The sequences carry on past the copied ids, and the registry's rules hold on the copy.
        let next = try target.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["a"]))
        #expect(next.id == (before.runs.map(\.id).max() ?? 0) + 1)
        let latest = ModelRegistry.pointerHistory(before.events).last
        #expect(try !target.registryPointerMove(RegistryEvent(action: .promote, version: "x", previous: "not-latest", at: at)))
        #expect(try target.registryPointerMove(RegistryEvent(action: .promote, version: "x", previous: latest, at: at)))
        try target.predictionAppend([PredictionRecord(source: .predict, requestID: nil, modelVersion: "v_a", inputs: "{}", outputs: "{}",
                                                      latencyMilliseconds: nil, userID: nil, at: at)])

        // A database that holds runs is refused, with the password masked.
        let (again, againOut, againErr) = try TestEnvironment.runMage(["store", "copy", harness.project.root.path, "--to", url])
        #expect(again != 0)
        #expect(againErr.contains("already holds pipeline_schedules rows") && againErr.contains("mage:********@"), "\(againErr)")
        #expect(!(againOut + againErr).contains(server.password))
        #expect(try target.pipelineRunCount(PipelineRunFilter()) == 4, "nothing copied the second time")
    }

    @Test func aWrongTargetIsNamedWithThePasswordMasked() throws {
        let project = try TestEnvironment.project(pipelines: [:])
        _ = try SQLiteStore(path: project.databaseURL)
        let (code, _, err) = try TestEnvironment.runMage(["store", "copy", project.root.path, "--to", "mysql://mage:hunter2@127.0.0.1/db"])
        #expect(code != 0 && err.contains("mysql://mage:********@127.0.0.1/db") && !err.contains("hunter2"), "\(err)")
        let (unreachable, _, message) = try TestEnvironment.runMage(["store", "copy", project.root.path, "--to", "postgresql://mage:hunter2@127.0.0.1:1/db"])
        #expect(unreachable != 0 && message.contains("cannot connect to PostgreSQL") && !message.contains("hunter2"), "\(message)")
    }
}
