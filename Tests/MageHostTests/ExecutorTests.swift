import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// Whole runs: real plugins through dlopen, blocks in real child processes of the built `mage`, records
/// in a real SQLite file.
@Suite struct ExecutorTests {
    struct Harness {
        let project: Project
        let catalog: PluginCatalog
        let store: SQLiteStore
        let pluginDirectory: URL

        init(pipelines: [String: String], fixtures: [String], swift: [String] = [], allowedPaths: [String] = []) throws {
            pluginDirectory = try TestEnvironment.pluginDirectory(fixtures: fixtures, swift: swift)
            project = try TestEnvironment.project(pipelines: pipelines, allowedPaths: allowedPaths)
            catalog = PluginCatalog(directories: [pluginDirectory])
            store = try SQLiteStore(path: project.databaseURL)
        }

        func run(_ pipeline: String, onlyBlock: String? = nil) async throws -> PipelineRunSummary {
            let loaded = try PipelineLoader(project: project, catalog: catalog).load(pipeline)
            let executor = PipelineExecutor(project: project, catalog: catalog, store: store, options: ExecutionOptions(
                onlyBlock: onlyBlock, workerExecutable: TestEnvironment.mage, pluginDirectories: [pluginDirectory],
                executorCount: project.executorCount))
            return try await executor.run(loaded)
        }

        func output(_ summary: PipelineRunSummary, _ block: String) throws -> Table {
            let record = try #require(summary.blocks.first { $0.block == block })
            return try TableFile.read(from: URL(fileURLWithPath: try #require(record.outputPath)))
        }
    }

    static func block(_ summary: PipelineRunSummary, _ uuid: String) -> BlockRun {
        summary.blocks.first { $0.block == uuid }!
    }

    @Test func crashingAndHangingPluginsFailOnlyTheirBlocks() async throws {
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: load, type: data_loader, plugin: c_numbers, configuration: {rows: 4}}
            - {uuid: segv, type: transformer, plugin: crash_segv, upstream_blocks: [load]}
            - {uuid: after_segv, type: transformer, plugin: c_passthrough, upstream_blocks: [segv]}
            - {uuid: abort, type: transformer, plugin: crash_abort, upstream_blocks: [load]}
            - {uuid: trap, type: transformer, plugin: crash_trap, upstream_blocks: [load]}
            - {uuid: hang, type: transformer, plugin: hang_forever, upstream_blocks: [load], timeout: 1}
            - {uuid: survivor, type: transformer, plugin: c_passthrough, upstream_blocks: [load]}
            """], fixtures: ["c_features", "faulty"])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .failed)
        #expect(Self.block(summary, "load").status == .completed)
        #expect(Self.block(summary, "survivor").status == .completed)
        #expect(try harness.output(summary, "survivor").rowCount == 4)
        let segv = Self.block(summary, "segv")
        #expect(segv.status == .failed)
        #expect(segv.error?.contains("killed by signal \(SIGSEGV)") == true)
        #expect(Self.block(summary, "after_segv").status == .upstreamFailed)
        #expect(Self.block(summary, "abort").error?.contains("killed by signal \(SIGABRT)") == true)
        #expect(Self.block(summary, "trap").error?.contains("killed by signal \(SIGILL)") == true)
        let hang = Self.block(summary, "hang")
        #expect(hang.status == .failed)
        #expect(hang.error == "timed out after 1 s; the block's process was killed")
        let log = try String(contentsOfFile: try #require(segv.logPath), encoding: .utf8)
        #expect(log.contains("attempt 1 of block 'segv' (crash_segv, process)"))
    }

    @Test func retriesAFlakyBlockUntilItSucceeds() async throws {
        let counter = try TemporaryFolder.make().appendingPathComponent("count")
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - uuid: flaky
              type: transformer
              plugin: flaky
              configuration: {counter_file: \(counter.path), succeed_on: 3}
              retry_config: {retries: 2, delay: 0.01, exponential_backoff: true}
            """], fixtures: ["flaky"])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed)
        #expect(Self.block(summary, "flaky").attempts == 3)
        #expect(Self.block(summary, "flaky").error == nil, "a completed block keeps no error from earlier attempts")
        #expect(try harness.output(summary, "flaky").column(named: "attempts")?.values == .int64([3]))
    }

    @Test func failsWithTheLastErrorWhenRetriesRunOut() async throws {
        let counter = try TemporaryFolder.make().appendingPathComponent("count")
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - uuid: flaky
              type: transformer
              plugin: flaky
              configuration: {counter_file: \(counter.path), succeed_on: 5}
              retry_config: {retries: 1, delay: 0}
            """], fixtures: ["flaky"])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .failed)
        #expect(Self.block(summary, "flaky").attempts == 2)
        #expect(Self.block(summary, "flaky").error == "flaky: attempt 2 fails")
    }

    static let derivedPipeline = """
        blocks:
        - {uuid: numbers, type: data_loader, plugin: c_numbers, configuration: {rows: 5, start: 1}}
        - uuid: ratio
          type: transformer
          plugin: derived_column
          upstream_blocks: [numbers]
          configuration: {function: ratio, arguments: [y, x], column: y_over_x}
        - {uuid: pick, type: transformer, plugin: select_columns, upstream_blocks: [ratio], configuration: {columns: [y_over_x, label]}}
        """

    @Test(arguments: [Isolation.process, .inProcess])
    func derivedColumnCallsACFunctionThroughLibffi(isolation: Isolation) async throws {
        let harness = try Harness(pipelines: ["p": "isolation: \(isolation.rawValue)\n" + Self.derivedPipeline],
                                  fixtures: ["c_features"], swift: ["MageTransformers"])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")
        let table = try harness.output(summary, "pick")
        #expect(table.columns.map(\.name) == ["y_over_x", "label"])
        // x = 1...5 and y = 2x + 1, so y / x = 2 + 1 / x.
        #expect(table.column(named: "y_over_x")?.values == .float64((1...5).map { 2 + 1 / Double($0) }))
        #expect(table.column(named: "label")?.values == .utf8((0..<5).map { "row\($0)" }))
    }

    @Test func anUnknownFunctionFailsTheBlockWithItsName() async throws {
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: numbers, type: data_loader, plugin: c_numbers}
            - {uuid: bad, type: transformer, plugin: derived_column, upstream_blocks: [numbers], configuration: {function: nope, arguments: [x], column: z}}
            """], fixtures: ["c_features"], swift: ["MageTransformers"])
        let summary = try await harness.run("p")
        #expect(Self.block(summary, "bad").error == "no loaded plugin declares a function named 'nope' (declared: ratio, scaled_sum)")
    }

    @Test func aPluginErrorFailsTheBlockWithThePluginsMessage() async throws {
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: numbers, type: data_loader, plugin: c_numbers, configuration: {rows: -3}}
            """], fixtures: ["c_features"])
        let summary = try await harness.run("p")
        #expect(Self.block(summary, "numbers").error == "rows must be positive, got -3")
    }

    @Test func runRecordsSurviveARestartAndFeedASingleBlockRun() async throws {
        let harness = try Harness(pipelines: ["p": Self.derivedPipeline], fixtures: ["c_features"], swift: ["MageTransformers"])
        let first = try await harness.run("p")
        #expect(first.run.status == .completed)

        let reopened = try SQLiteStore(path: harness.project.databaseURL)
        #expect(try reopened.pipelineRunGet(id: first.run.id) == first.run)
        #expect(try reopened.blockRunList(pipelineRunID: first.run.id) == first.blocks)
        #expect(try reopened.pipelineRunList(PipelineRunFilter(pipeline: "p"), limit: 10, offset: 0).map(\.id) == [first.run.id])

        let single = try await harness.run("p", onlyBlock: "pick")
        #expect(single.run.status == .completed)
        #expect(single.blocks.map(\.block) == ["pick"])
        #expect(try harness.output(single, "pick") == (try harness.output(first, "pick")))
    }

    @Test func independentBlocksRunConcurrently() async throws {
        // Two sleepers killed at their one-second timeout: each started before the other finished.
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: a, type: transformer, plugin: hang_forever, timeout: 1}
            - {uuid: b, type: transformer, plugin: hang_forever, timeout: 1}
            """], fixtures: ["faulty"])
        let summary = try await harness.run("p")
        #expect(summary.blocks.allSatisfy { $0.error?.hasPrefix("timed out") == true })
        let a = Self.block(summary, "a"), b = Self.block(summary, "b")
        #expect(try #require(a.startedAt) < (try #require(b.completedAt)))
        #expect(try #require(b.startedAt) < (try #require(a.completedAt)))
    }
}
