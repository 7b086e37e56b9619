import Foundation

/// How the web server listens and where it finds plugins.
public struct WebConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Plugin folders; nil uses the project's search path (`PluginCatalog.searchPath`).
    public var pluginDirectories: [URL]?

    public static let defaultPort = 6789

    public init(host: String = "127.0.0.1", port: Int = WebConfiguration.defaultPort, pluginDirectories: [URL]? = nil) {
        self.host = host
        self.port = port
        self.pluginDirectories = pluginDirectories
    }
}
