import Foundation
import GRDB

/// The registry's rules in SQLite (migration v7): one deployed version (a partial unique index on
/// `model_versions.deployed`) and the latest pointer as a one-row table that a move updates only from
/// the value it expects, with its event, in one transaction.
extension SQLiteStore {
    public func modelVersionSetDeployed(_ version: String, at: Date) throws {
        try pool.write { db in
            guard let target = try String.fetchOne(db, sql: "SELECT document FROM model_versions WHERE version = ?",
                                                   arguments: [version]) else {
                throw MageError.usage("no model version '\(version)'")
            }
            let current = try String.fetchOne(db, sql: "SELECT document FROM model_versions WHERE deployed = 1")
            for write in try ModelDeployment.writes(deploying: target, replacing: current, at: at) {
                try db.execute(sql: "UPDATE model_versions SET document = ?, deployed = ? WHERE version = ?",
                               arguments: [write.document, write.deployed, write.version])
            }
            try Self.insert(RegistryEvent(action: .deploy, version: version, previous: nil, at: at), db)
        }
    }

    public func registryPointerMove(_ event: RegistryEvent) throws -> Bool {
        guard event.action != .deploy else { throw MageError.usage("a deployment is recorded by modelVersionSetDeployed") }
        return try pool.write { db in
            if let previous = event.previous {
                try db.execute(sql: "UPDATE registry_latest SET version = ? WHERE singleton = 1 AND version = ?",
                               arguments: [event.version, previous])
            } else {
                try db.execute(sql: "INSERT INTO registry_latest (singleton, version) VALUES (1, ?) ON CONFLICT (singleton) DO NOTHING",
                               arguments: [event.version])
            }
            guard db.changesCount == 1 else { return false }
            try Self.insert(event, db)
            return true
        }
    }

    public func registryEventList() throws -> [RegistryEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM registry_events ORDER BY id").map { row in
                RegistryEvent(action: RegistryEvent.Action(rawValue: row["action"]) ?? .register,
                              version: row["version"], previous: row["previous"], at: row["at"])
            }
        }
    }

    private static func insert(_ event: RegistryEvent, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO registry_events (action, version, previous, at) VALUES (?, ?, ?, ?)",
                       arguments: [event.action.rawValue, event.version, event.previous, event.at])
    }
}
