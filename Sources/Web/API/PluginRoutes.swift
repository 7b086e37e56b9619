import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// `GET /api/plugins`: the libraries the server loaded at start, their block kinds and functions, and the
/// refused ones with the reason (what `mage plugins list` prints).
struct PluginRoutes {
    let server: WebServer

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/plugins") { _, _ in
            JSONResponse.make(RecordEnvelope("plugins", PluginsResource(server.catalog, searchPath: server.pluginDirectories)))
        }
    }
}
