import Foundation

extension Project {
    /// The project's metadata store: the one place that picks it, for every command, service and block
    /// process (which inherit the environment). `MAGE_DATABASE_CONNECTION_URL=postgresql://…` (or
    /// `postgres://…`; libpq's `PG*` variables fill in what it leaves out) selects PostgreSQL; without it,
    /// the embedded SQLite file `.mage_data/mage.db`.
    public func openStore(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any MetadataStore {
        guard let url = environment[Self.databaseURLVariable], !url.isEmpty else { return try SQLiteStore(path: databaseURL) }
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw MageError.usage("\(Self.databaseURLVariable) must be a postgresql:// or postgres:// URL, got '\(PostgresStore.masked(url))'")
        }
        return try PostgresStore(url: url)
    }

    public static let databaseURLVariable = "MAGE_DATABASE_CONNECTION_URL"
}
