import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// `GET /api/models` (newest first) and `GET /api/models/<version>` (with hyperparameters, feature
/// importance and lineage): the registry as the store records it, `latest` as `latest.json` says.
/// `POST /api/models/<version>/promote` and `POST /api/models/rollback` move `latest.json` as
/// `mage models promote`/`rollback` do (under the registry's lock, announced on Redis when configured).
struct ModelVersionRoutes {
    let server: WebServer

    var registry: ModelRegistry { ModelRegistry(project: server.project, store: server.store) }

    /// The registry that moves `latest.json`: with `REDIS_URL`, each move is announced to prediction services.
    func movingRegistry() throws -> ModelRegistry {
        do {
            return try ModelRegistry.configured(project: server.project, store: server.store)
        } catch {
            throw APIError(status: 500, message: "cannot reach the registry's announcements: \(error)")
        }
    }

    /// The new latest version, as one record.
    func latestResponse(_ version: String) throws -> Response {
        guard let model = try server.store.modelVersionGet(version) else { throw APIError.notFound("no model version '\(version)'") }
        return JSONResponse.make(RecordEnvelope("model", ModelResource(model, latest: try registry.latest()?.version)))
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/models") { request, _ in
            try await Blocking.run {
                let page = try ListPage(request.query)
                let latest = try registry.latest()?.version
                // A registry holds versions by the hundred, not by the million: one read, then the page.
                let versions = try server.store.modelVersionList(pipelineRunID: nil, limit: Int.max)
                let shown = versions.dropFirst(page.offset).prefix(page.limit).map { ModelResource($0, latest: latest) }
                return JSONResponse.make(ListEnvelope("models", Array(shown), count: versions.count, page: page))
            }
        }
        router.get("/api/models/:version") { _, context in
            let versionText = context.parameters.get("version")
            return try await Blocking.run {
                let version = try ResourceName.identifier(versionText, "model version")
                guard let model = try server.store.modelVersionGet(version) else {
                    throw APIError.notFound("no model version '\(version)' in the registry")
                }
                let folder = server.project.root.appendingPathComponent(model.path)
                return JSONResponse.make(RecordEnvelope("model", ModelResource(model, latest: try registry.latest()?.version, folder: folder)))
            }
        }
        router.post("/api/models/:version/promote") { _, context in
            let versionText = context.parameters.get("version")
            return try await Blocking.run {
                let version = try ResourceName.identifier(versionText, "model version")
                guard try server.store.modelVersionGet(version) != nil else {
                    throw APIError.notFound("no model version '\(version)' in the registry")
                }
                try movingRegistry().promote(version)
                return try latestResponse(version)
            }
        }
        router.post("/api/models/rollback") { _, _ in
            try await Blocking.run {
                let target: ModelVersion
                do {
                    target = try movingRegistry().rollback()
                } catch MageError.usage(let refusal) {
                    throw APIError(status: 409, message: refusal)  // nothing to roll back to, decided under the lock
                }
                return try latestResponse(target.version)
            }
        }
    }
}
