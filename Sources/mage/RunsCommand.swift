import ArgumentParser
import Foundation
import MageHost

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "Inspect pipeline runs.",
                                                    subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recent pipeline runs, newest first.")

        @Argument(help: "The project folder.")
        var project: String

        @Option(help: "Only runs of this pipeline.")
        var pipeline: String?

        @Option(help: "How many runs.")
        var limit = 20

        @Flag(help: "Print JSON, with each run's block runs.")
        var json = false

        struct Entry: Encodable {
            var run: PipelineRun
            var blocks: [BlockRun]
        }

        func run() throws {
            do {
                let project = try Project(root: URL(fileURLWithPath: self.project))
                let store = try project.openStore()
                let runs = try store.pipelineRunList(PipelineRunFilter(pipeline: pipeline), limit: max(1, limit), offset: 0)
                if json {
                    try printJSON(try runs.map { Entry(run: $0, blocks: try store.blockRunList(pipelineRunID: $0.id)) })
                    return
                }
                if runs.isEmpty { print("no runs yet: mage run \(self.project) <pipeline>") }
                for run in runs {
                    let blocks = try store.blockRunList(pipelineRunID: run.id)
                    let counts = Dictionary(grouping: blocks, by: \.status).map { "\($0.value.count) \($0.key.rawValue)" }
                    print("\(run.id)\t\(run.pipeline)\t\(run.status.rawValue)\t\(run.createdAt.formatted(.iso8601))\t\(counts.sorted().joined(separator: ", "))")
                }
            } catch {
                throw fail(error)
            }
        }
    }
}
