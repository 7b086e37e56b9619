import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// The routes that start and steer runs:
/// - `POST /api/pipelines/<uuid>/pipeline_runs` with `{"pipeline_run": {"variables": {...}}}` queues a run
///   (`initial`, 201) for a dispatcher; variables are checked against the pipeline first (422).
/// - `PUT /api/pipeline_runs/<id>` with `{"pipeline_run": {"status": "cancelled"}}` cancels it, or with
///   `{"pipeline_run": {"pipeline_run_action": "retry_blocks"}}` runs its failed blocks again (Mage's action).
struct RunActionRoutes {
    let server: WebServer

    func add(to router: Router<BasicRequestContext>) {
        router.post("/api/pipelines/:uuid/pipeline_runs") { request, context in
            let uuid = try ResourceName.identifier(context.parameters.get("uuid"), "pipeline uuid")
            let record = try await RequestRecord.read(request, "pipeline_run", accepting: ["variables"])
            let run = try await Blocking.run { try create(uuid, record) }
            server.dispatcher?.wake()
            return try await Blocking.run { try RunRequest(server: server).created(run) }
        }
        router.put("/api/pipeline_runs/:id") { request, context in
            let id = try ResourceName.runID(context.parameters.get("id"))
            let record = try await RequestRecord.read(request, "pipeline_run", accepting: ["status", "pipeline_run_action"])
            return try await Blocking.run {
                try update(id, record)
                return try runResponse(id, status: 200)
            }
        }
    }

    private func create(_ uuid: String, _ record: RequestRecord) throws -> PipelineRun {
        var variables: [String: ConfigValue] = [:]
        switch record.fields["variables"] {
        case nil: break
        case .map(let given)?: variables = given
        case let other?: throw APIError.badRequest("pipeline_run.variables must be a JSON object, got \(other.typeName)")
        }
        return try RunRequest(server: server).queue(uuid, variables: variables)
    }

    private func update(_ id: Int64, _ record: RequestRecord) throws {
        let control = RunControl(store: server.store)
        do {
            switch (record.fields["status"], record.fields["pipeline_run_action"]) {
            case (.string("cancelled")?, nil):
                try control.cancel(id)
            case (nil, .string("retry_blocks")?):
                try control.retryFailedBlocks(id)
                server.dispatcher?.wake()
            case (let status?, nil):
                throw APIError.invalid([.init(field: "pipeline_run.status",
                                              error: "a run's status can only be set to cancelled, got \(APIError.printable(status.jsonText))")])
            case (nil, let action?):
                throw APIError.invalid([.init(field: "pipeline_run.pipeline_run_action",
                                              error: "the one action is retry_blocks, got \(APIError.printable(action.jsonText))")])
            case (_?, _?):
                throw APIError.badRequest("send either pipeline_run.status or pipeline_run.pipeline_run_action, not both")
            case (nil, nil):
                throw APIError.badRequest("pipeline_run needs status (cancelled) or pipeline_run_action (retry_blocks)")
            }
        } catch let refusal as RunControl.Refusal {
            switch refusal {
            case .notFound: throw APIError.notFound(refusal.description)
            case .conflict: throw APIError.conflict(refusal.description)
            }
        }
    }

    private func runResponse(_ id: Int64, status: Int) throws -> Response {
        try RunRequest(server: server).answer(id, status: status)
    }
}
