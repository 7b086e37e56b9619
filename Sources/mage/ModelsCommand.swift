import ArgumentParser
import Foundation
import MageHost

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models", abstract: "The model registry.",
        subcommands: [List.self, Show.self, Promote.self, Rollback.self, Deploy.self])

    struct ProjectArgument: ParsableArguments {
        @Argument(help: "The project folder.")
        var project: String

        func registry() throws -> ModelRegistry {
            let project = try Project(root: URL(fileURLWithPath: self.project))
            return try ModelRegistry.configured(project: project, store: try project.openStore())
        }

        /// For the commands that only read: first finish any move a killed process left half done (a
        /// reader that may not write the registry still reads it, with a warning).
        func reconciledRegistry() throws -> ModelRegistry {
            let registry = try registry()
            do {
                try registry.reconcile()
            } catch {
                FileHandle.standardError.write(Data("warning: the registry could not be reconciled: \(MageError.describe(error))\n".utf8))
            }
            return registry
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registered versions, newest first; * marks latest.")

        @OptionGroup var target: ProjectArgument
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            do {
                let registry = try target.reconciledRegistry()
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
                let registry = try target.reconciledRegistry()
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

    struct Deploy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a version deployed (deployment_status.json); latest does not move.")

        @OptionGroup var target: ProjectArgument
        @Argument(help: "The version to deploy.") var version: String

        func run() throws {
            do {
                let model = try target.registry().deploy(version)
                print("deployed \(model.version)")
            } catch {
                throw fail(error)
            }
        }
    }
}
