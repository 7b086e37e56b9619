import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// The seed's model endpoints: `/health`, `/reload`, `/model-info`, `/lineage`, `/log-prediction`.
struct ModelRoutes {
    let service: PredictionService

    func add(to router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in health() }
        router.post("/reload") { _, _ in await reload() }
        router.get("/model-info") { _, _ in modelInfo() }
        router.get("/lineage") { request, _ in await lineage(request) }
        router.post("/log-prediction") { request, _ in await logPrediction(request) }
    }

    struct Health: Encodable {
        var status: String
        var version: String?
        var lastReload: Date?
        var message: String?
        var reloadError: ModelSlot.ReloadFailure?
        var follows: Follows
        var audit: AuditStatus?

        enum CodingKeys: String, CodingKey {
            case status, version, message, follows, audit
            case lastReload = "last_reload"
            case reloadError = "reload_error"
        }
    }

    /// The audit log's queue.
    struct AuditStatus: Encodable {
        var mode: String
        var pending: Int
        var limit: Int
        var full: Bool
        var dropped: Int
    }

    var auditStatus: AuditStatus? {
        service.audit.map { AuditStatus(mode: $0.mode.rawValue, pending: $0.pending, limit: $0.limit, full: $0.isFull, dropped: $0.dropped) }
    }

    /// How the service learns that `latest.json` moved.
    struct Follows: Encodable {
        var fileWatch: Bool
        var redis: String?
        var redisSubscribed: Bool?
        var redisError: String?

        enum CodingKeys: String, CodingKey {
            case redis
            case fileWatch = "file_watch"
            case redisSubscribed = "redis_subscribed"
            case redisError = "redis_error"
        }
    }

    var follows: Follows {
        let listener = service.announcements
        let subscribed = listener?.subscribed.load(ordering: .acquiring)
        return Follows(fileWatch: service.configuration.fileWatch, redis: listener.map { "\($0.redis)" }, redisSubscribed: subscribed,
                       redisError: subscribed == false ? listener?.lastError.current : nil)
    }

    func health() -> Response {
        let served = service.follower.current()
        let status = service.follower.slot.status
        guard let served else {
            return JSONResponse.make(status: 503, Health(status: "unhealthy", version: nil, lastReload: nil,
                                                         message: service.noModel.message, reloadError: status.lastFailure, follows: follows,
                                                         audit: auditStatus))
        }
        let follows = self.follows
        var problems: [String] = []
        if let failure = status.lastFailure {
            problems.append("the last reload failed: " + (failure.version.map { "cannot load \($0): " } ?? "") + failure.error)
        }
        if let audit = service.audit, audit.isFull {
            problems.append("the audit queue is full (\(audit.limit) rows waiting for the store): " +
                (audit.mode == .durable ? "predictions are refused until the store catches up"
                                        : "new audit rows are dropped (\(audit.dropped) so far) until the store catches up"))
        }
        if follows.redisSubscribed == false {
            problems.append("not subscribed to registry announcements on \(follows.redis ?? "Redis") (\(follows.redisError ?? "connecting")); moves of latest.json made elsewhere are not seen until it reconnects")
        }
        return JSONResponse.make(Health(status: problems.isEmpty ? "healthy" : "degraded", version: served.version,
                                        lastReload: status.lastReload,
                                        message: problems.isEmpty ? nil : "serving \(served.version); " + problems.joined(separator: "; "),
                                        reloadError: status.lastFailure, follows: follows, audit: auditStatus))
    }

    struct Reloaded: Encodable {
        var status: String
        var version: String?
        var message: String
        var reloadTime: Date

        enum CodingKeys: String, CodingKey {
            case status, version, message
            case reloadTime = "reload_time"
        }
    }

    func reload() async -> Response {
        let outcome = await Blocking.value { service.follower.refresh(force: true, reason: "POST /reload") }
        switch outcome {
        case .loaded(let model), .unchanged(let model):
            return JSONResponse.make(Reloaded(status: "success", version: model.version,
                                              message: "model \(model.version) loaded from \(model.path)", reloadTime: model.loadedAt))
        case .noPointer:
            return JSONResponse.make(status: 503, Reloaded(status: "error", version: nil, message: service.noModel.message, reloadTime: Date()))
        case .failed(let version, let error):
            return JSONResponse.make(status: 500, Reloaded(
                status: "error", version: service.follower.slot.model?.version,
                message: (version.map { "cannot load \($0): \(error); \($0) refused" } ?? error) +
                    (service.follower.slot.model.map { "; still serving \($0.version)" } ?? ""), reloadTime: Date()))
        }
    }

    struct ModelInfo: Encodable {
        var version: String
        var path: String
        var modelType: String?
        var blockKind: String
        var features: [ModelSignature.Feature]
        var label: String?
        var classes: [JSONValue]
        var lineage: JSONValue
        var lastReload: Date?

        enum CodingKeys: String, CodingKey {
            case version, path, features, label, classes, lineage
            case modelType = "model_type"
            case blockKind = "block_kind"
            case lastReload = "last_reload"
        }
    }

    func modelInfo() -> Response {
        guard let served = service.follower.current() else { return service.noModel.response }
        return JSONResponse.make(ModelInfo(version: served.version, path: served.path, modelType: served.modelType,
                                           blockKind: served.blockKind, features: served.signature.features,
                                           label: served.signature.label, classes: served.signature.classes,
                                           lineage: served.lineage, lastReload: service.follower.slot.status.lastReload))
    }

    struct LineageResponse: Encodable {
        var status: String
        var version: String
        var lineage: JSONValue
    }

    /// `history_limit`: absent (100), or one whole number in the documented range.
    static func historyLimit(_ values: [String]) throws(APIError) -> Int {
        let range = OpenAPIDocument.historyLimit.range
        guard let text = values.first else { return 100 }
        guard values.count == 1, let limit = Int(text), range.contains(limit) else {
            throw .badRequest("history_limit must be given once, a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return limit
    }

    /// `lineage.json` of the serving version, its `predictions` filled from the store: every logged
    /// prediction counted, the newest `history_limit` (default 100) listed, oldest first.
    func lineage(_ request: Request) async -> Response {
        guard let served = service.follower.current() else { return service.noModel.response }
        let limit: Int
        do throws(APIError) {
            limit = try Self.historyLimit(request.uri.queryParameters.getAll("history_limit"))
        } catch {
            return error.response
        }
        do {
            let (summary, history) = try await Blocking.run {
                (try service.store.predictionSummary(modelVersion: served.version, source: .logged),
                 try service.store.predictionList(modelVersion: served.version, source: .logged, limit: limit))
            }
            let served_ = try await Blocking.run { try service.store.predictionSummary(modelVersion: served.version, source: .predict) }
            var lineage: [String: JSONValue] = [:]
            if case .object(let object) = served.lineage { lineage = object }
            lineage["predictions"] = .object([
                "count": .number(Double(summary.count)),
                "history": .array(history.map(LoggedPrediction.json)),
                "last_prediction_time": summary.last.map { JSONValue.string(Self.time($0)) } ?? JSONValue.null,
                "served_count": .number(Double(served_.count)),
                "last_served_time": served_.last.map { JSONValue.string(Self.time($0)) } ?? JSONValue.null,
            ])
            return JSONResponse.make(LineageResponse(status: "success", version: served.version, lineage: .object(lineage)))
        } catch {
            return APIError(status: 500, message: "cannot read the prediction history: \(error)").response
        }
    }

    static func time(_ date: Date) -> String {
        ISOTime.format(date)
    }

    struct Logged: Encodable {
        var status: String
        var totalPredictions: Int
        var modelVersion: String

        enum CodingKeys: String, CodingKey {
            case status
            case totalPredictions = "total_predictions"
            case modelVersion = "model_version"
        }
    }

    /// Records a prediction a client reports, durably (one transaction) before answering.
    func logPrediction(_ request: Request) async -> Response {
        do throws(APIError) {
            let body = try await JSONRequestBody.json(request, limit: service.configuration.maxBodyBytes)
            guard let served = service.follower.current() else { throw service.noModel }
            let entry = try LoggedPrediction.decode(body)
            let record = PredictionRecord(source: .logged, requestID: request.headers[.requestID], modelVersion: served.version,
                                          inputs: entry.inputs, outputs: entry.outputs, latencyMilliseconds: nil,
                                          userID: entry.userID, at: Date())
            let count: Int
            do {
                count = try await Blocking.run { try service.store.predictionAppendCounting(record) }
            } catch {
                throw APIError(status: 500, message: "cannot record the prediction: \(error)")
            }
            return JSONResponse.make(Logged(status: "success", totalPredictions: count, modelVersion: served.version))
        } catch {
            return error.response
        }
    }
}

/// A body of `POST /log-prediction`: `input_features` (object), `prediction`, `probability`,
/// `risk_level`, `user_id` (optional).
struct LoggedPrediction {
    var inputs: String
    var outputs: String
    var userID: String?

    static func decode(_ body: JSONValue) throws(APIError) -> LoggedPrediction {
        guard case .object(let o) = body else {
            throw .invalid([.init(field: "(body)", row: nil, error: "expected an object, got \(body.typeName)")])
        }
        var errors: [APIError.FieldError] = []
        let known: Set = ["input_features", "prediction", "probability", "risk_level", "user_id", "timestamp"]
        for key in o.keys.sorted() where !known.contains(key) { errors.append(.init(field: key, row: nil, error: "unknown field")) }
        switch o["input_features"] {
        case nil: errors.append(.init(field: "input_features", row: nil, error: "missing"))
        case .object?: break
        case let value?: errors.append(.init(field: "input_features", row: nil, error: "expected an object, got \(value.typeName)"))
        }
        if o["prediction"] == nil { errors.append(.init(field: "prediction", row: nil, error: "missing")) }
        var userID: String?
        switch o["user_id"] {
        case nil, .null?: break
        case .string(let s)?: userID = s
        case .number(let d)?: userID = d == d.rounded() ? String(Int64(d)) : String(d)
        case let v?: errors.append(.init(field: "user_id", row: nil, error: "expected a string, got \(v.typeName)"))
        }
        guard errors.isEmpty else { throw .invalid(errors) }
        let encoder = JSONResponse.encoder
        func text(_ v: JSONValue) -> String { String(decoding: (try? encoder.encode(v)) ?? Data("null".utf8), as: UTF8.self) }
        let outputs = JSONValue.object(["prediction": o["prediction"] ?? .null, "probability": o["probability"] ?? .null,
                                        "risk_level": o["risk_level"] ?? .null])
        return LoggedPrediction(inputs: text(o["input_features"]!), outputs: text(outputs), userID: userID)
    }

    /// A history entry as the seed wrote it into lineage.json.
    static func json(_ record: PredictionRecord) -> JSONValue {
        let outputs = (try? JSONValue.parse(Data(record.outputs.utf8))) ?? .null
        var entry: [String: JSONValue] = [
            "timestamp": .string(ModelRoutes.time(record.at)),
            "input_features": (try? JSONValue.parse(Data(record.inputs.utf8))) ?? .null,
            "user_id": record.userID.map(JSONValue.string) ?? .null,
        ]
        if case .object(let o) = outputs { for (k, v) in o { entry[k] = v } }
        return .object(entry)
    }
}
