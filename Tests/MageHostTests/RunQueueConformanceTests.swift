import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// The run queue's half of the store protocol, on every store: claims, leases, guarded transitions,
/// cancel requests and what the rescuer reads.
@Suite struct RunQueueConformanceTests {
    typealias Factory = StoreConformanceTests.Factory

    static func lease(_ owner: String, _ seconds: Double = 60, from now: Date = Date()) -> Lease {
        Lease(owner: owner, until: now.addingTimeInterval(seconds))
    }

    @Test(arguments: StoreConformanceTests.stores)
    func claimsTheOldestWaitingRunOnceAndSkipsCancelRequests(_ factory: Factory) throws {
        let store = try factory.make()
        #expect(try store.pipelineRunClaim(Self.lease("a"), at: Date()) == nil)
        let first = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"]))
        let second = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"]))
        let third = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"]))
        #expect(try store.pipelineRunRequestCancel(id: second.id))
        let now = Date()
        let claimed = try #require(try store.pipelineRunClaim(Self.lease("a", from: now), at: now))
        #expect(claimed.id == first.id)
        #expect(claimed.status == .running && claimed.owner == "a")
        #expect(claimed.startedAt.map { abs($0.timeIntervalSince(now)) < 0.01 } == true)
        #expect(claimed.leaseExpiresAt.map { abs($0.timeIntervalSince(now.addingTimeInterval(60))) < 0.01 } == true)
        #expect(try store.pipelineRunClaim(Self.lease("b"), at: Date())?.id == third.id, "the cancel-requested run is skipped")
        #expect(try store.pipelineRunClaim(Self.lease("b"), at: Date()) == nil)
    }

    @Test(arguments: StoreConformanceTests.stores)
    func aRunCreatedWithALeaseIsRunningUnderItsCreator(_ factory: Factory) throws {
        let store = try factory.make()
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"],
                                                                      retryOnHostFailure: true, lease: Self.lease("me")))
        #expect(run.status == .running && run.owner == "me" && run.retryOnHostFailure && run.hostFailures == 0)
        #expect(try store.pipelineRunClaim(Self.lease("other"), at: Date()) == nil)
    }

    @Test(arguments: StoreConformanceTests.stores)
    func blockWritesHappenOnlyForTheOwnerOfARunningRunFromTheExpectedStatus(_ factory: Factory) throws {
        let store = try factory.make()
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"], lease: Self.lease("me")))
        let queued = BlockRunUpdate(pipelineRunID: run.id, block: "x", status: .queued)
        #expect(try store.blockRunTransition(queued, from: .initial, owner: "someone else") == false)
        #expect(try store.blockRunTransition(queued, from: .running, owner: "me") == false, "the block run is initial, not running")
        let due = Date(timeIntervalSince1970: 1_900_000_000)
        var retry = queued
        retry.nextAttemptAt = due
        #expect(try store.blockRunTransition(retry, from: .initial, owner: "me"))
        #expect(try store.blockRunList(pipelineRunID: run.id).first?.nextAttemptAt == due)
        #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "x", status: .running, attempts: 1),
                                             from: .queued, owner: "me"))
        #expect(try store.blockRunList(pipelineRunID: run.id).first?.nextAttemptAt == nil, "a write that names no retry time clears it")
        #expect(try store.pipelineRunTransition(RunTransition(runID: run.id, from: .running, owner: "me", to: .failed)))
        #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "x", status: .completed),
                                             from: .running, owner: "me") == false, "the run is no longer running")
    }

    @Test(arguments: StoreConformanceTests.stores)
    func aTransitionIsWholeOrNothing(_ factory: Factory) throws {
        let store = try factory.make()
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x", "y"], lease: Self.lease("me")))
        // y is not running: the whole transition is refused, x included.
        let refused = RunTransition(runID: run.id, from: .running, owner: "me", to: .failed, blocks: [
            BlockRunChange(block: "x", from: .initial, to: .cancelled, error: "stop"),
            BlockRunChange(block: "y", from: .running, to: .failed, error: "stop"),
        ])
        #expect(try store.pipelineRunTransition(refused) == false)
        #expect(try store.pipelineRunGet(id: run.id)?.status == .running)
        #expect(try store.blockRunList(pipelineRunID: run.id).map(\.status) == [.initial, .initial])
        #expect(try store.pipelineRunTransition(RunTransition(runID: run.id, from: .running, owner: "other", to: .failed)) == false)

        let at = Date(timeIntervalSince1970: 1_850_000_000)
        #expect(try store.pipelineRunTransition(RunTransition(runID: run.id, from: .running, owner: "me", to: .cancelled, blocks: [
            BlockRunChange(block: "x", from: .initial, to: .cancelled, error: "stop"),
            BlockRunChange(block: "y", from: .initial, to: .cancelled),
        ], at: at)))
        let ended = try #require(try store.pipelineRunGet(id: run.id))
        #expect(ended.status == .cancelled && ended.completedAt == at && ended.owner == "me" && ended.leaseExpiresAt == nil)
        let blocks = try store.blockRunList(pipelineRunID: run.id)
        #expect(blocks.map(\.status) == [.cancelled, .cancelled])
        #expect(blocks.map(\.error) == ["stop", nil])
        #expect(blocks.allSatisfy { $0.completedAt == at })
    }

    @Test(arguments: StoreConformanceTests.stores)
    func backToInitialResetsTheBlocksAndFreesTheRunForAnyDispatcher(_ factory: Factory) throws {
        let store = try factory.make()
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x", "y"], lease: Self.lease("me")))
        #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "x", status: .completed, attempts: 1,
                                                            startedAt: Date(), completedAt: Date(), outputPath: "/o"), from: .initial, owner: "me"))
        #expect(try store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "y", status: .failed, attempts: 2,
                                                            startedAt: Date(), completedAt: Date(), error: "boom"), from: .initial, owner: "me"))
        #expect(try store.pipelineRunRequestCancel(id: run.id))
        #expect(try store.pipelineRunTransition(RunTransition(runID: run.id, from: .running, owner: "me", to: .failed)))
        #expect(try store.pipelineRunRequestCancel(id: run.id) == false, "a finished run cannot be cancelled")
        #expect(try store.pipelineRunTransition(RunTransition(runID: run.id, from: .failed, owner: "me", to: .initial, blocks: [
            BlockRunChange(block: "y", from: .failed, to: .initial),
        ])))
        let waiting = try #require(try store.pipelineRunGet(id: run.id))
        #expect(waiting.status == .initial && waiting.owner == nil && waiting.completedAt == nil && !waiting.cancelRequested)
        let blocks = try store.blockRunList(pipelineRunID: run.id)
        #expect(blocks[0].status == .completed && blocks[0].outputPath == "/o", "a completed block keeps its output")
        #expect(blocks[1].status == .initial && blocks[1].attempts == 0 && blocks[1].error == nil && blocks[1].startedAt == nil)
        #expect(try store.pipelineRunClaim(Self.lease("next"), at: Date())?.id == run.id)
    }

    @Test(arguments: StoreConformanceTests.stores)
    func leasesRenewReportCancelRequestsAndExpire(_ factory: Factory) throws {
        let store = try factory.make()
        let now = Date()
        let mine = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"], lease: Self.lease("me", 5, from: now)))
        let theirs = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"], lease: Self.lease("them", 5, from: now)))
        #expect(try store.pipelineRunRequestCancel(id: mine.id))
        #expect(try store.leaseRenew(Self.lease("me", 60, from: now)) == [LeaseHold(runID: mine.id, cancelRequested: true)])
        #expect(try store.leaseRenew(Self.lease("nobody")) == [])
        let later = now.addingTimeInterval(10)
        #expect(try store.pipelineRunsLeaseExpired(at: later, limit: 10).map(\.id) == [theirs.id])
        // A rescue guarded by the expiry does not take a run whose owner renewed in between.
        #expect(try store.pipelineRunTransition(RunTransition(runID: mine.id, from: .running, owner: "me", leaseExpiredBefore: later,
                                                              to: .failed, hostFailure: true)) == false)
        #expect(try store.pipelineRunTransition(RunTransition(runID: theirs.id, from: .running, owner: "them", leaseExpiredBefore: later,
                                                              to: .failed, hostFailure: true)))
        #expect(try store.pipelineRunGet(id: theirs.id)?.hostFailures == 1)
        #expect(try store.pipelineRunsLeaseExpired(at: later, limit: 10).isEmpty)
    }

    /// Several stores on one database, as several processes (or hosts) would be, claiming at once: each
    /// run once.
    @Test(arguments: ["SQLite", "PostgreSQL"])
    func concurrentClaimersEachClaimARunOnce(_ backend: String) async throws {
        let open: @Sendable () throws -> any MetadataStore
        if backend == "SQLite" {
            let path = try TemporaryFolder.make().appendingPathComponent("mage.db")
            open = { try SQLiteStore(path: path) }
        } else {
            let url = try StoreConformanceTests.freshPostgresDatabase()
            open = { try PostgresStore(url: url) }
        }
        let setup = try open()
        for _ in 0..<60 { _ = try setup.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"])) }
        let claimers = try (0..<4).map { _ in try open() }
        let claimed: [[Int64]] = await withTaskGroup(of: [Int64].self) { group in
            for (index, store) in claimers.enumerated() {
                group.addTask {
                    var ids: [Int64] = []
                    while let run = try? store.pipelineRunClaim(Self.lease("claimer-\(index)"), at: Date()) { ids.append(run.id) }
                    return ids
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let all = claimed.flatMap { $0 }
        #expect(all.count == 60)
        #expect(Set(all).count == 60)
    }

    @Test func thePostgresDatabaseRefusesAStatusOutsideTheSet() throws {
        let url = try StoreConformanceTests.freshPostgresDatabase()
        let store = try PostgresStore(url: url)
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"]))
        #expect(throws: (any Error).self) { try store.query("UPDATE pipeline_runs SET status = 'paused' WHERE id = $1", [String(run.id)]) }
        #expect(throws: (any Error).self) { try store.query("UPDATE block_runs SET status = 'skipped' WHERE pipeline_run_id = $1", [String(run.id)]) }
    }

    /// The database itself refuses a status outside the closed sets, whoever writes.
    @Test func theSQLiteFileRefusesAStatusOutsideTheSet() throws {
        let path = try TemporaryFolder.make().appendingPathComponent("mage.db")
        let store = try SQLiteStore(path: path)
        let run = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "p", variables: [:], blocks: ["x"]))
        #expect(throws: (any Error).self) {
            try store.pool.write { try $0.execute(sql: "UPDATE pipeline_runs SET status = 'paused' WHERE id = ?", arguments: [run.id]) }
        }
        #expect(throws: (any Error).self) {
            try store.pool.write { try $0.execute(sql: "UPDATE block_runs SET status = 'skipped' WHERE pipeline_run_id = ?", arguments: [run.id]) }
        }
        for status in PipelineRunStatus.allCases {
            try store.pool.write { try $0.execute(sql: "UPDATE pipeline_runs SET status = ? WHERE id = ?", arguments: [status.rawValue, run.id]) }
        }
        for status in BlockRunStatus.allCases {
            try store.pool.write { try $0.execute(sql: "UPDATE block_runs SET status = ? WHERE pipeline_run_id = ?", arguments: [status.rawValue, run.id]) }
        }
    }
}
