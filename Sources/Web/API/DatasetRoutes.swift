import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// `GET /api/datasets?pipeline_run_id=&_limit=`: dataset versions, newest first.
struct DatasetRoutes {
    let server: WebServer

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/datasets") { request, _ in
            try await Blocking.run {
                let query = request.query
                let page = try ListPage(query)
                guard page.offset == 0 else { throw APIError.badRequest("query key _offset is not supported for datasets; use _limit") }
                let run = try QueryValue.single(query, "pipeline_run_id").map { try ResourceName.runID($0, "query key pipeline_run_id") }
                let versions = try server.store.datasetVersionList(pipelineRunID: run, limit: page.limit)
                return JSONResponse.make(ListEnvelope("datasets", versions))
            }
        }
    }
}
