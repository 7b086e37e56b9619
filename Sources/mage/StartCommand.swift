import ArgumentParser
import Foundation
import Logging
import MageHTTP
import MageHost
import MageServing
import MageWeb
import ServiceLifecycle

struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start the services of a project: the web server (port 6789), the scheduler, the run dispatcher and the prediction service (port 5000); all four unless --role names some.")

    static let roles = ["web_server", "scheduler", "dispatcher", "prediction"]

    @Argument(help: "The project folder.") var project: String
    @Option(help: "A service to run: web_server, scheduler, dispatcher or prediction; repeat for several. Default: all four.")
    var role: [String] = []
    @Option(help: "The address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "The port of the web server (default 6789); of the prediction service when it runs alone (default 5000). 0 picks a free one.")
    var port: Int?
    @Option(name: .customLong("prediction-port"), help: "The port of the prediction service beside the web server (default 5000; 0 picks a free one).")
    var predictionPort: Int = 5000
    @Flag(name: .customLong("no-audit"), help: "Do not record every prediction in the store.") var noAudit = false
    @Option(name: .customLong("max-batch-rows"), help: "The most rows in one request.") var maxBatchRows: Int = 10_000
    @Flag(name: .customLong("no-file-watch"),
          help: "Do not follow the registry with inotify (a registry on a shared filesystem); needs REDIS_URL, else every request reads latest.json.")
    var noFileWatch = false
    @Option(help: "When an answer is sent relative to its audit row: durable (after the row is committed) or batched (before; a crash can lose the last rows).")
    var audit: String = AuditMode.batched.rawValue
    @Option(name: .customLong("header-timeout"), help: "Seconds a client may take to send a request's head.")
    var headerTimeout: Double = 10
    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may wait for its next request.")
    var idleTimeout: Double = 60
    @Option(name: .customLong("lease-seconds"), help: "How long the dispatcher's claim on a run lasts without renewal: how soon another process rescues its runs if it dies.")
    var leaseSeconds: Double = 30
    @Option(name: .customLong("grace-period"), help: "Seconds the dispatcher lets running runs finish on SIGTERM before it cancels them.")
    var gracePeriod: Double = 30
    @Option(name: .customLong("scheduler-interval"), help: "Seconds between the scheduler's ticks.")
    var schedulerInterval: Double = 1

    func run() async throws {
        let roles = role.isEmpty ? Self.roles : role
        if let unknown = roles.first(where: { !Self.roles.contains($0) }) {
            throw fail(MageError.usage("unknown role '\(unknown)': web_server, scheduler, dispatcher or prediction"))
        }
        guard headerTimeout > 0, idleTimeout > 0 else {
            throw fail(MageError.usage("--header-timeout and --idle-timeout must be positive"))
        }
        guard leaseSeconds >= 1, gracePeriod >= 0 else {
            throw fail(MageError.usage("--lease-seconds must be at least 1 and --grace-period not negative"))
        }
        guard schedulerInterval >= 0.05, schedulerInterval <= 3600 else {
            throw fail(MageError.usage("--scheduler-interval must be between 0.05 and 3600 seconds, got \(schedulerInterval)"))
        }
        do {
            let project = try Project(root: URL(fileURLWithPath: self.project))
            // Relative paths in block configuration mean the project's own files, as for `mage run`.
            FileManager.default.changeCurrentDirectoryPath(project.root.path)
            try await runServices(Set(roles), project: project)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }

    /// One service group for every role of this process: SIGTERM or SIGINT shuts them down in reverse
    /// order, so the servers stop taking requests first and the dispatcher, last, lets its runs finish.
    func runServices(_ roles: Set<String>, project: Project) async throws {
        let logger = self.logger("mage")
        let ordered = Self.roles.filter(roles.contains)
        var services: [any Service] = []
        var dispatcher: RunDispatcher?
        let store = try project.openStore()
        if roles.contains("dispatcher") {
            let made = try makeDispatcher(project, store: store, logger: self.logger("mage.dispatcher"))
            dispatcher = made
            services.append(DispatcherService(dispatcher: made, grace: gracePeriod))
        }
        if roles.contains("scheduler") {
            let log = self.logger("mage.scheduler")
            let made = Scheduler(project: project, catalog: PluginCatalog(directories: PluginCatalog.searchPath(project: project.root), hashFiles: false),
                                 store: store, interval: schedulerInterval, log: { log.info("\($0)") },
                                 runsCreated: { [dispatcher] in dispatcher?.wake() })
            services.append(SchedulerService(scheduler: made))
        }
        if roles.contains("web_server") {
            let server = try WebServer(project: project, configuration: WebConfiguration(
                host: host, port: port ?? WebConfiguration.defaultPort, access: try APIAccess.fromEnvironment(), connections: connectionLimits),
                roles: ordered, store: store, dispatcher: dispatcher, logger: self.logger("mage.web"))
            if dispatcher == nil {
                logger.info("no dispatcher in this process: runs queued here wait for one (mage start --role dispatcher)")
            }
            services.append(server.application { port in announce("web server", of: project, port: port) })
        }
        if roles.contains("prediction") {
            let alone = roles == ["prediction"]
            services.append(try predictionService(project, port: alone ? (port ?? 5000) : predictionPort).application { port in
                announce("prediction service", of: project, port: port)
            })
        }
        for (role, name) in [("scheduler", "scheduler"), ("dispatcher", "run dispatcher")] where roles.contains(role) && !roles.contains("web_server") {
            announce(name, of: project, port: nil)
        }
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    func makeDispatcher(_ project: Project, store: any MetadataStore, logger: Logger) throws -> RunDispatcher {
        let directories = PluginCatalog.searchPath(project: project.root)
        let catalog = PluginCatalog(directories: directories, hashFiles: false)
        return RunDispatcher(project: project, catalog: catalog, store: store,
                             options: ExecutionOptions(pluginDirectories: directories, executorCount: project.executorCount),
                             timing: LeaseTiming(duration: leaseSeconds)) { message in logger.info("\(message)") }
    }

    var connectionLimits: ConnectionLimits {
        ConnectionLimits(headerTimeout: .milliseconds(Int64(headerTimeout * 1000)), idleTimeout: .milliseconds(Int64(idleTimeout * 1000)))
    }

    func logger(_ label: String) -> Logger {
        Self.bootstrapLogging
        var logger = Logger(label: label)
        logger.logLevel = .info
        return logger
    }

    /// Logging is bootstrapped once per process, whatever number of services asks for a logger.
    private static let bootstrapLogging: Void = LoggingSystem.bootstrap(ServiceLogHandler.init)

    func announce(_ service: String, of project: Project, port: Int?) {
        let place = port.map { " on http://\(host):\($0)" } ?? ""
        FileHandle.standardOutput.write(Data("\(service) of \(project.root.lastPathComponent)\(place) (pid \(getpid()))\n".utf8))
    }

    func predictionService(_ project: Project, port: Int) throws -> PredictionService {
        guard let auditMode = AuditMode(rawValue: audit) else {
            throw MageError.usage("--audit must be durable or batched, got '\(audit)'")
        }
        guard maxBatchRows >= 1 else { throw MageError.usage("--max-batch-rows must be at least 1, got \(maxBatchRows)") }
        return try PredictionService(project: project, configuration: ServingConfiguration(
            host: host, port: port, maxBatchRows: maxBatchRows, auditEnabled: !noAudit, auditMode: auditMode,
            fileWatch: !noFileWatch, redis: try RedisURL.fromEnvironment(), access: try APIAccess.fromEnvironment(),
            connections: connectionLimits), logger: logger("mage.prediction"))
    }
}

/// The scheduler as a service of the group: it stops at once on shutdown (a tick is a few writes).
struct SchedulerService: Service {
    let scheduler: Scheduler

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await scheduler.run()
        }
    }
}

/// The dispatcher as a service of the group: on graceful shutdown it stops claiming, gives its runs
/// the grace period, cancels what is left, and returns once nothing it holds is running.
struct DispatcherService: Service {
    let dispatcher: RunDispatcher
    let grace: Double

    func run() async throws {
        await withGracefulShutdownHandler {
            await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.stop(grace: grace)
        }
    }
}
