import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// Runs requested through an api trigger, each request carrying the trigger's own token instead of
/// `MAGE_API_TOKEN`:
/// - `POST /api/pipeline_schedules/<id>/api_trigger` with `Authorization: Bearer <token>`;
/// - Mage's older `POST /api/pipeline_schedules/<id>/pipeline_runs/<token>` (the token in the path, masked
///   in every log line: `TriggerTokenPaths.masked`).
/// The optional body `{"pipeline_run": {"variables": {...}}}` overlays the trigger's variables.
/// `POST /api/pipeline_schedules/<id>/token` (under `MAGE_API_TOKEN`) makes a new token and shows it once.
struct TriggerRunRoutes {
    let server: WebServer

    func add(to router: Router<BasicRequestContext>) {
        router.post("/api/pipeline_schedules/:id/api_trigger") { request, context in
            let id = try PipelineScheduleRoutes.id(context.parameters.get("id"))
            let given = Self.bearer(request.headers[.authorization])
            return try await run(id, token: given, request)
        }
        router.post("/api/pipeline_schedules/:id/pipeline_runs/:token") { request, context in
            let id = try PipelineScheduleRoutes.id(context.parameters.get("id"))
            return try await run(id, token: context.parameters.get("token"), request)
        }
        router.post("/api/pipeline_schedules/:id/token") { _, context in
            let id = try PipelineScheduleRoutes.id(context.parameters.get("id"))
            return try await Blocking.run {
                let schedules = PipelineScheduleRoutes(server: server)
                let schedule = try schedules.existing(id)
                guard schedule.definition.scheduleType == .api else {
                    throw APIError.conflict("pipeline schedule \(id) is a time trigger: only api triggers take a token")
                }
                guard let token = try TriggerToken.rotate(server.store, id: id), let rotated = try server.store.scheduleGet(id: id) else {
                    throw APIError.notFound("no pipeline schedule \(id)")
                }
                return try schedules.answer(rotated, token: token)
            }
        }
    }

    /// The token of `Authorization: Bearer <token>`, if that is the header's form.
    static func bearer(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7))
    }

    private func run(_ id: Int64, token: String?, _ request: Request) async throws -> Response {
        let schedule = try await Blocking.run { try PipelineScheduleRoutes(server: server).existing(id) }
        guard schedule.definition.scheduleType == .api else {
            throw APIError.conflict("pipeline schedule \(id) is a time trigger: the scheduler runs it, requests cannot")
        }
        guard let token, let digest = schedule.tokenDigest, TriggerToken.matches(token, digest: digest) else {
            let message = token == nil ? "this route needs the trigger's token: Authorization: Bearer <token>"
                : "the token is not this trigger's (a rotated token stops working)"
            return JSONResponse.make(status: 401, APIError(status: 401, message: message),
                                     headers: [.wwwAuthenticate: #"Bearer realm="swiftmage-trigger""#])
        }
        guard schedule.definition.status == .active else {
            throw APIError.conflict("trigger '\(APIError.printable(schedule.name))' is \(schedule.definition.status.rawValue): enable it to run it (status: active)")
        }
        let record = try await RequestRecord.readOptional(request, "pipeline_run", accepting: ["variables"])
        let asked: [String: ConfigValue]
        switch record?.fields["variables"] {
        case nil: asked = [:]
        case .map(let given)?: asked = given
        case let other?: throw APIError.badRequest("pipeline_run.variables must be a JSON object, got \(other.typeName)")
        }
        let run = try await Blocking.run { () throws -> PipelineRun in
            let trigger: Trigger
            switch schedule.trigger() {
            case .success(let valid): trigger = valid
            case .failure(let refused):
                throw APIError.conflict("trigger '\(APIError.printable(schedule.name))' no longer validates: \(refused)")
            }
            let now = Date()
            let variables = trigger.variables.merging(asked) { $1 }
            return try RunRequest(server: server).queue(schedule.pipeline, variables: variables, trigger: RunTrigger(
                scheduleID: schedule.id, executionDate: nil, timeout: trigger.settings.timeout,
                timeoutStatus: trigger.settings.timeoutStatus, slaDueAt: trigger.sla.map { now.addingTimeInterval($0) }))
        }
        server.dispatcher?.wake()
        // Who asked for runs is worth a line; the older route's token never is.
        server.logger.info("run \(run.id) of pipeline '\(run.pipeline)' queued by api trigger \(id) ('\(APIError.printable(schedule.name))'): POST \(TriggerTokenPaths.masked(request.uri.path))")
        return try await Blocking.run { try RunRequest(server: server).created(run) }
    }
}
