import Foundation

extension Project {
    /// The project's metadata store: the one place that picks it, for every command, service and block
    /// process. The embedded SQLite file (`.mage_data/mage.db`) is the store a project runs on today.
    public func openStore() throws -> any MetadataStore {
        try SQLiteStore(path: databaseURL)
    }
}
