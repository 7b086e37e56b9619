import Foundation
import MageHost

// `make bench` (through Benchmarks/StoreBench/run.sh): the run queue's store throughput, SQLite beside
// PostgreSQL. Create N runs of a 3-block pipeline (`pipelineRunCreate`), then claim each
// (`pipelineRunClaim`) and finish it with its blocks (`pipelineRunTransition`), one call after another
// on one store, as one dispatcher does; runs per second of each phase, and PostgreSQL / SQLite.
// Usage: store-bench <postgresql URL of an empty database> [runs]

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: store-bench <postgresql URL of an empty database> [runs]\n".utf8))
    exit(2)
}
let count = arguments.count > 2 ? Int(arguments[2]) ?? 2000 : 2000
let blocks = ["load", "transform", "export"]

/// Runs per second of creating `count` runs, then of claiming and finishing them all.
func measure(_ store: any MetadataStore) throws -> (create: Double, claim: Double) {
    let owner = "bench"
    var start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<count {
        _ = try store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "bench", variables: ["rows": .int(10)], blocks: blocks))
    }
    let create = Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    start = DispatchTime.now().uptimeNanoseconds
    var finished = 0
    while let run = try store.pipelineRunClaim(Lease(owner: owner, until: Date().addingTimeInterval(60)), at: Date()) {
        let moved = try store.pipelineRunTransition(RunTransition(
            runID: run.id, from: .running, owner: owner, to: .completed,
            blocks: blocks.map { BlockRunChange(block: $0, from: .initial, to: .completed) }, at: Date()))
        guard moved else { throw MageError.io("run \(run.id) could not be finished") }
        finished += 1
    }
    guard finished == count else { throw MageError.io("claimed \(finished) runs of \(count)") }
    let claim = Double(count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    return (create, claim)
}

let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("store-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: folder) }
do {
    let sqlite = try measure(try SQLiteStore(path: folder.appendingPathComponent("mage.db")))
    let postgres = try measure(try PostgresStore(url: arguments[1]))
    print("Store benchmark (\(count) runs of 3 blocks each, one store, one call after another, both durable, release build)")
    func row(_ name: String, _ s: Double, _ p: Double) {
        print(name.padding(toLength: 38, withPad: " ", startingAt: 0)
              + String(format: "SQLite %7.0f runs/s   PostgreSQL %7.0f runs/s   PostgreSQL/SQLite x%.2f", s, p, p / s))
    }
    row("create (pipelineRunCreate)", sqlite.create, postgres.create)
    row("claim + finish (Claim + Transition)", sqlite.claim, postgres.claim)
} catch {
    FileHandle.standardError.write(Data("store-bench: \(MageError.describe(error))\n".utf8))
    exit(1)
}
