import Foundation
import MageHost
@testable import MageServing
import MageTestSupport
import Testing

/// Coordination through a real Redis server: the URL, the hiredis connection, the registry's
/// announcements, and a prediction service that follows them with its file watch off (as on a registry
/// shared between hosts, where inotify sees nothing).
@Suite(.serialized) struct RedisCoordinationTests {
    @Test func redisURLsParseAndBadOnesAreNamed() throws {
        let full = try RedisURL("redis://worker:s3cret@127.0.0.1:6380/2")
        #expect(full.host == "127.0.0.1" && full.port == 6380 && full.username == "worker" && full.password == "s3cret" && full.database == 2)
        #expect(full.description == "redis://worker:***@127.0.0.1:6380/2")
        let bare = try RedisURL("redis://localhost")
        #expect(bare.port == 6379 && bare.database == 0 && bare.password == nil && bare.username == nil)
        #expect(try RedisURL("redis://:pw@[::1]:7000").host == "::1")
        #expect(try RedisURL.fromEnvironment([:]) == nil)
        #expect(try RedisURL.fromEnvironment(["REDIS_URL": ""]) == nil)

        for (text, problem) in [("http://127.0.0.1:6379", "only redis:// is supported"), ("rediss://127.0.0.1", "only redis://"),
                                ("redis://", "names no host"), ("redis://127.0.0.1:6379/db", "the path is a database number"),
                                ("redis://127.0.0.1:0", "out of 1-65535"), ("redis://h/0?timeout=1", "query parameters"),
                                ("redis://:hunter2@127.0.0.1/x", "database number")] {
            let error = #expect(throws: MageError.self) { try RedisURL(text) }
            let message = "\(error.map { "\($0)" } ?? "")"
            #expect(message.contains(problem), "\(text): \(message)")
            #expect(!message.contains("hunter2"), "the password is masked: \(message)")
        }
    }

    @Test func commandsAuthenticationAndClearFailures() throws {
        let redis = try RedisServer.start()
        let connection = try RedisConnection(redis.url)
        #expect(try connection.command(["PING"]) == .status("PONG"))
        let value = "a value with spaces, \"quotes\", ünïcödé and\nnewlines"
        #expect(try connection.command(["SET", "mage:test", value]) == .status("OK"))
        #expect(try connection.command(["GET", "mage:test"]) == .string(value))
        #expect(try connection.command(["GET", "mage:missing"]) == .null)
        #expect(try connection.command(["INCR", "mage:counter"]) == .integer(1))
        if case .error(let message) = try connection.command(["NOSUCHCOMMAND"]) {
            #expect(message.contains("unknown command"))
        } else {
            Issue.record("an unknown command answers with an error reply")
        }

        var wrong = redis.url
        wrong.password = "not-the-password"
        let refused = #expect(throws: MageError.self) { try RedisConnection(wrong) }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("refused the credentials"))
        #expect(!"\(refused.map { "\($0)" } ?? "")".contains("not-the-password"))

        var closed = redis.url
        closed.port = try LoopbackPort.free()
        let unreachable = #expect(throws: MageError.self) { try RedisConnection(closed, timeout: .milliseconds(500)) }
        #expect("\(unreachable.map { "\($0)" } ?? "")".contains("cannot connect to Redis at redis://:***@127.0.0.1:\(closed.port)/0"))
    }

    @Test func everyMoveOfLatestIsAnnounced() async throws {
        let (redis, harness, first, second) = try await Self.twoVersions()
        let registry = Self.announcing(harness, redis)
        let announcer = try #require(registry.announcer)
        #expect(announcer.channel == "swiftmage:registry:serving_test")

        let subscriber = try RedisConnection(redis.url)
        #expect(try subscriber.command(["SUBSCRIBE", announcer.channel]) == .array([.string("subscribe"), .string(announcer.channel), .integer(1)]))
        try registry.promote(first)
        _ = try registry.rollback()
        var announced: [String] = []
        while announced.count < 2, let reply = try subscriber.nextReply(waitingUpTo: 2000) {
            guard case .array(let parts) = reply, parts.count == 3, case .string(let payload) = parts[2] else { continue }
            let pointer = try JSONDecoder.iso8601.decode(ModelRegistry.Pointer.self, from: Data(payload.utf8))
            #expect(pointer.path == "model_registry/\(pointer.version)")
            announced.append(pointer.version)
        }
        #expect(announced == [first, second])
    }

    @Test func theServiceFollowsAnnouncementsWithItsFileWatchOff() async throws {
        let (redis, harness, first, second) = try await Self.twoVersions()
        let configuration = ServingConfiguration(port: 0, fileWatch: false, redis: redis.url, resyncInterval: .seconds(3600))
        try await harness.withService(configuration) { service, base in
            try await waitUntil("the listener subscribes") { service.announcements?.subscribed.load(ordering: .acquiring) == true }
            #expect(try await servedVersion(base) == second)

            // A move nobody announces is not seen: no file watch, and no request reads latest.json.
            try Self.moveAsAnotherHost(harness, to: first)
            #expect(try harness.registry.latest()?.version == first)
            for _ in 0..<5 { #expect(try await servedVersion(base) == second) }

            // Announced moves are: each promote, made by `mage models promote` in another process (so
            // neither inotify nor the in-process notification can tell), serves within moments.
            for round in 0..<3 {
                let expected = round % 2 == 0 ? second : first
                try Self.mage(["models", "promote", harness.project.root.path, expected], redis: redis)
                try await waitUntil("version \(expected) serves") { try await servedVersion(base) == expected }
            }
        }
    }

    @Test func afterRedisRestartsTheServiceCatchesUpOnMissedMoves() async throws {
        let (redis, harness, first, second) = try await Self.twoVersions()
        let registry = Self.announcing(harness, redis)
        let configuration = ServingConfiguration(port: 0, fileWatch: false, redis: redis.url, resyncInterval: .seconds(3600))
        try await harness.withService(configuration) { service, base in
            let listener = try #require(service.announcements)
            try await waitUntil("the listener subscribes") { listener.subscribed.load(ordering: .acquiring) }
            #expect(try await servedVersion(base) == second)

            let (_, healthy) = try await HTTP.json("GET", base, "/health")
            let follows = try #require((healthy as? [String: Any])?["follows"] as? [String: Any])
            #expect(follows["file_watch"] as? Bool == false && follows["redis_subscribed"] as? Bool == true)
            #expect((follows["redis"] as? String)?.contains(":***@127.0.0.1:\(redis.port)") == true)

            redis.stop()
            try await waitUntil("the listener sees the server gone") { !listener.subscribed.load(ordering: .acquiring) }
            let (status, degraded) = try await HTTP.json("GET", base, "/health")
            #expect(status == 200)
            #expect((degraded as? [String: Any])?["status"] as? String == "degraded")
            #expect(((degraded as? [String: Any])?["message"] as? String)?.contains("not subscribed to registry announcements") == true)
            // Another host moves the pointer meanwhile; its announcement reaches nobody, Redis being down.
            try Self.moveAsAnotherHost(harness, to: first)
            #expect(try await servedVersion(base) == second)

            try redis.start()
            try await waitUntil("the listener resubscribes and catches up") { try await servedVersion(base) == first }
        }
    }

    @Test func aMoveMadeInThisProcessIsFollowed() async throws {
        let harness = try ServingHarness()
        let first = try await harness.train()
        let second = try await harness.train()
        // No file watch, and a Redis that never answers: only the in-process notification is left.
        var unreachable = try RedisURL("redis://127.0.0.1:1")
        unreachable.port = try LoopbackPort.free()
        let configuration = ServingConfiguration(port: 0, fileWatch: false, redis: unreachable, resyncInterval: .seconds(3600))
        try await harness.withService(configuration) { _, base in
            #expect(try await servedVersion(base) == second)
            try Self.moveAsAnotherHost(harness, to: first)
            #expect(try await servedVersion(base) == second, "a move made elsewhere is not an in-process move")
            try harness.registry.promote(second)
            try harness.registry.promote(first)
            // The move is loaded off the request path: requests keep the old model until the swap.
            try await waitUntil("the promoted version serves") { try await servedVersion(base) == first }
            _ = try harness.registry.rollback()
            try await waitUntil("the rolled-back version serves") { try await servedVersion(base) == second }
        }
    }

    @Test func withoutAnnouncementsAResyncStillFindsTheMove() async throws {
        let (redis, harness, first, second) = try await Self.twoVersions()
        let configuration = ServingConfiguration(port: 0, fileWatch: false, redis: redis.url, resyncInterval: .milliseconds(300))
        try await harness.withService(configuration) { service, base in
            try await waitUntil("the listener subscribes") { service.announcements?.subscribed.load(ordering: .acquiring) == true }
            #expect(try await servedVersion(base) == second)
            try Self.moveAsAnotherHost(harness, to: first)  // unannounced: only the periodic re-read can find it
            try await waitUntil("the resync finds \(first)") { try await servedVersion(base) == first }
        }
    }
}

extension RedisCoordinationTests {
    /// A Redis server, and a project with two trained versions (the second is latest).
    static func twoVersions() async throws -> (RedisServer, ServingHarness, first: String, second: String) {
        let redis = try RedisServer.start()
        let harness = try ServingHarness()
        let first = try await harness.train()
        return (redis, harness, first, try await harness.train())
    }

    /// Runs the built `mage` with `REDIS_URL` naming `redis`; throws with its stderr when it fails.
    static func mage(_ arguments: [String], redis: RedisServer) throws {
        let process = Process()
        process.executableURL = ServingHarness.buildDirectory.appendingPathComponent("mage")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["REDIS_URL": "redis://:\(redis.password)@127.0.0.1:\(redis.port)/0"]) { $1 }
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RedisServer.Failure(description: "mage \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(message)")
        }
        #expect(!message.contains("announcing it failed"), "\(message)")
    }

    /// Points `latest.json` at `version` as another host would (a rename into place), unannounced and
    /// unseen by this process's registry.
    static func moveAsAnotherHost(_ harness: ServingHarness, to version: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let pointer = ModelRegistry.Pointer(version: version, path: "model_registry/\(version)", updatedAt: Date())
        try AtomicFile.write(try encoder.encode(pointer), to: harness.registry.latestFile)
    }

    /// The project's registry, announcing its moves on `redis`.
    static func announcing(_ harness: ServingHarness, _ redis: RedisServer) -> ModelRegistry {
        ModelRegistry(project: harness.project, store: harness.store, announcer: RegistryAnnouncer(redis: redis.url, project: harness.project))
    }
}

/// The version that answers the example customer now.
func servedVersion(_ base: URL) async throws -> String? {
    let (status, body) = try await HTTP.json("POST", base, "/predict", exampleBody)
    guard status == 200 else { return nil }
    return (body as? [String: Any])?["model_version"] as? String
}

/// Polls `condition` every 20 ms for up to `seconds`; records an issue naming `what` when it never holds.
func waitUntil(_ what: String, seconds: Double = 15, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(seconds) s waiting until \(what)")
}
