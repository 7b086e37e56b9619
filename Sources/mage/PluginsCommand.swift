import ArgumentParser
import Foundation
import MageHost

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plugins", abstract: "Inspect plugins.",
                                                    subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every plugin library on the search path: what loaded, and what was refused and why.")

        @Option(help: "A project whose plugins/ folder to search too.")
        var project: String?

        @Flag(help: "Print JSON.")
        var json = false

        struct Listing: Encodable {
            var searchPath: [String]
            var libraries: [PluginLibrary]
            var refused: [RefusedLibrary]
        }

        func run() throws {
            let projectURL = project.map { URL(fileURLWithPath: $0) }
            let directories = PluginCatalog.searchPath(project: projectURL)
            let catalog = PluginCatalog(directories: directories)
            if let projectURL, let project = try? Project(root: projectURL) {
                try? project.openStore().pluginRecordsReplace(catalog.records())
            }
            if json {
                try printJSON(Listing(searchPath: directories.map(\.path), libraries: catalog.libraries,
                                      refused: catalog.refused))
                return
            }
            print("search path: \(directories.map(\.path).joined(separator: ":"))")
            for library in catalog.libraries {
                print("\(library.name) \(library.version)  ABI \(library.abiVersion)  \(library.path)")
                print("  sha256 \(library.sha256 ?? "-")")
                for name in library.blockKinds {
                    let kind = try catalog.blockKind(named: name)
                    print("  \(kind.type.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(name)  \(kind.description)")
                }
                for name in library.functions {
                    print("  function       \(name)  \(catalog.functions[name]!.signature)")
                }
            }
            for refused in catalog.refused {
                print("refused \(refused.path): \(refused.reason)")
            }
            if catalog.libraries.isEmpty && catalog.refused.isEmpty {
                print("no plugin libraries found; build them with `make plugins`")
            }
        }
    }
}
