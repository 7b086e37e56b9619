import Foundation
import Hummingbird
import Logging
import MageHTTP
import MageHost
import ServiceLifecycle

/// The prediction service of a project (`mage start <project> --role prediction`): the HTTP routes, the
/// model follower (inotify watch of `model_registry/`, and Redis announcements when configured) and the
/// audit log writer, run in one service
/// group with graceful shutdown on SIGTERM and SIGINT.
public final class PredictionService: Sendable {
    public let project: Project
    public let configuration: ServingConfiguration
    public let store: any MetadataStore
    public let follower: ModelFollower
    public let audit: AuditLog?
    let announcements: RegistryAnnouncementListener?
    public let metrics = PrometheusMetrics()
    let logger: Logger

    public init(project: Project, configuration: ServingConfiguration = .init(), logger: Logger = Logger(label: "mage.prediction")) throws {
        self.project = project
        self.configuration = configuration
        self.logger = logger
        store = try project.openStore()
        let catalog = PluginCatalog(directories: configuration.pluginDirectories ?? PluginCatalog.searchPath(project: project.root),
                                    hashFiles: false)
        for refused in catalog.refused { logger.warning("plugin refused: \(refused.path): \(refused.reason)") }
        let follower = ModelFollower(project: project.root, loader: ModelLoader(project: project.root, catalog: catalog), logger: logger,
                                     fileWatch: configuration.fileWatch, announced: configuration.redis != nil)
        self.follower = follower
        announcements = configuration.redis.map {
            RegistryAnnouncementListener(redis: $0, channel: RegistryAnnouncer.channel(project: project), follower: follower,
                                         resyncInterval: configuration.resyncInterval, logger: logger)
        }
        audit = configuration.auditEnabled ? AuditLog(store: store, mode: configuration.auditMode, interval: configuration.auditFlushInterval,
                                                         limit: configuration.auditQueueLimit, logger: logger) : nil
    }

    /// What load balancers and orchestrators probe: never behind the token.
    static let probePaths: Set = ["/health", "/ping"]
    /// POSTs that only read the model: behind the token only with `MAGE_API_AUTH=all`.
    static let readingPosts: Set = ["/predict", "/invocations"]

    /// Why nothing serves: the deployed model could not be loaded (and why), or none is deployed yet.
    var noModel: APIError {
        if let failure = follower.slot.status.lastFailure {
            let model = failure.version.map { "the deployed model \($0)" } ?? "the deployed model"
            return .unavailable("\(model) could not be loaded: \(failure.error)")
        }
        return .unavailable("no model is deployed yet: run the pipeline that trains and registers one first, e.g. mage run \(project.root.path) <pipeline>")
    }

    var tokenCheck: BearerTokenMiddleware<BasicRequestContext> {
        BearerTokenMiddleware(access: configuration.access, openPaths: Self.probePaths, readingPosts: Self.readingPosts)
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: tokenCheck)
        PredictionRoutes(service: self).add(to: router)
        ModelRoutes(service: self).add(to: router)
        MLflowRoutes(service: self).add(to: router)
        router.get("/metrics") { _, _ in
            JSONResponse.text(self.metrics.render(slot: self.follower.slot.status, audit: self.audit.map {
                .init(pending: $0.pending, limit: $0.limit, dropped: $0.dropped)
            }),
                              contentType: "text/plain; version=0.0.4")
        }
        router.get("/openapi.json") { _, _ in
            JSONResponse.make(OpenAPIDocument.json(model: self.follower.current()?.signature, maxBatchRows: self.configuration.maxBatchRows,
                                                   needsToken: self.tokenCheck.needsToken))
        }
        return router
    }

    /// The application: the server plus the follower and the audit writer. The service group stops the
    /// server first, then these, so the audit log is flushed after the last request.
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var services: [any Service] = [follower]
        if let announcements { services.append(announcements) }
        if let audit { services.append(audit) }
        if let warning = configuration.access.warning(listeningOn: configuration.host) { logger.warning("\(warning)") }
        return Application(router: CheckedRouter(router()),
                           server: .guardedHTTP1(configuration.connections),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                serverName: "swiftmage-prediction"),
                           services: services,
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                           logger: logger)
    }

    /// Runs until SIGTERM or SIGINT, then drains requests and flushes the audit log.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onServerRunning: onServerRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
