import ArgumentParser
import Foundation
import MageHost

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "The model registry.",
        subcommands: [List.self, Show.self, Promote.self, Rollback.self])

    struct ProjectArgument: ParsableArguments {
        @Argument(help: "The project folder.")
        var project: String

        func registry() throws -> ModelRegistry {
            let project = try Project(root: URL(fileURLWithPath: self.project))
            return try ModelRegistry.configured(project: project, store: try SQLiteStore(path: project.databaseURL))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registered versions, newest first; * marks latest.")

        @OptionGroup var target: ProjectArgument
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            do {
                let registry = try target.registry()
                let versions = try registry.store.modelVersionList(pipelineRunID: nil, limit: 1000)
                if json { return try printJSON(versions) }
                let latest = try registry.latest()?.version
                if versions.isEmpty { print("no models yet: run a pipeline with a registry block") }
                for model in versions {
                    let auc = model.metrics["roc_auc"].map { "  roc_auc \($0.jsonText)" } ?? ""
                    print("\(model.version == latest ? "*" : " ") \(model.version)  \(model.modelType)  \(model.status.rawValue)\(auc)  run \(model.pipelineRunID)")
                }
            } catch {
                throw fail(error)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A version's metadata.json.")

        @OptionGroup var target: ProjectArgument
        @Argument(help: "The version, e.g. v_20261129_160212.") var version: String

        func run() throws {
            do {
                let registry = try target.registry()
                guard try registry.store.modelVersionGet(version) != nil else {
                    throw MageError.usage("no model version '\(version)'")
                }
                let file = registry.root.appendingPathComponent(version).appendingPathComponent("metadata.json")
                print(try String(contentsOf: file, encoding: .utf8))
            } catch {
                throw fail(error)
            }
        }
    }

    struct Promote: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Point latest at a version (atomically).")

        @OptionGroup var target: ProjectArgument
        @Argument(help: "The version to serve.") var version: String

        func run() throws {
            do {
                try target.registry().promote(version)
                print("latest → \(version)")
            } catch {
                throw fail(error)
            }
        }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Point latest back at the version before it.")

        @OptionGroup var target: ProjectArgument

        func run() throws {
            do {
                let model = try target.registry().rollback()
                print("latest → \(model.version)")
            } catch {
                throw fail(error)
            }
        }
    }
}
