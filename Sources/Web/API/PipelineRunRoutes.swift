import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// `GET /api/pipeline_runs` (filtered by `pipeline_uuid` and `status[]`, newest first, a page at a time),
/// `GET /api/pipeline_runs/<id>` with its block runs, and `GET /api/block_runs?pipeline_run_id=`.
struct PipelineRunRoutes {
    let server: WebServer

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/pipeline_runs") { request, _ in
            try await Blocking.run {
                let query = request.query
                let page = try ListPage(query)
                let filter = try Self.filter(query)
                let store = server.store
                let runs = try store.pipelineRunList(filter, limit: page.limit, offset: page.offset)
                let summaries = try store.blockRunSummaries(pipelineRunIDs: runs.map(\.id))
                let resources = runs.map { PipelineRunResource($0, summary: summaries[$0.id] ?? BlockRunSummary()) }
                return JSONResponse.make(json: ListEnvelope("pipeline_runs", resources, count: try store.pipelineRunCount(filter), page: page).json)
            }
        }
        router.get("/api/pipeline_runs/:id") { _, context in
            let idText = context.parameters.get("id")
            return try await Blocking.run {
                let run = try existingRun(idText)
                return JSONResponse.make(RecordEnvelope("pipeline_run",
                                                        PipelineRunResource(run, blockRuns: try server.store.blockRunList(pipelineRunID: run.id))))
            }
        }
        router.get("/api/block_runs") { request, _ in
            try await Blocking.run {
                guard let text = try QueryValue.single(request.query, "pipeline_run_id") else {
                    throw APIError.badRequest("query key pipeline_run_id is required: the run whose block runs to list")
                }
                let run = try existingRun(text)
                let blockRuns = try server.store.blockRunList(pipelineRunID: run.id).map(BlockRunResource.init)
                return JSONResponse.make(ListEnvelope("block_runs", blockRuns))
            }
        }
    }

    private func existingRun(_ text: String?) throws -> PipelineRun {
        let id = try ResourceName.runID(text)
        guard let run = try server.store.pipelineRunGet(id: id) else { throw APIError.notFound("no pipeline run \(id)") }
        return run
    }

    static func filter(_ query: Parameters) throws -> PipelineRunFilter {
        var filter = PipelineRunFilter()
        if let pipeline = try QueryValue.single(query, "pipeline_uuid") {
            filter.pipeline = try ResourceName.identifier(pipeline, "query key pipeline_uuid")
        }
        for text in QueryValue.list(query, "status") {
            guard let status = PipelineRunStatus(rawValue: text) else {
                let known = PipelineRunStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.badRequest("query key status[] has '\(APIError.printable(text))'; a pipeline run status is one of \(known)")
            }
            filter.statuses.insert(status)
        }
        return filter
    }
}
