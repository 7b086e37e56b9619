import Foundation
import GRDB
import Synchronization
import Testing
@testable import MageHost
import MageTestSupport

/// The registry's rules as the stores enforce them (migration v7), on every store: one deployed version,
/// and a pointer history in which each move's `previous` is the version the move before it named,
/// however many connections move the pointer at once.
@Suite struct RegistryStoreConformanceTests {
    /// A database several stores open, as several processes or hosts would.
    struct Shared: CustomTestStringConvertible, Sendable {
        let name: String
        let open: @Sendable () throws -> any MetadataStore
        var testDescription: String { name }
    }

    static func shared(_ backend: String) throws -> Shared {
        if backend == "SQLite" {
            let path = try TemporaryFolder.make().appendingPathComponent("mage.db")
            return Shared(name: backend) { try SQLiteStore(path: path) }
        }
        let url = try StoreConformanceTests.freshPostgresDatabase()
        return Shared(name: backend) { try PostgresStore(url: url) }
    }

    static let backends = ["SQLite", "PostgreSQL"]
    static let v7 = "v7: registry constraints"
    /// The same migration on PostgreSQL, whose list started at the SQLite store's v5.
    static let postgresV7 = "v3: registry constraints (the SQLite store's v7)"

    static func model(_ n: Int) -> ModelVersion {
        ModelVersion(version: "", path: "model_registry", modelType: "base_rate", blockKind: "c_base_rate", status: .registered,
                     metrics: ["auc": .double(0.5)], createdAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)),
                     deployedAt: nil, pipelineRunID: 1, block: "training")
    }

    /// Runs `body` on `count` threads at once (real threads: every store call blocks), and returns the
    /// errors they threw.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) -> [String] {
        let errors = Mutex<[String]>([])
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                defer { group.leave() }
                do { try body(index) } catch { errors.withLock { $0.append("thread \(index): \(error)") } }
            }.start()
        }
        group.wait()
        return errors.withLock { $0 }
    }

    @Test(arguments: backends)
    func aMoveFromAPointerThatMovedMeanwhileIsRefusedAndWritesNothing(_ backend: String) throws {
        let store = try Self.shared(backend).open()
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try store.registryPointerMove(RegistryEvent(action: .register, version: "a", previous: nil, at: at)))
        #expect(try !store.registryPointerMove(RegistryEvent(action: .register, version: "b", previous: nil, at: at)),
                "latest names a already")
        #expect(try store.registryPointerMove(RegistryEvent(action: .promote, version: "b", previous: "a", at: at)))
        #expect(try !store.registryPointerMove(RegistryEvent(action: .promote, version: "c", previous: "a", at: at)),
                "latest names b now")
        #expect(try store.registryPointerMove(RegistryEvent(action: .rollback, version: "a", previous: "b", at: at)))
        #expect(try store.registryEventList().map(\.version) == ["a", "b", "a"])
        #expect(throws: MageError.self) {
            try store.registryPointerMove(RegistryEvent(action: .deploy, version: "a", previous: "a", at: at))
        }
    }

    /// Four connections promote at once, each reading `previous` from the history and reading it again
    /// when its move is refused: every move is recorded once, in a chain.
    @Test(arguments: backends)
    func concurrentPromotesRecordAConsistentChain(_ backend: String) throws {
        let shared = try Self.shared(backend)
        let (threads, movesEach) = (4, 10)
        let stores = try (0..<threads).map { _ in try shared.open() }
        let errors = Self.onThreads(threads) { index in
            let store = stores[index]
            for move in 0..<movesEach {
                let version = "t\(index)_\(move)"
                while true {
                    let previous = ModelRegistry.pointerHistory(try store.registryEventList()).last
                    if try store.registryPointerMove(RegistryEvent(action: .promote, version: version, previous: previous, at: Date())) { break }
                }
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        let events = try stores[0].registryEventList()
        #expect(events.count == threads * movesEach)
        #expect(Set(events.map(\.version)).count == threads * movesEach, "each move once")
        #expect(events.first?.previous == nil)
        for (before, event) in zip(events, events.dropFirst()) {
            #expect(event.previous == before.version, "\(event.version) recorded \(event.previous ?? "nothing") after \(before.version)")
        }
    }

    /// Four connections deploy at once while a fifth reads: it never sees two deployed versions, and the
    /// one deployed at the end is the last deployment recorded.
    @Test(arguments: backends)
    func concurrentDeploysLeaveOneDeployedVersion(_ backend: String) throws {
        let shared = try Self.shared(backend)
        let setup = try shared.open()
        let versions = try (0..<4).map { try setup.modelVersionCreate(Self.model($0), base: "v_\($0)").version }
        let stores = try (0..<5).map { _ in try shared.open() }
        let finished = Atomic<Int>(0)
        let mostSeen = Atomic<Int>(0)
        let errors = Self.onThreads(5) { index in
            let store = stores[index]
            if index == 4 {
                while finished.load(ordering: .acquiring) < 4 {
                    let deployed = try store.modelVersionList(pipelineRunID: nil, limit: 10).filter { $0.status == .deployed }.count
                    mostSeen.max(deployed, ordering: .relaxed)
                }
                return
            }
            defer { finished.add(1, ordering: .releasing) }
            for round in 0..<6 {
                try store.modelVersionSetDeployed(versions[(index + round) % versions.count], at: Date())
            }
        }
        #expect(errors.isEmpty, "\(errors)")
        #expect(mostSeen.load(ordering: .relaxed) <= 1)
        let deployed = try setup.modelVersionList(pipelineRunID: nil, limit: 10).filter { $0.status == .deployed }
        #expect(deployed.count == 1)
        let deploys = try setup.registryEventList().filter { $0.action == .deploy }
        #expect(deploys.count == 24)
        #expect(deployed.first?.version == deploys.last?.version)
    }

    @Test func theSQLiteFileRefusesASecondDeployedVersion() throws {
        let path = try TemporaryFolder.make().appendingPathComponent("mage.db")
        let store = try SQLiteStore(path: path)
        for n in 0..<2 { _ = try store.modelVersionCreate(Self.model(n), base: "v_\(n)") }
        try store.modelVersionSetDeployed("v_0", at: Date())
        #expect(throws: (any Error).self) {
            try store.pool.write { try $0.execute(sql: "UPDATE model_versions SET deployed = 1 WHERE version = 'v_1'") }
        }
    }

    @Test(arguments: StoreConformanceTests.stores)
    func versionIdsTakeTheFirstFreeSuffixEvenWhenTheBaseHoldsLikeWildcards(_ factory: StoreConformanceTests.Factory) throws {
        let store = try factory.make()
        let ids = try (0..<3).map { try store.modelVersionCreate(Self.model($0), base: "v_1%x").version }
        #expect(ids == ["v_1%x", "v_1%x_2", "v_1%x_3"])
        _ = try store.modelVersionCreate(Self.model(9), base: "v_1%xy")
        #expect(try store.modelVersionCreate(Self.model(4), base: "v_1%x").version == "v_1%x_4")
        #expect(try store.modelVersionGet("v_1%x_2")?.path == "model_registry/v_1%x_2")
    }

    @Test func thePostgresDatabaseRefusesASecondDeployedVersion() throws {
        let store = try PostgresStore(url: try StoreConformanceTests.freshPostgresDatabase())
        for n in 0..<2 { _ = try store.modelVersionCreate(Self.model(n), base: "v_\(n)") }
        try store.modelVersionSetDeployed("v_0", at: Date())
        #expect(throws: (any Error).self) { try store.query("UPDATE model_versions SET deployed = true WHERE version = 'v_1'") }
    }

    // MARK: - Carrying data over

    /// What a database written before v7 may hold: the deployed state in the documents only (two of
    /// them marked deployed, as no index stopped it), and a pointer history of register, promote,
    /// rollback and deploy.
    static func olderDocuments() throws -> [(version: String, document: String)] {
        var documents: [(String, String)] = []
        for (n, deployedAt) in [(0, 1_800_000_100.0), (1, 1_800_000_200.0), (2, nil)] as [(Int, Double?)] {
            var model = model(n).identified(as: "v_\(n)")
            if let deployedAt {
                model.status = .deployed
                model.deployedAt = Date(timeIntervalSince1970: deployedAt)
            }
            documents.append((model.version, String(decoding: try JSON.encode(model, pretty: false), as: UTF8.self)))
        }
        return documents
    }

    static let olderEvents: [(String, String, String?)] = [
        ("register", "v_0", nil), ("promote", "v_1", "v_0"), ("deploy", "v_1", nil), ("rollback", "v_0", "v_1"),
    ]

    /// After v7: v_1 (deployed last) is the one deployed, v_0's document says registered, and latest is v_0.
    static func expectCarriedOver(_ store: any MetadataStore) throws {
        let models = try store.modelVersionList(pipelineRunID: nil, limit: 10)
        #expect(models.filter { $0.status == .deployed }.map(\.version) == ["v_1"])
        #expect(models.map(\.version).sorted() == ["v_0", "v_1", "v_2"])
        #expect(models.first { $0.version == "v_0" }?.deployedAt == Date(timeIntervalSince1970: 1_800_000_100), "kept as it was")
        let at = Date()
        #expect(try !store.registryPointerMove(RegistryEvent(action: .promote, version: "v_2", previous: "v_1", at: at)))
        #expect(try store.registryPointerMove(RegistryEvent(action: .promote, version: "v_2", previous: "v_0", at: at)))
        try store.modelVersionSetDeployed("v_2", at: at)
        #expect(try store.modelVersionList(pipelineRunID: nil, limit: 10).filter { $0.status == .deployed }.map(\.version) == ["v_2"])
    }

    @Test func sqliteMigrationV7CarriesTheDeployedStateAndThePointerOver() throws {
        let path = try TemporaryFolder.make().appendingPathComponent("mage.db")
        do {
            let pool = try DatabasePool(path: path.path)
            try pool.write { db in
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for (identifier, apply) in SQLiteMigrations.migrations where identifier != Self.v7 {
                    try apply(db)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
                }
                for (n, (version, document)) in try Self.olderDocuments().enumerated() {
                    try db.execute(sql: "INSERT INTO model_versions (version, document, created_at, pipeline_run_id) VALUES (?, ?, ?, 1)",
                                   arguments: [version, document, Date(timeIntervalSince1970: 1_800_000_000 + Double(n))])
                }
                for (action, version, previous) in Self.olderEvents {
                    try db.execute(sql: "INSERT INTO registry_events (action, version, previous, at) VALUES (?, ?, ?, ?)",
                                   arguments: [action, version, previous, Date()])
                }
            }
        }
        try Self.expectCarriedOver(try SQLiteStore(path: path))
    }

    @Test func postgresMigrationV7CarriesTheDeployedStateAndThePointerOver() throws {
        let url = try StoreConformanceTests.freshPostgresDatabase()
        do {
            let c = try PostgresConnection(url: url, connectTimeout: 5, statementTimeoutMilliseconds: 30_000)
            try c.query("CREATE TABLE mage_migrations (identifier TEXT PRIMARY KEY)")
            for (identifier, sql) in PostgresMigrations.migrations where identifier != Self.postgresV7 {
                try c.script(sql)
                try c.query("INSERT INTO mage_migrations (identifier) VALUES ($1)", [identifier])
            }
            for (n, (version, document)) in try Self.olderDocuments().enumerated() {
                try c.query("INSERT INTO model_versions (version, document, created_at, pipeline_run_id) VALUES ($1, $2, $3, 1)",
                            [version, document, PostgresText.date(Date(timeIntervalSince1970: 1_800_000_000 + Double(n)))])
            }
            for (action, version, previous) in Self.olderEvents {
                try c.query("INSERT INTO registry_events (action, version, previous, at) VALUES ($1, $2, $3, $4)",
                            [action, version, previous, PostgresText.date(Date())])
            }
        }
        try Self.expectCarriedOver(try PostgresStore(url: url))
    }
}
