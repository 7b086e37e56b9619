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
        var reconnect = PostgresReconnect()
        if let text = environment[Self.databaseReconnectVariable] {
            guard let seconds = Double(text), seconds >= 0, seconds <= 3600 else {
                throw MageError.usage("\(Self.databaseReconnectVariable) must be a number of seconds from 0 to 3600, got '\(text)'")
            }
            reconnect.maxWait = seconds
        }
        return try PostgresStore(url: url, reconnect: reconnect)
    }

    public static let databaseURLVariable = "MAGE_DATABASE_CONNECTION_URL"
    /// How long a PostgreSQL call waits for a server that went away before it fails (default 10 s).
    public static let databaseReconnectVariable = "MAGE_DATABASE_RECONNECT_SECONDS"
}
