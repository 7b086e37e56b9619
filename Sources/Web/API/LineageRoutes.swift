import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// `GET /api/lineage?_limit=`: the lineage graph of the newest model versions (`LineageGraphResource`).
struct LineageRoutes {
    let server: WebServer

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/lineage") { request, _ in
            try await Blocking.run {
                let page = try ListPage(request.query)
                let store = server.store
                let models = try store.modelVersionList(pipelineRunID: nil, limit: page.limit)
                var runs: [Int64: PipelineRun] = [:]
                var datasets: [Int64: [DatasetVersion]] = [:]
                for id in Set(models.map(\.pipelineRunID)) {
                    runs[id] = try store.pipelineRunGet(id: id)
                    datasets[id] = try store.datasetVersionList(pipelineRunID: id, limit: 100)
                }
                let latest = try ModelRegistry(project: server.project, store: store).latest()?.version
                return JSONResponse.make(RecordEnvelope("lineage", LineageGraphResource(models: models, runs: runs, datasets: datasets,
                                                                                         latest: latest)))
            }
        }
    }
}
