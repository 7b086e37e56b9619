import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// The `mage` binary as a person runs it.
@Suite struct CommandLineTests {
    @Test func initRunAndListAProject() throws {
        let root = try TemporaryFolder.make().appendingPathComponent("demo")
        let plugins = try TestEnvironment.pluginDirectory(swift: ["MageDataLoaders", "MageTransformers"])
        let env = ["MAGE_PLUGIN_PATH": plugins.path]
        #expect(try TestEnvironment.runMage(["init", root.path]).0 == 0)
        let (code, out, err) = try TestEnvironment.runMage(["run", root.path, "example_pipeline"], environment: env)
        #expect(code == 0, "\(err)")
        #expect(out.contains("load_customers  completed"))
        #expect(out.contains("200 rows"))
        #expect(out.contains("run 1 completed"))
        let (_, runs, _) = try TestEnvironment.runMage(["runs", "list", root.path])
        #expect(runs.contains("1\texample_pipeline\tcompleted"))
    }

    @Test func aBadPipelineIsOneClearLineAndAHint() throws {
        let project = try TestEnvironment.project(pipelines: ["p": "blocks:\n- {uuid: a, type: data_loader, plugin: missing}\n"])
        let (code, out, err) = try TestEnvironment.runMage(["run", project.root.path, "p"])
        #expect(code == 1)
        #expect(out.isEmpty)
        let lines = err.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("error: pipelines/p/metadata.yaml: block 'a': unknown block kind 'missing'") == true)
        #expect(lines.last == "hint: fix the pipeline's metadata.yaml and run again")
    }

    @Test func aFailingRunExitsNonZero() throws {
        let plugins = try TestEnvironment.pluginDirectory(fixtures: ["faulty"])
        let project = try TestEnvironment.project(pipelines: ["p": "blocks:\n- {uuid: boom, type: transformer, plugin: crash_abort}\n"])
        let (code, out, _) = try TestEnvironment.runMage(["run", project.root.path, "p"], environment: ["MAGE_PLUGIN_PATH": plugins.path])
        #expect(code == 1)
        #expect(out.contains("boom  failed"))
        #expect(out.contains("killed by signal \(SIGABRT)"))
    }

    @Test func pluginsListReportsLoadedAndRefusedAsJSON() throws {
        let plugins = try TestEnvironment.pluginDirectory(fixtures: ["c_features", "abi_mismatch"])
        let (code, out, _) = try TestEnvironment.runMage(["plugins", "list", "--json"], environment: ["MAGE_PLUGIN_PATH": plugins.path])
        #expect(code == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let libraries = try #require(json["libraries"] as? [[String: Any]])
        let refused = try #require(json["refused"] as? [[String: Any]])
        #expect(libraries.contains { ($0["name"] as? String) == "c-features" && ($0["sha256"] as? String)?.count == 64 })
        #expect(refused.contains { ($0["reason"] as? String)?.contains("ABI 99.0") == true })
    }

    @Test func malformedRuntimeVariablesAreRefused() throws {
        let project = try TestEnvironment.project(pipelines: ["p": "blocks: []\n"])
        let (code, _, err) = try TestEnvironment.runMage(["run", project.root.path, "p", "--runtime-vars", "[1,2"])
        #expect(code == 1)
        #expect(err.hasPrefix("error: runtime variables must be a JSON object"))
    }

    @Test func aMalformedRedisURLStopsTheServiceAndTheRegistryWithItsProblemNamed() throws {
        let project = try TestEnvironment.project(pipelines: [:])
        for command in [["start", project.root.path, "--port", "0"], ["models", "promote", project.root.path, "v_1"]] {
            let (code, out, err) = try TestEnvironment.runMage(command, environment: ["REDIS_URL": "rediss://:hunter2@127.0.0.1:6379"])
            #expect(code == 1, "\(command): \(out)")
            #expect(err.hasPrefix("error: REDIS_URL 'rediss://:***@127.0.0.1:6379' has the scheme 'rediss': only redis:// is supported"), "\(err)")
            #expect(!err.contains("hunter2"))
        }
    }
}

@Suite struct InterruptTests {
    /// Ctrl-C, and SIGTERM as systemd, Kubernetes and CI send it, the same way.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalCancelsTheRunAndKillsItsBlockProcesses(_ signal: Int32) async throws {
        let plugins = try TestEnvironment.pluginDirectory(fixtures: ["faulty"])
        let project = try TestEnvironment.project(pipelines: ["p": "blocks:\n- {uuid: sleeper, type: transformer, plugin: hang_forever}\n"])
        let process = Process()
        process.executableURL = TestEnvironment.mage
        process.arguments = ["run", project.root.path, "p"]
        process.environment = ProcessInfo.processInfo.environment.merging(["MAGE_PLUGIN_PATH": plugins.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let invocation = project.blockRunDirectory(pipeline: "p", runID: 1, block: "sleeper")
            .appendingPathComponent(BlockInvocation.fileName).path
        // Wait until the block's child process is running, then interrupt the host.
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: invocation) {
            try await Task.sleep(for: .milliseconds(25))
        }
        try await Task.sleep(for: .milliseconds(300))
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "mage was killed by the signal instead of handling it")
        #expect(process.terminationStatus == 1)
        let store = try SQLiteStore(path: project.databaseURL)
        #expect(try store.pipelineRunGet(id: 1)?.status == .cancelled)
        #expect(try store.blockRunList(pipelineRunID: 1).first?.status == .cancelled)
        #expect(TestEnvironment.processes(commandLineContaining: invocation).isEmpty,
                "the block's process outlived the signal")
    }
}
