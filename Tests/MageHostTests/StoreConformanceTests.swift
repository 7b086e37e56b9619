import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// What every `MetadataStore` must do. Each implementation joins `stores`; the same tests run on each.
@Suite struct StoreConformanceTests {
    struct Factory: CustomTestStringConvertible, Sendable {
        let name: String
        let make: @Sendable () throws -> any MetadataStore
        var testDescription: String { name }
    }

    static let owner = "owner-1"
    static let lease = Lease(owner: owner, until: .distantFuture)

    static let stores: [Factory] = [
        Factory(name: "SQLite") {
            try SQLiteStore(path: try TemporaryFolder.make().appendingPathComponent("mage.db"))
        },
        Factory(name: "PostgreSQL") {
            try PostgresStore(url: try freshPostgresDatabase())
        },
    ]

    /// A new, empty database on the tests' PostgreSQL server; its URL.
    static func freshPostgresDatabase() throws -> String {
        let server = try PostgresServer.shared()
        let name = "conformance_\(UInt64.random(in: 0...UInt64.max))"
        try server.psql("CREATE DATABASE \(name)")
        return server.url.replacingOccurrences(of: "/\(server.database)", with: "/\(name)")
    }

    @Test(arguments: stores)
    func createsARunWithItsBlocksInitial(_ factory: Factory) throws {
        let store = try factory.make()
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: ["rows": .int(5)], blocks: ["a", "b"]))
        #expect(run.status == .initial)
        let fetched = try #require(try store.pipelineRunGet(id: run.id))
        #expect(fetched.variables == ["rows": .int(5)])
        #expect(abs(fetched.createdAt.timeIntervalSince(run.createdAt)) < 0.001)
        #expect(try store.blockRunList(pipelineRunID: run.id).map(\.block) == ["a", "b"])
        #expect(try store.blockRunList(pipelineRunID: run.id).allSatisfy { $0.status == .initial && $0.attempts == 0 })
    }

    @Test(arguments: stores)
    func updatesKeepFieldsTheyDoNotName(_ factory: Factory) throws {
        let store = try factory.make()
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["a"], lease: Self.lease))
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "a", status: .running, attempts: 1,
                                                            startedAt: started, logPath: "/l"), from: .initial, owner: Self.owner))
        #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "a", status: .completed,
                                                            completedAt: started.addingTimeInterval(2), outputPath: "/o",
                                                            facets: ["stats": "{\"rows\":3}"]), from: .running, owner: Self.owner))
        let block = try #require(try store.blockRunList(pipelineRunID: run.id).first)
        #expect(block.status == .completed)
        #expect(block.attempts == 1)
        #expect(block.startedAt == started)
        #expect(block.logPath == "/l" && block.outputPath == "/o")
        #expect(block.facets == ["stats": "{\"rows\":3}"])
        #expect(try store.pipelineRunTransition(RunTransition(runID: run.id, from: .running, owner: Self.owner, to: .completed,
                                                              at: started.addingTimeInterval(3))))
        #expect(try store.pipelineRunGet(id: run.id)?.completedAt == started.addingTimeInterval(3))
    }

    @Test(arguments: stores)
    func listsRunsNewestFirstAndFindsTheLatestCompletedBlock(_ factory: Factory) throws {
        let store = try factory.make()
        var ids: [Int64] = []
        for i in 0..<3 {
            let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: i == 1 ? "other" : "p", variables: [:], blocks: ["a"],
                                                                          lease: Self.lease))
            #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "a", status: .completed,
                                                                completedAt: Date(timeIntervalSince1970: Double(1000 + i)), outputPath: "/out/\(i)"),
                                                 from: .initial, owner: Self.owner))
            ids.append(run.id)
        }
        #expect(try store.pipelineRunList(PipelineRunFilter(), limit: 10, offset: 0).map(\.id) == ids.reversed())
        #expect(try store.pipelineRunList(PipelineRunFilter(pipeline: "p"), limit: 1, offset: 0).map(\.id) == [ids[2]])
        #expect(try store.blockRunLatestCompleted(pipeline: "p", block: "a")?.outputPath == "/out/2")
        #expect(try store.blockRunLatestCompleted(pipeline: "p", block: "zzz") == nil)
    }

    @Test(arguments: stores)
    func pagesRunsByPipelineAndStatusAndCountsTheirBlockRuns(_ factory: Factory) throws {
        let store = try factory.make()
        var ids: [Int64] = []
        for i in 0..<7 {
            let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: i % 2 == 0 ? "p" : "q", variables: [:], blocks: ["a", "b"],
                                                                          lease: i == 4 ? Self.lease : nil))
            if i % 3 == 0 { #expect(try store.pipelineRunTransition(RunTransition(runID: run.id, from: .initial, owner: nil, to: .failed))) }
            ids.append(run.id)
        }
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: ids[4], block: "b", status: .running,
                                                            startedAt: started.addingTimeInterval(5)), from: .initial, owner: Self.owner))
        #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: ids[4], block: "a", status: .completed, startedAt: started),
                                             from: .initial, owner: Self.owner))
        #expect(try store.pipelineRunTransition(RunTransition(runID: ids[4], from: .running, owner: Self.owner, to: .completed)))
        let p = PipelineRunFilter(pipeline: "p")
        #expect(try store.pipelineRunCount(p) == 4)
        #expect(try store.pipelineRunList(p, limit: 2, offset: 0).map(\.id) == [ids[6], ids[4]])
        #expect(try store.pipelineRunList(p, limit: 2, offset: 2).map(\.id) == [ids[2], ids[0]])
        #expect(try store.pipelineRunList(p, limit: 2, offset: 4).isEmpty)
        let finished = PipelineRunFilter(statuses: [.failed, .completed])
        #expect(try store.pipelineRunCount(finished) == 4)
        #expect(try store.pipelineRunList(finished, limit: 10, offset: 0).map(\.id) == [ids[6], ids[4], ids[3], ids[0]])
        #expect(try store.pipelineRunCount(PipelineRunFilter(pipeline: "q", statuses: [.failed])) == 1)
        #expect(try store.pipelineRunCount(PipelineRunFilter(pipeline: "none")) == 0)

        let summaries = try store.blockRunSummaries(pipelineRunIDs: [ids[4], ids[5]])
        #expect(summaries[ids[4]]?.counts == [.completed: 1, .running: 1])
        #expect(summaries[ids[4]]?.firstStartedAt.map { abs($0.timeIntervalSince(started)) < 0.001 } == true)
        #expect(summaries[ids[5]] == BlockRunSummary(counts: [.initial: 2], firstStartedAt: nil))
        #expect(try store.blockRunSummaries(pipelineRunIDs: []).isEmpty)

        let running = try #require(try store.blockRunList(pipelineRunID: ids[4]).first { $0.block == "b" })
        #expect(try store.blockRunGet(id: running.id) == running)
        #expect(try store.blockRunGet(id: running.id + 1_000) == nil)
    }

    @Test(arguments: stores)
    func replacesPluginRecords(_ factory: Factory) throws {
        let store = try factory.make()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try store.pluginRecordsReplace([PluginRecord(path: "/a.so", sha256: "ab", name: "a", version: "1", abiVersion: "1.0", refusedReason: nil, seenAt: now)])
        try store.pluginRecordsReplace([PluginRecord(path: "/b.so", sha256: nil, name: nil, version: nil, abiVersion: nil, refusedReason: "no entry symbol", seenAt: now)])
        #expect(try store.pluginRecordList().map(\.path) == ["/b.so"])
        #expect(try store.pluginRecordList().first?.refusedReason == "no entry symbol")
    }

    @Test(arguments: stores)
    func keepsPredictionsWithTheirTimesToTheMillisecond(_ factory: Factory) throws {
        let store = try factory.make()
        // Times on both sides of a leap day, the epoch and a far date, each with milliseconds.
        let times = [951_782_400.5, 0.001, 1_800_000_000.999, 4_102_444_799.123].map { Date(timeIntervalSince1970: $0) }
        try store.predictionAppend(times.enumerated().map { i, at in
            PredictionRecord(source: .predict, requestID: "r\(i)", modelVersion: "v1", inputs: #"{"a":\#(i)}"#, outputs: "[]",
                             latencyMilliseconds: 0.5, userID: nil, at: at)
        })
        let kept = try store.predictionList(modelVersion: "v1", source: .predict, limit: 10)
        #expect(kept.map(\.requestID) == ["r0", "r1", "r2", "r3"])
        for (record, at) in zip(kept, times) {
            #expect(abs(record.at.timeIntervalSince1970 - at.timeIntervalSince1970) < 0.0015, "\(record.at) vs \(at)")
        }
        #expect(try store.predictionSummary(modelVersion: "v1", source: .predict).count == 4)
        #expect(UTCTimestamp(Date(timeIntervalSince1970: 951_782_400.5)).text(separator: UInt8(ascii: " "), zone: false)
                == "2000-02-29 00:00:00.500")
    }
}
