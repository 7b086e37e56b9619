import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MageHost
@testable import MageServing
import ServiceLifecycle
import MageTestSupport

/// A project with real registered models (trained in process by the built Swift plugins), and the
/// prediction service on a free loopback port.
struct ServingHarness {
    let project: Project
    let pluginDirectory: URL
    let store: SQLiteStore

    static let buildDirectory = Executable.url!.deletingLastPathComponent()

    init() throws {
        let root = try TemporaryFolder.make("serving-project")
        try "project_uuid: serving_test\n".write(to: root.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
        let pipeline = root.appendingPathComponent("pipelines/train")
        try FileManager.default.createDirectory(at: pipeline, withIntermediateDirectories: true)
        try """
            blocks:
            - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, isolation: in_process, configuration: {rows: 400, seed: 42}}
            - {uuid: preprocessing, type: transformer, plugin: churn_preprocessing, isolation: in_process, upstream_blocks: [make_dataset]}
            - {uuid: training, type: model, plugin: churn_random_forest, isolation: in_process, upstream_blocks: [preprocessing], configuration: {n_estimators: 10}}
            - {uuid: registry, type: data_exporter, plugin: model_registry, isolation: in_process, upstream_blocks: [training]}
            """.write(to: pipeline.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
        project = try Project(root: root)
        pluginDirectory = try PluginFolder.make("serving-plugins", copying: ["MageDataLoaders", "MageModels", "MageExporters"],
                                                from: Self.buildDirectory)
        store = try SQLiteStore(path: project.databaseURL)
    }

    /// Trains and registers one version; returns its id.
    @discardableResult
    func train() async throws -> String {
        let catalog = PluginCatalog(directories: [pluginDirectory], hashFiles: false)
        let pipeline = try PipelineLoader(project: project, catalog: catalog).load("train")
        let executor = PipelineExecutor(project: project, catalog: catalog, store: store, options: ExecutionOptions(
            pluginDirectories: [pluginDirectory], executorCount: 2))
        let summary = try await executor.run(pipeline)
        guard summary.run.status == .completed else {
            throw MageError.usage("training failed: \(summary.blocks.map { "\($0.block): \($0.error ?? "-")" })")
        }
        return try registry.latest()!.version
    }

    var registry: ModelRegistry { ModelRegistry(project: project, store: store) }

    /// Starts the service; `body` gets its base URL; shuts it down gracefully afterwards.
    func withService<T>(_ configuration: ServingConfiguration = .init(port: 0),
                        _ body: (PredictionService, URL) async throws -> T) async throws -> T {
        var configuration = configuration
        configuration.pluginDirectories = [pluginDirectory]
        var logger = Logger(label: "test.prediction")
        logger.logLevel = .warning
        let service = try PredictionService(project: project, configuration: configuration, logger: logger)
        return try await LiveServer.run({ service.application(onServerRunning: $0) }) { try await body(service, $0) }
    }

}

/// A small HTTP client over URLSession.
enum HTTP {
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 16
        return URLSession(configuration: configuration)
    }()

    static func send(_ method: String, _ base: URL, _ path: String, body: Data? = nil,
                     contentType: String? = "application/json") async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await session.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, data)
    }

    /// A request with headers of its own; the answer's status, headers (names lowercased) and JSON body.
    static func exchange(_ method: String, _ base: URL, _ path: String, _ body: String? = nil,
                         headers: [String: String] = [:]) async throws -> (status: Int, headers: [String: String], json: Any) {
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return (http.statusCode, fields,
                (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) ?? String(decoding: data, as: UTF8.self))
    }

    static func json(_ method: String, _ base: URL, _ path: String, _ body: String? = nil,
                     contentType: String? = "application/json") async throws -> (Int, Any) {
        let (status, data) = try await send(method, base, path, body: body.map { Data($0.utf8) }, contentType: contentType)
        return (status, (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) ?? String(decoding: data, as: UTF8.self))
    }
}

let exampleBody = #"{"account_age": 24, "monthly_charges": 65.5, "total_charges": 1569.5, "num_services": 3, "customer_service_calls": 4, "contract_length": 12, "payment_method_score": 0.8, "usage_frequency": 0.7, "support_tickets": 2, "satisfaction_score": 0.6}"#
