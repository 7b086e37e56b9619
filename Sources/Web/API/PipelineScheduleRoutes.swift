import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// Mage's `/api/pipeline_schedules`: the triggers the store holds, whether defined in a pipeline's
/// triggers.yaml (synced into the store) or through this API.
/// - `GET /api/pipeline_schedules` (`pipeline_uuid`, `_limit`, `_offset`) and
///   `GET /api/pipelines/<uuid>/pipeline_schedules`; `GET /api/pipeline_schedules/<id>`.
/// - `POST /api/pipelines/<uuid>/pipeline_schedules` or `POST /api/pipeline_schedules` (`pipeline_uuid` in
///   the body): the body's keys are triggers.yaml's, validated as a file entry is (422 naming each key).
/// - `PUT /api/pipeline_schedules/<id>`: the keys given are merged into the stored definition (a `null`
///   removes one), which is validated again; `{"status": "inactive"}` disables it.
/// - `DELETE /api/pipeline_schedules/<id>`.
struct PipelineScheduleRoutes {
    let server: WebServer
    static let name = "pipeline_schedule"

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/pipeline_schedules") { request, _ in
            try await Blocking.run {
                let query = request.query
                let page = try ListPage(query)
                let pipeline = try QueryValue.single(query, "pipeline_uuid").map { try ResourceName.identifier($0, "query key pipeline_uuid") }
                return try list(pipeline: pipeline, page: page)
            }
        }
        router.get("/api/pipelines/:uuid/pipeline_schedules") { request, context in
            let uuid = try ResourceName.identifier(context.parameters.get("uuid"), "pipeline uuid")
            return try await Blocking.run {
                let page = try ListPage(request.query)
                _ = try existingPipeline(uuid)
                return try list(pipeline: uuid, page: page)
            }
        }
        router.get("/api/pipeline_schedules/:id") { _, context in
            let id = try Self.id(context.parameters.get("id"))
            return try await Blocking.run { try answer(try existing(id)) }
        }
        router.post("/api/pipelines/:uuid/pipeline_schedules") { request, context in
            let uuid = try ResourceName.identifier(context.parameters.get("uuid"), "pipeline uuid")
            let record = try await RequestRecord.read(request, Self.name, accepting: nil)
            if record.fields["pipeline_uuid"] != nil {
                throw APIError.badRequest("unknown key pipeline_schedule.pipeline_uuid: the path names the pipeline")
            }
            return try await Blocking.run { try create(uuid, record.fields) }
        }
        router.post("/api/pipeline_schedules") { request, _ in
            let record = try await RequestRecord.read(request, Self.name, accepting: nil)
            var fields = record.fields
            guard case .string(let text)? = fields.removeValue(forKey: "pipeline_uuid") else {
                throw APIError.badRequest("pipeline_schedule.pipeline_uuid is required: the pipeline the trigger runs (text)")
            }
            let uuid = try ResourceName.identifier(text, "pipeline_schedule.pipeline_uuid")
            let document = fields
            return try await Blocking.run { try create(uuid, document) }
        }
        router.put("/api/pipeline_schedules/:id") { request, context in
            let id = try Self.id(context.parameters.get("id"))
            let record = try await RequestRecord.read(request, Self.name, accepting: nil)
            return try await Blocking.run { try update(id, record.fields) }
        }
        router.delete("/api/pipeline_schedules/:id") { _, context in
            let id = try Self.id(context.parameters.get("id"))
            return try await Blocking.run {
                let schedule = try existing(id)
                let response = try answer(schedule)
                guard try server.store.scheduleDelete(id: id) else { throw APIError.notFound("no pipeline schedule \(id)") }
                return response
            }
        }
    }

    static func id(_ text: String?) throws -> Int64 { try ResourceName.runID(text, "pipeline schedule id") }

    func existing(_ id: Int64) throws -> PipelineSchedule {
        guard let schedule = try server.store.scheduleGet(id: id) else { throw APIError.notFound("no pipeline schedule \(id)") }
        return schedule
    }

    private func existingPipeline(_ uuid: String) throws -> String {
        guard server.project.pipelineUUIDs().contains(uuid) else {
            throw APIError.notFound("no pipeline '\(uuid)' in project \(server.project.identifier)")
        }
        return uuid
    }

    private func list(pipeline: String?, page: ListPage) throws -> Response {
        let all = try server.store.scheduleList(pipeline: pipeline)
        let now = Date()
        let items = try all.dropFirst(page.offset).prefix(page.limit).map { try resource($0, now: now) }
        return JSONResponse.make(ListEnvelope("pipeline_schedules", Array(items), count: all.count, page: page))
    }

    /// The resource with its last run and runs in flight, read from the store.
    func resource(_ schedule: PipelineSchedule, now: Date = Date(), token: TriggerToken? = nil) throws -> PipelineScheduleResource {
        let store = server.store
        let last = try store.pipelineRunList(PipelineRunFilter(scheduleID: schedule.id), limit: 1, offset: 0).first
        let inProgress = try store.pipelineRunCount(PipelineRunFilter(statuses: [.initial, .running], scheduleID: schedule.id))
        return PipelineScheduleResource(schedule, lastRun: last, inProgress: inProgress, now: now, token: token)
    }

    func answer(_ schedule: PipelineSchedule, status: Int = 200, token: TriggerToken? = nil) throws -> Response {
        JSONResponse.make(status: status, RecordEnvelope(Self.name, try resource(schedule, token: token)))
    }

    private func create(_ uuid: String, _ document: [String: ConfigValue]) throws -> Response {
        _ = try existingPipeline(uuid)
        let definition = try validated(uuid, document.filter { $0.value != .null }, origin: .api, fileDigest: nil)
        let schedule = try stored { try server.store.scheduleCreate(definition, at: Date()) }
        // An api trigger's token is made with it, and shown in this answer only.
        guard schedule.definition.scheduleType == .api, let token = try TriggerToken.rotate(server.store, id: schedule.id),
              let withToken = try server.store.scheduleGet(id: schedule.id) else {
            return try located(answer(schedule, status: 201), schedule.id)
        }
        return try located(answer(withToken, status: 201, token: token), schedule.id)
    }

    private func located(_ response: Response, _ id: Int64) -> Response {
        var response = response
        response.headers[.location] = "/api/pipeline_schedules/\(id)"
        return response
    }

    private func update(_ id: Int64, _ changes: [String: ConfigValue]) throws -> Response {
        let current = try existing(id)
        if let pipeline = changes["pipeline_uuid"], pipeline != .string(current.pipeline) {
            throw APIError.badRequest("pipeline_schedule.pipeline_uuid cannot change: a trigger belongs to its pipeline (create another)")
        }
        var document = current.definition.document
        for (key, value) in changes where key != "pipeline_uuid" {
            if value == .null { document.removeValue(forKey: key) } else { document[key] = value }
        }
        // An edit keeps a file trigger's origin and digest: it holds until the file's entry changes.
        let definition = try validated(current.pipeline, document, origin: current.definition.origin,
                                       fileDigest: current.definition.fileDigest)
        guard var updated = try stored({ try server.store.scheduleUpdate(id: id, definition, at: Date()) }) else {
            throw APIError.notFound("no pipeline schedule \(id)")
        }
        if updated.definition.scheduleType == .time, updated.tokenDigest != nil {
            _ = try server.store.scheduleSetToken(id: id, digest: nil, hint: nil)  // a time trigger takes no requests
            updated.tokenDigest = nil
            updated.tokenHint = nil
        }
        return try answer(updated)
    }

    /// The definition, validated as a triggers.yaml entry is; its variables checked against the
    /// pipeline's declared ones when the pipeline loads.
    private func validated(_ uuid: String, _ document: [String: ConfigValue], origin: PipelineSchedule.Origin,
                           fileDigest: String?) throws -> ScheduleDefinition {
        let mistyped = Self.mistyped(document)
        guard mistyped.isEmpty else { throw APIError.invalid(mistyped) }
        let trigger: Trigger
        switch TriggerFile.trigger(.map(document), pipeline: uuid) {
        case .success(let valid): trigger = valid
        case .failure(let refused): throw APIError.invalid(refused.problems.map(Self.fieldError))
        }
        if let declared = try? server.pipelineLoader.load(uuid).declaredVariables {
            let problems = RunRequest.problems(trigger.variables, declared: declared, field: "\(Self.name).variables")
            guard problems.isEmpty else { throw APIError.invalid(problems) }
        }
        return ScheduleDefinition(trigger: trigger, document: document, origin: origin, fileDigest: fileDigest)
    }

    /// `schedule_interval: hour: 24 is out of range 0-23` → field `pipeline_schedule.schedule_interval`.
    static let textKeys = ["name", "schedule_type", "schedule_interval", "start_time", "timezone", "status", "catch_up"]

    /// YAML reads `name: 2024` as text; JSON says what it means, so a number or a boolean where triggers.yaml
    /// takes text is refused rather than turned into text.
    static func mistyped(_ document: [String: ConfigValue]) -> [APIError.FieldError] {
        var problems = textKeys.compactMap { key -> APIError.FieldError? in
            guard let value = document[key], value != .null, value.stringValue == nil else { return nil }
            return .init(field: "\(name).\(key)", error: "expected text, got \(value.typeName)")
        }
        if let value = document["settings"]?.objectValue?["timeout_status"], value != .null, value.stringValue == nil {
            problems.append(.init(field: "\(name).settings.timeout_status", error: "expected text, got \(value.typeName)"))
        }
        return problems
    }

    /// Keys and values echoed from the body are shortened and stripped of control characters.
    static func fieldError(_ problem: String) -> APIError.FieldError {
        guard let colon = problem.range(of: ": ") else { return .init(field: name, error: clean(problem)) }
        return .init(field: "\(name).\(APIError.printable(String(problem[..<colon.lowerBound])))",
                     error: clean(String(problem[colon.upperBound...])))
    }

    private static func clean(_ text: String) -> String {
        let scalars = text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }
        let clean = String(String.UnicodeScalarView(scalars))
        return clean.count > 400 ? String(clean.prefix(400)) + "…" : clean
    }

    private func stored<T>(_ write: () throws -> T) throws -> T {
        do { return try write() } catch let conflict as StoreConflict { throw APIError.conflict(conflict.message) }
    }
}
