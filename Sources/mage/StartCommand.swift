import ArgumentParser
import Foundation
import Logging
import MageHTTP
import MageHost
import MageServing
import MageWeb

struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a service of a project: the prediction service (port 5000) or the web server (port 6789).")

    @Argument(help: "The project folder.") var project: String
    @Option(help: "The service: prediction or web_server.") var role: String = "prediction"
    @Option(help: "The address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "The port (default 5000 for prediction, 6789 for web_server; 0 picks a free one).") var port: Int?
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

    func run() async throws {
        guard ["prediction", "web_server"].contains(role) else {
            throw fail(MageError.usage("unknown role '\(role)': prediction or web_server"))
        }
        guard headerTimeout > 0, idleTimeout > 0 else {
            throw fail(MageError.usage("--header-timeout and --idle-timeout must be positive"))
        }
        do {
            let project = try Project(root: URL(fileURLWithPath: self.project))
            if role == "web_server" {
                try await runWebServer(project, port: port ?? WebConfiguration.defaultPort)
            } else {
                try await runPrediction(project, port: port ?? 5000)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail(error)
        }
    }

    var connectionLimits: ConnectionLimits {
        ConnectionLimits(headerTimeout: .milliseconds(Int64(headerTimeout * 1000)), idleTimeout: .milliseconds(Int64(idleTimeout * 1000)))
    }

    func logger(_ label: String) -> Logger {
        LoggingSystem.bootstrap(ServiceLogHandler.init)
        var logger = Logger(label: label)
        logger.logLevel = .info
        return logger
    }

    func announce(_ service: String, of project: Project, port: Int) {
        FileHandle.standardOutput.write(Data("\(service) of \(project.root.lastPathComponent) on http://\(host):\(port) (pid \(getpid()))\n".utf8))
    }

    func runWebServer(_ project: Project, port: Int) async throws {
        let server = try WebServer(project: project, configuration: WebConfiguration(
            host: host, port: port, access: try APIAccess.fromEnvironment(), connections: connectionLimits), logger: logger("mage.web"))
        try await server.run { port in announce("web server", of: project, port: port) }
    }

    func runPrediction(_ project: Project, port: Int) async throws {
        guard let auditMode = AuditMode(rawValue: audit) else {
            throw MageError.usage("--audit must be durable or batched, got '\(audit)'")
        }
        guard maxBatchRows >= 1 else { throw MageError.usage("--max-batch-rows must be at least 1, got \(maxBatchRows)") }
        let service = try PredictionService(project: project, configuration: ServingConfiguration(
            host: host, port: port, maxBatchRows: maxBatchRows, auditEnabled: !noAudit, auditMode: auditMode,
            fileWatch: !noFileWatch, redis: try RedisURL.fromEnvironment(), access: try APIAccess.fromEnvironment(),
            connections: connectionLimits), logger: logger("mage.prediction"))
        try await service.run { port in announce("prediction service", of: project, port: port) }
    }
}
