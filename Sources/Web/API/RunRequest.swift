import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// Queues one run of a pipeline, as `POST /api/pipelines/<uuid>/pipeline_runs` and an API trigger do:
/// the variables checked against the pipeline's declared ones first (422 naming each), the run written
/// `initial` for a dispatcher. The caller wakes the dispatcher.
struct RunRequest {
    let server: WebServer

    /// `variables` is what the body asked for; `field` names it in refusals (`pipeline_run.variables`).
    func queue(_ uuid: String, variables: [String: ConfigValue], field: String = "pipeline_run.variables",
               trigger: RunTrigger? = nil) throws -> PipelineRun {
        guard server.project.pipelineUUIDs().contains(uuid) else {
            throw APIError.notFound("no pipeline '\(uuid)' in project \(server.project.identifier)")
        }
        let declared: [String: ConfigValue]
        do {
            declared = try server.pipelineLoader.load(uuid).declaredVariables
        } catch MageError.invalidPipeline(let problems) {
            throw APIError.conflict("pipeline '\(uuid)' cannot run as its file stands: " + problems.map(\.description).joined(separator: "; "))
        }
        let problems = Self.problems(variables, declared: declared, field: field)
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let pipeline = try loadPipeline(uuid, variables: variables)
        return try server.store.pipelineRunCreate(PipelineRunCreateParams(
            pipeline: uuid, variables: pipeline.variables, blocks: pipeline.blocks.map(\.uuid),
            retryOnHostFailure: pipeline.retryOnHostFailure, trigger: trigger))
    }

    /// Each variable must be declared, of its default's kind, and must not feed a secret key
    /// (`RuntimeVariables`, the check the scheduler makes too).
    static func problems(_ variables: [String: ConfigValue], declared: [String: ConfigValue], field: String) -> [APIError.FieldError] {
        RuntimeVariables.problems(variables, declared: declared).map {
            APIError.FieldError(field: "\(field).\($0.variable)", error: $0.message)
        }
    }

    /// Run `id` with its block runs, as the run routes answer it.
    func answer(_ id: Int64, status: Int) throws -> Response {
        guard let run = try server.store.pipelineRunGet(id: id) else { throw APIError.notFound("no pipeline run \(id)") }
        return JSONResponse.make(status: status, RecordEnvelope("pipeline_run",
                                                                PipelineRunResource(run, blockRuns: try server.store.blockRunList(pipelineRunID: id))))
    }

    /// A run just queued: 201 with `Location`.
    func created(_ run: PipelineRun) throws -> Response {
        var response = try answer(run.id, status: 201)
        response.headers[.location] = "/api/pipeline_runs/\(run.id)"
        return response
    }

    /// The pipeline with these variables; one that does not validate with them is a 422.
    private func loadPipeline(_ uuid: String, variables: [String: ConfigValue]) throws -> Pipeline {
        do {
            return try server.pipelineLoader.load(uuid, variables: variables)
        } catch MageError.invalidPipeline(let problems) {
            throw APIError.invalid(problems.map { .init(field: $0.block.map { "blocks.\($0)" } ?? "pipeline", error: $0.message) })
        }
    }
}
