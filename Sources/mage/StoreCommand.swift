import ArgumentParser
import Foundation
import MageHost

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store", abstract: "Manage the metadata store.",
                                                    subcommands: [Copy.self])

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the project's SQLite store into an empty PostgreSQL database, ids kept, in one transaction.")

        @Argument(help: "The project folder.")
        var project: String

        @Option(help: "The PostgreSQL database to copy into: postgresql://user:pass@host:5432/db; its schema is created if missing.")
        var to: String

        func run() throws {
            do {
                let project = try Project(root: URL(fileURLWithPath: self.project))
                guard to.hasPrefix("postgresql://") || to.hasPrefix("postgres://") else {
                    throw MageError.usage("--to must be a postgresql:// or postgres:// URL, got '\(PostgresStore.masked(to))'")
                }
                guard FileManager.default.fileExists(atPath: project.databaseURL.path) else {
                    throw MageError.usage("project \(project.identifier) has no SQLite store to copy (\(project.databaseURL.path))")
                }
                let copied = try StoreCopy.copy(from: try SQLiteStore(path: project.databaseURL), to: to)
                for (table, rows) in copied { print("\(table)\t\(rows)") }
                print("copied \(project.databaseURL.path) into \(PostgresStore.masked(to))")
                print("next: export \(Project.databaseURLVariable)='\(PostgresStore.masked(to))' (with the real password) to use it")
            } catch {
                throw fail(error)
            }
        }
    }
}
