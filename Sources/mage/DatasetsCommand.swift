import ArgumentParser
import Foundation
import MageHost

struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "datasets", abstract: "Inspect data versions.",
                                                    subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Data versions, newest first.")

        @Argument(help: "The project folder.")
        var project: String

        @Option(help: "How many versions.")
        var limit = 20

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            do {
                let project = try Project(root: URL(fileURLWithPath: self.project))
                let versions = try project.openStore().datasetVersionList(pipelineRunID: nil, limit: max(1, limit))
                if json { return try printJSON(versions) }
                if versions.isEmpty { print("no data versions yet: run a pipeline with a data loader") }
                for v in versions {
                    let rate = v.labelRate.map { String(format: "  %@ rate %.1f%%", (v.label ?? "label") as NSString, $0 * 100) } ?? ""
                    print("\(v.version)  \(v.hash)  \(v.rowCount) rows × \(v.featureCount) features\(rate)  run \(v.pipelineRunID) \(v.block)")
                }
            } catch {
                throw fail(error)
            }
        }
    }
}
