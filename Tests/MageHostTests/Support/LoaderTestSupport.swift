import Foundation
@testable import MageHost

/// Helpers shared by the data loader tests: files, run folders, and `mage run` as a person runs it.
enum LoaderTestSupport {
    /// Writes `text` byte for byte into `folder/name` and returns the file's path.
    static func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The block.log of a block in a run summary.
    static func log(_ summary: PipelineRunSummary, _ block: String) throws -> String {
        let record = try requireBlock(summary, block)
        guard let path = record.logPath else { throw MageError.io("block '\(block)' has no log") }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    static func requireBlock(_ summary: PipelineRunSummary, _ block: String) throws -> BlockRun {
        guard let record = summary.blocks.first(where: { $0.block == block }) else {
            throw MageError.io("no block '\(block)' in the run")
        }
        return record
    }

    /// Every file of a project's run folders, as text (invocation.json, block.log, result.json,
    /// output.csv, ...).
    static func runFolderTexts(_ project: URL) -> [String: String] {
        let root = project.appendingPathComponent(".mage_data/pipelines")
        var texts: [String: String] = [:]
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            texts[url.path] = String(decoding: data, as: UTF8.self)
        }
        return texts
    }

    /// A project whose own `plugins/` folder holds the built MageDataLoaders (searched before any other
    /// plugin folder, so the test runs this build's plugin).
    static func projectWithDataLoaders(pipelines: [String: String]) throws -> Project {
        let project = try TestEnvironment.project(pipelines: pipelines)
        let plugins = project.root.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        chmod(plugins.path, 0o755)
        try TestEnvironment.install(TestEnvironment.swiftPlugin("MageDataLoaders"), into: plugins)
        return project
    }

    /// Runs `mage` in `directory` (its working directory) with extra environment variables.
    static func runMage(_ arguments: [String], in directory: URL,
                        environment: [String: String] = [:]) throws -> (code: Int32, stdout: String, stderr: String) {
        try TestEnvironment.run(TestEnvironment.mage, arguments, environment: environment, in: directory)
    }
}
