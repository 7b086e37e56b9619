import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// `GET /api/statuses` (no auth, for health checks): this process's roles, the store, the plugins, the runs
/// in flight. Mage's shape: `{"statuses": [{...}]}`.
struct StatusRoutes {
    let server: WebServer

    struct Status: Encodable {
        var project_uuid: String
        var instance_type: String
        /// The roles this process runs.
        var roles: [String]
        var scheduler_status: String
        var store: String
        var plugin_count: Int
        var refused_plugin_count: Int
        /// Runs `initial` or `running`.
        var active_runs: Int
        var pid: Int32
        var started_at: Date
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/statuses") { _, _ in
            try await Blocking.run {
                let active = try server.store.pipelineRunCount(PipelineRunFilter(statuses: [.initial, .running]))
                let status = Status(
                    project_uuid: server.project.identifier, instance_type: "web_server", roles: server.roles,
                    scheduler_status: server.roles.contains("scheduler") ? "running" : "stopped", store: server.store.backend,
                    plugin_count: server.catalog.libraries.count, refused_plugin_count: server.catalog.refused.count,
                    active_runs: active, pid: getpid(), started_at: server.startedAt)
                return JSONResponse.make(ListEnvelope("statuses", [status]))
            }
        }
    }
}
