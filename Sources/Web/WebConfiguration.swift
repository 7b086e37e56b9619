import Foundation
import MageHTTP

/// How the web server listens and where it finds plugins.
public struct WebConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Plugin folders; nil uses the project's search path (`PluginCatalog.searchPath`).
    public var pluginDirectories: [URL]?
    /// `MAGE_API_TOKEN` / `MAGE_API_AUTH`, as for the prediction service.
    public var access: APIAccess
    /// Header-read and idle timeouts, and what is drained after an early answer.
    public var connections: ConnectionLimits

    public static let defaultPort = 6789

    public init(host: String = "127.0.0.1", port: Int = WebConfiguration.defaultPort, pluginDirectories: [URL]? = nil,
                access: APIAccess = .init(), connections: ConnectionLimits = .init()) {
        self.host = host
        self.port = port
        self.pluginDirectories = pluginDirectories
        self.access = access
        self.connections = connections
    }
}
