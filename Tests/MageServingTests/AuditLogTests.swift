import Foundation
import Testing
import MageHost
@testable import MageServing
import MageTestSupport

@Suite(.serialized) struct AuditLogTests {
    /// Durable mode: every answered prediction survives kill -9 of the service right after the answer.
    @Test func durableRowsSurviveKill9RightAfterTheLastAnswer() async throws {
        let harness = try ServingHarness()
        let version = try await harness.train()
        let port = try LoopbackPort.free()
        let service = Process()
        service.executableURL = ServingHarness.buildDirectory.appendingPathComponent("mage")
        service.arguments = ["start", harness.project.root.path, "--role", "prediction", "--port", "\(port)", "--audit", "durable"]
        var environment = ProcessInfo.processInfo.environment
        environment["MAGE_PLUGIN_PATH"] = harness.pluginDirectory.path
        service.environment = environment
        service.standardOutput = FileHandle.nullDevice
        service.standardError = FileHandle.nullDevice
        try service.run()
        defer { if service.isRunning { kill(service.processIdentifier, SIGKILL) } }
        let base = URL(string: "http://127.0.0.1:\(port)")!
        try await waitUntil("the service answers") { (try? await HTTP.json("GET", base, "/ping").0) == 200 }

        let n = 400
        let answered = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    var ok = 0
                    for _ in stride(from: worker, to: n, by: 16) where try await HTTP.json("POST", base, "/predict", exampleBody).0 == 200 {
                        ok += 1
                    }
                    return ok
                }
            }
            return try await group.reduce(0, +)
        }
        kill(service.processIdentifier, SIGKILL)
        try await offPool { service.waitUntilExit() }
        #expect(answered == n)
        let reopened = try SQLiteStore(path: harness.project.databaseURL)
        #expect(try reopened.predictionSummary(modelVersion: version, source: .predict).count == answered)
    }

    /// A stalled store (another process holds its write lock) fills the bounded queue: batched rows are
    /// then dropped and counted, durable requests refused, and /health and /metrics say so.
    @Test func aStalledStoreFillsTheBoundedQueueAndHealthSaysSo() async throws {
        let harness = try ServingHarness()
        let version = try await harness.train()
        for mode in AuditMode.allCases {
            try await harness.withService(.init(port: 0, auditMode: mode, auditQueueLimit: 3)) { service, base in
                let database = harness.project.databaseURL
                let lock = try await offPool { try StoreWriteLock(database) }
                defer { lock.release() }
                let requests = Task {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<10 { group.addTask { try await HTTP.json("POST", base, "/predict", exampleBody).0 } }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
                try await waitUntil("the queue is full") { service.audit!.isFull }
                let (_, health) = try await HTTP.json("GET", base, "/health")
                let h = try #require(health as? [String: Any])
                #expect(h["status"] as? String == "degraded", "\(h)")
                #expect((h["message"] as? String)?.contains("the audit queue is full") == true)
                #expect((h["audit"] as? [String: Any])?["full"] as? Bool == true)
                let (_, metrics) = try await HTTP.send("GET", base, "/metrics")
                let text = String(decoding: metrics, as: UTF8.self)
                #expect(text.contains("mage_audit_queue_full 1"), "\(text)")
                lock.release()
                let statuses = try await requests.value
                // At most `limit` rows wait (queued or in the stalled transaction); the others are refused
                // (durable) or answered with their rows dropped (batched).
                let refused = statuses.filter { $0 == 503 }.count
                #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 })
                #expect(mode == .durable ? refused >= 7 : refused == 0, "\(mode): \(statuses)")
                if mode == .batched { #expect(service.audit!.dropped >= 7) }
                try await waitUntil("the store catches up") { service.audit!.pending == 0 }
            }
        }
        #expect(try harness.store.predictionSummary(modelVersion: version, source: .predict).count > 0)
    }
}

/// Another process holding the store's write lock (`BEGIN IMMEDIATE`) until released.
final class StoreWriteLock: @unchecked Sendable {
    let process = Process()
    let input = Pipe()

    init(_ database: URL) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.read()
            db.execute("ROLLBACK")
            """, database.path]
        process.standardInput = input
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        _ = output.fileHandleForReading.readData(ofLength: 7)
    }

    func release() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
