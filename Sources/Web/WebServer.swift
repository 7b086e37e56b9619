import Foundation
import Hummingbird
import Logging
import MageHTTP
import MageHost
import ServiceLifecycle

/// The web server of a project (`mage start <project> --role web_server`, port 6789): Mage's REST API under
/// `/api` over the project's store and files.
public final class WebServer: Sendable {
    public let project: Project
    public let configuration: WebConfiguration
    public let store: any MetadataStore
    let catalog: PluginCatalog
    let pluginDirectories: [URL]
    /// The roles of this process, as `/api/statuses` reports them.
    let roles: [String]
    /// The dispatcher of this process, woken when a run is queued; nil when runs are dispatched elsewhere.
    let dispatcher: RunDispatcher?
    let startedAt = Date()
    let logger: Logger

    public init(project: Project, configuration: WebConfiguration = .init(), roles: [String] = ["web_server"],
                store: (any MetadataStore)? = nil, dispatcher: RunDispatcher? = nil,
                logger: Logger = Logger(label: "mage.web")) throws {
        self.project = project
        self.configuration = configuration
        self.roles = roles
        self.dispatcher = dispatcher
        self.logger = logger
        self.store = try store ?? project.openStore()
        pluginDirectories = configuration.pluginDirectories ?? PluginCatalog.searchPath(project: project.root)
        catalog = PluginCatalog(directories: pluginDirectories)
        for refused in catalog.refused { logger.warning("plugin refused: \(refused.path): \(refused.reason)") }
    }

    var pipelineLoader: PipelineLoader { PipelineLoader(project: project, catalog: catalog) }

    /// `/api/statuses` stays open: it is what health checks probe. An api trigger's routes take its own token.
    var tokenCheck: WebTokenCheck<BasicRequestContext> {
        WebTokenCheck(bearer: BearerTokenMiddleware(access: configuration.access, openPaths: ["/api/statuses"], readingPosts: []))
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(logger: logger))
        UIRoutes().add(to: router)  // before the token check, which applies only to routes added after it: the page is open
        router.add(middleware: tokenCheck)
        StatusRoutes(server: self).add(to: router)
        PipelineRoutes(server: self).add(to: router)
        PipelineRunRoutes(server: self).add(to: router)
        RunActionRoutes(server: self).add(to: router)
        DatasetRoutes(server: self).add(to: router)
        PluginRoutes(server: self).add(to: router)
        LogRoutes(server: self).add(to: router)
        ModelVersionRoutes(server: self).add(to: router)
        LineageRoutes(server: self).add(to: router)
        PipelineScheduleRoutes(server: self).add(to: router)
        TriggerRunRoutes(server: self).add(to: router)
        router.get("/api/openapi.json") { _, _ in JSONResponse.make(WebAPIDocument.json(needsToken: self.tokenCheck.needsToken)) }
        return router
    }

    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        if let warning = configuration.access.warning(listeningOn: configuration.host) { logger.warning("\(warning)") }
        return Application(router: CheckedRouter(router()),
                           server: .guardedHTTP1(configuration.connections),
                           configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "swiftmage-web"),
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                           logger: logger)
    }

    /// Runs until SIGTERM or SIGINT, then finishes the requests in flight.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onServerRunning: onServerRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
