import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// `GET /api/pipelines` and `GET /api/pipelines/<uuid>`: each pipeline of the project, read from its file
/// on every request (the files are the source of truth, edited while the server runs).
struct PipelineRoutes {
    let server: WebServer

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/pipelines") { request, _ in
            try await Blocking.run {
                let page = try ListPage(request.query)
                let uuids = server.project.pipelineUUIDs()
                let shown = uuids.dropFirst(page.offset).prefix(page.limit)
                let pipelines = try shown.map(resource)
                return JSONResponse.make(ListEnvelope("pipelines", pipelines, count: uuids.count, page: page))
            }
        }
        router.get("/api/pipelines/:uuid") { _, context in
            let uuidText = context.parameters.get("uuid")
            return try await Blocking.run {
                let uuid = try ResourceName.identifier(uuidText, "pipeline uuid")
                guard server.project.pipelineUUIDs().contains(uuid) else {
                    throw APIError.notFound("no pipeline '\(uuid)' in project \(server.project.identifier)")
                }
                return JSONResponse.make(RecordEnvelope("pipeline", try resource(uuid)))
            }
        }
    }

    private func resource(_ uuid: String) throws -> PipelineResource {
        let pipeline: Pipeline
        do {
            pipeline = try server.pipelineLoader.load(uuid)
        } catch MageError.invalidPipeline(let problems) {
            return PipelineResource(invalid: uuid, file: "pipelines/\(uuid)/metadata.yaml", problems: problems)
        }
        let lastRun = try server.store.pipelineRunList(PipelineRunFilter(pipeline: uuid), limit: 1, offset: 0).first
        return PipelineResource(pipeline, lastRun: lastRun,
                                lastBlockRuns: try lastRun.map { try server.store.blockRunList(pipelineRunID: $0.id) } ?? [])
    }
}
