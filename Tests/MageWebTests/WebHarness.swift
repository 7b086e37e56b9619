import Foundation
import MageHTTP
import MageHost
import MageTestSupport
@testable import MageWeb

/// A project with the built Swift plugins and real runs in its SQLite store, and a web server over it.
struct WebHarness {
    let project: Project
    let pluginDirectory: URL
    let store: SQLiteStore

    static let buildDirectory = Executable.url!.deletingLastPathComponent()

    init() throws {
        let root = try TemporaryFolder.make("web-project")
        try "project_uuid: web_test\n".write(to: root.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
        try Self.write(pipeline: "demo", """
            variables: {rows: 200}
            blocks:
            - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, isolation: in_process,
               configuration: {rows: '{{ variables("rows") }}', seed: 42}, downstream_blocks: [preprocessing]}
            - {uuid: preprocessing, type: transformer, plugin: churn_preprocessing, isolation: in_process, upstream_blocks: [make_dataset],
               retry_config: {retries: 2, delay: 1}}
            - {uuid: warehouse, type: data_loader, plugin: postgres_query, isolation: in_process,
               configuration: {url: 'postgresql://reader:hunter2@127.0.0.1:1/db', query: 'select 1'}}
            """, in: root)
        try Self.write(pipeline: "train", """
            blocks:
            - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, isolation: in_process, configuration: {rows: 300, seed: 7}}
            - {uuid: preprocessing, type: transformer, plugin: churn_preprocessing, isolation: in_process, upstream_blocks: [make_dataset]}
            - {uuid: training, type: model, plugin: churn_random_forest, isolation: in_process, upstream_blocks: [preprocessing],
               configuration: {n_estimators: 5}}
            - {uuid: registry, type: data_exporter, plugin: model_registry, isolation: in_process, upstream_blocks: [training]}
            """, in: root)
        try Self.write(pipeline: "broken", """
            blocks:
            - {uuid: a, type: data_loader, plugin: no_such_plugin}
            """, in: root)
        project = try Project(root: root)
        pluginDirectory = try PluginFolder.make("web-plugins", copying: ["MageDataLoaders", "MageTransformers", "MageModels", "MageExporters"],
                                                from: Self.buildDirectory)
        store = try SQLiteStore(path: project.databaseURL)
    }

    static func write(pipeline: String, _ text: String, in root: URL) throws {
        let folder = root.appendingPathComponent("pipelines/\(pipeline)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try text.write(to: folder.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
    }

    func server(access: APIAccess = APIAccess(), dispatcher: RunDispatcher? = nil) throws -> WebServer {
        try WebServer(project: project, configuration: WebConfiguration(port: 0, pluginDirectories: [pluginDirectory], access: access),
                      store: store, dispatcher: dispatcher)
    }

    /// A dispatcher over the harness's store and plugins, polling often.
    func dispatcher() -> RunDispatcher {
        RunDispatcher(project: project, catalog: PluginCatalog(directories: [pluginDirectory], hashFiles: false), store: store,
                      options: ExecutionOptions(pluginDirectories: [pluginDirectory], executorCount: 4),
                      timing: LeaseTiming(duration: 10, renewEvery: 0.2), pollEvery: 0.2)
    }

    /// `body` with a dispatcher running beside it; stopped (its runs cancelled) afterwards.
    func withDispatcher<T>(_ body: (RunDispatcher) async throws -> T) async throws -> T {
        let dispatcher = dispatcher()
        let task = Task { await dispatcher.run() }
        defer {
            dispatcher.stop(grace: 0)
        }
        let result = try await body(dispatcher)
        dispatcher.stop(grace: 0)
        await task.value
        return result
    }

    /// Waits until run `id` is finished (at most `seconds`), then returns it.
    func finished(_ id: Int64, within seconds: Double = 60) async throws -> PipelineRun? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let run = try store.pipelineRunGet(id: id), run.status.isFinished { return run }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try store.pipelineRunGet(id: id)
    }

    /// The server on a free loopback port for `body`, then shut down gracefully.
    func withLiveServer<T>(access: APIAccess = APIAccess(), dispatcher: RunDispatcher? = nil, _ body: (URL) async throws -> T) async throws -> T {
        let server = try server(access: access, dispatcher: dispatcher)
        return try await LiveServer.run({ server.application(onServerRunning: $0) }, body)
    }

    /// Runs `demo` for real, in process: its dataset blocks complete, and `warehouse` fails (nothing listens
    /// on port 1 of loopback). Returns the run.
    func runDemo() async throws -> PipelineRun {
        try await run("demo")
    }

    func run(_ uuid: String) async throws -> PipelineRun {
        let catalog = PluginCatalog(directories: [pluginDirectory], hashFiles: false)
        let pipeline = try PipelineLoader(project: project, catalog: catalog).load(uuid)
        let executor = PipelineExecutor(project: project, catalog: catalog, store: store, options: ExecutionOptions(
            pluginDirectories: [pluginDirectory], executorCount: 2))
        return try await executor.run(pipeline).run
    }
}
