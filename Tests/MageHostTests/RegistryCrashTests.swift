import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// The registry under processes that run at once and die at any instant: moves are serialized by the
/// registry lock, each is committed in the store first, and the next move or open publishes its files
/// (`RegistryReconciliation`).
@Suite struct RegistryCrashTests {
    static let pipeline = """
        blocks:
        - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 200, seed: 5}}
        - {uuid: training, type: model, plugin: c_base_rate, upstream_blocks: [make_dataset]}
        - {uuid: registry, type: data_exporter, plugin: c_register, upstream_blocks: [training]}
        - {uuid: deployment, type: data_exporter, plugin: c_deploy, upstream_blocks: [registry]}
        """

    /// A project with two registered versions, the second deployed and latest; oldest first.
    static func twoVersions() async throws -> (ExecutorTests.Harness, [String]) {
        let harness = try ExecutorTests.Harness(pipelines: ["demo": pipeline], fixtures: ["c_model", "c_registry"], swift: ["MageDataLoaders"])
        for _ in 0..<2 {
            let summary = try await harness.run("demo")
            try #require(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")
        }
        return (harness, try harness.store.modelVersionList(pipelineRunID: nil, limit: 10).map(\.version).reversed())
    }

    @Test func theNextOpenFinishesOrUndoesWhatAKilledMoveLeft() async throws {
        let (harness, versions) = try await Self.twoVersions()
        let registry = ModelRegistry(project: harness.project, store: harness.store)
        let fm = FileManager.default
        #expect(try registry.reconcile().isEmpty, "files that agree with the store need no repair")

        // Killed after its event committed, before latest.json was written: the move is finished.
        #expect(try harness.store.registryPointerMove(RegistryEvent(action: .promote, version: versions[0], previous: versions[1], at: Date())))
        #expect(try registry.latest()?.version == versions[1])
        #expect(try registry.reconcile().count == 1)
        #expect(try registry.latest()?.version == versions[0])

        // A pointer written with no event (what a kill between the two did when the file came first): undone.
        try AtomicFile.write(try JSON.encode(ModelRegistry.Pointer(version: versions[1], path: "model_registry/\(versions[1])", updatedAt: Date())),
                             to: registry.latestFile)
        #expect(try registry.reconcile().count == 1)
        #expect(try registry.latest()?.version == versions[0])

        // A deployment committed in the store, killed before any file: metadata.json and deployment_status.json follow.
        try harness.store.modelVersionSetDeployed(versions[0], at: Date())
        #expect(try registry.reconcile().count == 3, "two metadata.json files and deployment_status.json")
        #expect(try registry.reconcile().isEmpty)
        try Self.expectAgreement(harness)
        #expect(try Self.metadataStatus(harness, versions[0]) == "deployed")
        #expect(try Self.metadataStatus(harness, versions[1]) == "registered")

        // What killed writes leave behind is removed.
        let leftovers = [registry.root.appendingPathComponent(".staging-4242-7/model.txt"),
                         registry.root.appendingPathComponent(".latest.json.4242.7.tmp"),
                         registry.root.appendingPathComponent("\(versions[1])/.metadata.json.4242.7.tmp"),
                         registry.deploymentFile.deletingLastPathComponent().appendingPathComponent(".deployment_status.json.4242.7.tmp")]
        for file in leftovers {
            try fm.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("partial".utf8).write(to: file)
        }
        #expect(try registry.reconcile().count == leftovers.count)
        for file in leftovers { #expect(!fm.fileExists(atPath: file.path), "\(file.path)") }
        #expect(!fm.fileExists(atPath: registry.root.appendingPathComponent(".staging-4242-7").path))
        #expect(try registry.rollback().version == versions[1], "the history is the one the pointer followed")
    }

    @Test func killedAtRandomInstantsDuringMovesAndRunsTheRegistryStillAgrees() async throws {
        let (harness, versions) = try await Self.twoVersions()
        let root = harness.project.root.path
        let fm = FileManager.default
        let logs = try TemporaryFolder.make("logs")
        var random = SplitMix64(seed: 20261203)
        var serial = 0
        func start(_ arguments: [String]) throws -> (Process, URL) {
            serial += 1
            let log = logs.appendingPathComponent("\(serial).log")
            _ = fm.createFile(atPath: log.path, contents: nil)
            let process = Process()
            process.executableURL = TestEnvironment.mage
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["MAGE_PLUGIN_PATH": harness.pluginDirectory.path]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            return (process, log)
        }

        // How long one move takes as a process, so the kills land anywhere in one.
        let calibration = Date()
        let (calibrated, _) = try start(["models", "promote", root, versions[0]])
        calibrated.waitUntilExit()
        let span = Date().timeIntervalSince(calibration)
        let lockFile = ModelRegistry(project: harness.project, store: harness.store).lockFile

        // Two pipeline runs alongside, each registering and deploying a version; one is killed partway.
        let runs = try [start(["run", root, "demo"]), start(["run", root, "demo"])]
        var killed = Set<Int32>()
        // Alive until reaped (Foundation reaps its children at once); `Process.isRunning` can lag behind `run()`.
        func alive(_ process: Process) -> Bool { kill(process.processIdentifier, 0) == 0 }
        func sigkill(_ process: Process) {
            if alive(process), kill(process.processIdentifier, SIGKILL) == 0 { killed.insert(process.processIdentifier) }
        }
        var moves = 0
        var killedInsideMoves = 0
        for wave in 0..<10 {
            let movers = try (0..<5).map { _ -> (Process, URL) in
                moves += 1
                let version = versions.randomElement(using: &random)!
                switch Int.random(in: 0..<3, using: &random) {
                case 0: return try start(["models", "promote", root, version])
                case 1: return try start(["models", "rollback", root])
                default: return try start(["models", "deploy", root, version])
                }
            }
            // In each wave one mover dies at a random instant of its life, and one while it holds the
            // registry lock (its pid in /proc/locks), 0 to 2 ms into its move.
            let anytime = movers.randomElement(using: &random)!.0
            let anytimeAt = Double.random(in: 0...span, using: &random)
            let runAt = wave == 2 ? Double.random(in: 0...span, using: &random) : nil
            let intoTheMove = UInt32.random(in: 0...2000, using: &random)
            var (anytimeDone, runDone, insideDone) = (false, runAt == nil, false)
            let waveStart = Date()
            while movers.contains(where: { alive($0.0) }) {
                let now = Date().timeIntervalSince(waveStart)
                if !anytimeDone, now >= anytimeAt { sigkill(anytime); anytimeDone = true }
                if !runDone, now >= runAt! { sigkill(runs[1].0); runDone = true }
                if !insideDone, let holder = Self.lockHolder(lockFile),
                   let mover = movers.first(where: { $0.0.processIdentifier == holder && !killed.contains(holder) }) {
                    usleep(intoTheMove)
                    sigkill(mover.0)
                    insideDone = true
                    killedInsideMoves += 1
                }
                usleep(100)
            }
            if !runDone { sigkill(runs[1].0) }
            for (process, log) in movers {
                process.waitUntilExit()
                guard !killed.contains(process.processIdentifier), process.terminationStatus != 0 else { continue }
                let message = try String(contentsOf: log, encoding: .utf8)
                #expect(message.contains("nothing to roll back to"), "\(process.arguments ?? []): \(message)")
            }
        }
        for (run, log) in runs {
            run.waitUntilExit()
            if !killed.contains(run.processIdentifier) {
                let message = try String(contentsOf: log, encoding: .utf8)
                #expect(run.terminationStatus == 0, "\(message)")
            }
        }
        #expect(moves == 50)
        #expect(killedInsideMoves >= 5, "the kills are meant to land inside moves")

        // The next open reconciles; then the pointer, the events, deployment_status.json and every metadata.json agree.
        let (listing, _) = try start(["models", "list", root])
        listing.waitUntilExit()
        #expect(listing.terminationStatus == 0)
        try Self.expectAgreement(harness)
    }

    /// Pointer, events, store rows, deployment_status.json and metadata.json files tell one story, and
    /// no leftover of an unfinished write remains.
    static func expectAgreement(_ harness: ExecutorTests.Harness) throws {
        let registry = ModelRegistry(project: harness.project, store: harness.store)
        let fm = FileManager.default
        let events = try harness.store.registryEventList()
        let pointerEvents = events.filter { $0.action != .deploy }
        #expect(pointerEvents.first?.previous == nil)
        for (before, after) in zip(pointerEvents, pointerEvents.dropFirst()) {
            #expect(after.previous == before.version, "each move starts where the one before it left latest")
        }
        #expect(try registry.latest()?.version == pointerEvents.last?.version)
        #expect(ModelRegistry.pointerHistory(events).last == pointerEvents.last?.version)

        let models = try harness.store.modelVersionList(pipelineRunID: nil, limit: 1000)
        let deployed = models.filter { $0.status == .deployed }
        #expect(deployed.count == 1)
        #expect(deployed.first?.version == events.last { $0.action == .deploy }?.version)
        let status = try JSONSerialization.jsonObject(with: Data(contentsOf: registry.deploymentFile)) as? [String: Any]
        #expect(status?["version"] as? String == deployed.first?.version)

        let rows = Dictionary(uniqueKeysWithValues: models.map { ($0.version, $0) })
        for name in try fm.contentsOfDirectory(atPath: registry.root.path) {
            if name.hasPrefix(".") {
                #expect(name == ".lock", "leftover \(name)")
                continue
            }
            guard name != "latest.json" else { continue }
            let row = try #require(rows[name], "a version folder without a row: \(name)")
            #expect(try metadataStatus(harness, name) == row.status.rawValue, "\(name)")
            let hidden = try fm.contentsOfDirectory(atPath: registry.root.appendingPathComponent(name).path).filter { $0.hasPrefix(".") }
            #expect(hidden.isEmpty, "leftovers in \(name): \(hidden)")
        }
        let deploymentFolder = registry.deploymentFile.deletingLastPathComponent().path
        #expect(try fm.contentsOfDirectory(atPath: deploymentFolder) == ["deployment_status.json"])
    }

    /// The pid holding a `flock` on `file`, read from /proc/locks (`FLOCK ADVISORY WRITE <pid> <dev>:<inode> …`).
    static func lockHolder(_ file: URL) -> Int32? {
        var info = stat()
        guard stat(file.path, &info) == 0, let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        for line in locks.split(separator: "\n") where line.contains("FLOCK") && !line.contains("->") {
            let fields = line.split(separator: " ")
            if fields.count > 5, fields[5].hasSuffix(":\(info.st_ino)") { return Int32(fields[4]) }
        }
        return nil
    }

    static func metadataStatus(_ harness: ExecutorTests.Harness, _ version: String) throws -> String? {
        let file = harness.project.root.appendingPathComponent("model_registry/\(version)/metadata.json")
        return (try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])?["status"] as? String
    }
}

/// A small seeded generator, so the choice of moves and kill instants is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
