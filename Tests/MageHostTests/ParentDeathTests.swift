import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// A block process dies with the `mage` that started it, however that one ends (`ParentDeath`).
@Suite struct ParentDeathTests {
    /// Synchronous, with `usleep`: the instants matter, and a busy concurrency pool would delay a `Task.sleep`.
    @Test func killingMageWithSIGKILLKillsItsBlockProcessBeforeItWritesAnything() throws {
        // The registry block sleeps 1.5 s, then registers the model: if it outlived mage, that would show.
        let plugins = try TestEnvironment.pluginDirectory(fixtures: ["c_model", "c_registry"], swift: ["MageDataLoaders"])
        let project = try TestEnvironment.project(pipelines: ["p": """
            blocks:
            - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 200, seed: 3}}
            - {uuid: training, type: model, plugin: c_base_rate, upstream_blocks: [make_dataset]}
            - {uuid: registry, type: data_exporter, plugin: c_slow_register, upstream_blocks: [training], configuration: {seconds: 1.5}}
            """])
        let log = try TemporaryFolder.make("logs").appendingPathComponent("mage.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let mage = Process()
        mage.executableURL = TestEnvironment.mage
        mage.arguments = ["run", project.root.path, "p"]
        mage.environment = ProcessInfo.processInfo.environment.merging(["MAGE_PLUGIN_PATH": plugins.path]) { $1 }
        mage.standardOutput = try FileHandle(forWritingTo: log)
        mage.standardError = mage.standardOutput
        try mage.run()
        let invocation = project.blockRunDirectory(pipeline: "p", runID: 1, block: "registry")
            .appendingPathComponent(BlockInvocation.fileName).path
        let result = URL(fileURLWithPath: invocation).deletingLastPathComponent().appendingPathComponent(BlockResult.fileName).path
        // The registry block's attempt is written down, then its process appears (slowly when the machine is busy).
        var block: [Int32] = []
        let deadline = Date().addingTimeInterval(60)
        while block.isEmpty, !FileManager.default.fileExists(atPath: result), Date() < deadline {
            usleep(10_000)
            if FileManager.default.fileExists(atPath: invocation) { block = TestEnvironment.processes(commandLineContaining: invocation) }
        }
        guard !block.isEmpty else {
            mage.terminate()
            Issue.record("the registry block's process never started: \(try String(contentsOf: log, encoding: .utf8))")
            return
        }
        let started = Date()
        kill(mage.processIdentifier, SIGKILL)
        mage.waitUntilExit()

        // Within 1 s, well before the block would have ended on its own.
        for _ in 0..<100 where !TestEnvironment.processes(commandLineContaining: invocation).isEmpty {
            usleep(10_000)
        }
        #expect(TestEnvironment.processes(commandLineContaining: invocation).isEmpty, "the block's process outlived mage by 1 s")
        // Past the moment the block would have registered its model: nothing of it in the registry or the store.
        usleep(useconds_t(max(0, 2.0 - Date().timeIntervalSince(started)) * 1_000_000))
        let store = try SQLiteStore(path: project.databaseURL)
        #expect(try store.modelVersionList(pipelineRunID: nil, limit: 10).isEmpty)
        #expect(try store.registryEventList().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: project.root.appendingPathComponent("model_registry/latest.json").path))
        #expect(try store.blockRunList(pipelineRunID: 1).first { $0.block == "registry" }?.status == .running,
                "nothing wrote the block's end: its parent is dead and the block was killed")
    }

    @Test func aBlockProcessWhoseParentIsAlreadyGoneRunsNothing() throws {
        // Spawned by this test, not by the pid it is told: as if that mage had died before the child bound to it.
        let invocation = try TemporaryFolder.make().appendingPathComponent(BlockInvocation.fileName)
        let (code, _, err) = try TestEnvironment.runMage(["__execute-block", "--parent-pid", "1", invocation.path])
        #expect(code == BlockWorker.orphanedExitCode)
        #expect(err.contains("the mage process 1 that started this block is gone"))
    }
}
