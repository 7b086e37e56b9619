import Foundation

/// The registry's rules in PostgreSQL (migration v7), as in the SQLite store: one deployed version (a
/// partial unique index on `model_versions.deployed`) and the latest pointer as a one-row table that a
/// move updates only from the value it expects, with its event, in one transaction. Under READ
/// COMMITTED a second move waits for the first's row lock, then finds the row changed and updates nothing.
extension PostgresStore {
    public func modelVersionSetDeployed(_ version: String, at: Date) throws {
        try transaction { c in
            // The lock orders concurrent deployments: each sees the one before it (the index alone would
            // make the second fail instead).
            try c.query("LOCK TABLE model_versions IN SHARE ROW EXCLUSIVE MODE")
            guard let target = try c.query("SELECT document FROM model_versions WHERE version = $1", [version]).first?.text("document") else {
                throw MageError.usage("no model version '\(version)'")
            }
            let current = try c.query("SELECT document FROM model_versions WHERE deployed").first?.text("document")
            for write in try ModelDeployment.writes(deploying: target, replacing: current, at: at) {
                try c.query("UPDATE model_versions SET document = $1, deployed = $2 WHERE version = $3",
                            [write.document, PostgresText.bool(write.deployed), write.version])
            }
            try Self.insert(RegistryEvent(action: .deploy, version: version, previous: nil, at: at), c)
        }
    }

    public func registryPointerMove(_ event: RegistryEvent) throws -> Bool {
        guard event.action != .deploy else { throw MageError.usage("a deployment is recorded by modelVersionSetDeployed") }
        return try transaction { c in
            let moved = try event.previous.map {
                try c.query("UPDATE registry_latest SET version = $1 WHERE singleton = 1 AND version = $2", [event.version, $0])
            } ?? c.query("INSERT INTO registry_latest (singleton, version) VALUES (1, $1) ON CONFLICT (singleton) DO NOTHING",
                         [event.version])
            guard moved.affected == 1 else { return false }
            try Self.insert(event, c)
            return true
        }
    }

    public func registryEventList() throws -> [RegistryEvent] {
        try query("SELECT * FROM registry_events ORDER BY id").all.compactMap { row in
            RegistryEvent.Action(rawValue: row.string("action")).map {
                RegistryEvent(action: $0, version: row.string("version"), previous: row.text("previous"),
                              at: row.date("at") ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    private static func insert(_ event: RegistryEvent, _ c: PostgresConnection) throws {
        try c.query("INSERT INTO registry_events (action, version, previous, at) VALUES ($1, $2, $3, $4)",
                    [event.action.rawValue, event.version, event.previous, PostgresText.date(event.at)])
    }
}
