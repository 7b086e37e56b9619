import Foundation
import HTTPTypes
import Hummingbird
import MageHTTP

/// MLflow's scoring protocol: `GET /ping`, and `POST /invocations` with `dataframe_split`,
/// `dataframe_records`, `instances` or `inputs`, answered with `{"predictions": [...]}` (the class of
/// each row). The same validation as `/predict`; columns are named, or given in the signature's order.
struct MLflowRoutes {
    let service: PredictionService

    func add(to router: Router<BasicRequestContext>) {
        router.get("/ping") { _, _ in
            service.follower.current() == nil ? service.noModel.response : JSONResponse.text("\n", contentType: "application/json")
        }
        router.post("/invocations") { request, _ in await invocations(request) }
    }

    struct Answer: Encodable { var predictions: [JSONValue] }

    func invocations(_ request: Request) async -> Response {
        let start = ContinuousClock.now
        let requestID = request.headers[.requestID] ?? RequestID.next()
        let headers: HTTPFields = [.requestID: requestID]
        do throws(APIError) {
            let body = try await JSONRequestBody.json(request, limit: service.configuration.maxBodyBytes)
            guard let served = service.follower.current() else { throw service.noModel }
            let schema = served.schema
            let records = try Self.records(body, columns: schema.featureNames, maxRows: service.configuration.maxBatchRows)
            let rows = try PredictionRequest.rows(records, schema: schema, isBatch: true)
            let predictions: Predictions
            do {
                predictions = try Predictions.run(rows, on: served)
            } catch {
                throw APIError(status: 500, message: "the model failed to predict: \(error)")
            }
            try await service.audit?.record(predictions, of: rows, requestID: requestID, answer: nil, startedAt: start)
            return JSONResponse.make(Answer(predictions: (0..<predictions.rowCount).map(predictions.label(row:))), headers: headers)
        } catch {
            return JSONResponse.make(status: error.status, error, headers: headers)
        }
    }

    /// The body's rows as objects of features.
    static func records(_ body: JSONValue, columns: [String], maxRows: Int) throws(APIError) -> [JSONValue] {
        guard case .object(let o) = body, o.count == 1, let entry = o.first else {
            throw .badRequest("expected one of dataframe_split, dataframe_records, instances, inputs")
        }
        let key = entry.key, value = entry.value
        func positional(_ row: JSONValue, _ names: [String]) throws(APIError) -> JSONValue {
            guard case .array(let values) = row else { return row }
            guard values.count == names.count else {
                throw .invalid([.init(field: "(row)", row: nil, error: "\(values.count) values for \(names.count) columns")])
            }
            return .object(Dictionary(uniqueKeysWithValues: zip(names, values).map { ($0, $1) }))
        }
        func rows(_ value: JSONValue) throws(APIError) -> [JSONValue] {
            switch value {
            case .array(let items):
                var out: [JSONValue] = []
                for item in try PredictionRequest.records(items, maxRows: maxRows) { out.append(try positional(item, columns)) }
                return out
            case .object(let columnsMap):
                // Columnar: {feature: [values]}.
                let lengths = Set(columnsMap.values.map { if case .array(let a) = $0 { a.count } else { -1 } })
                guard lengths.count == 1, let n = lengths.first, n > 0 else {
                    throw .badRequest("columnar inputs need arrays of one positive length")
                }
                let records: [JSONValue] = (0..<n).map { (i: Int) -> JSONValue in
                    JSONValue.object(columnsMap.mapValues { (column: JSONValue) -> JSONValue in
                        if case .array(let a) = column { return a[i] }
                        return JSONValue.null
                    })
                }
                return try PredictionRequest.records(records, maxRows: maxRows)
            default:
                throw .badRequest("\(key) must be an array or an object")
            }
        }
        switch key {
        case "dataframe_split":
            guard case .object(let split) = value, case .array(let data)? = split["data"] else {
                throw .badRequest("dataframe_split needs data (and columns)")
            }
            var names = columns
            if case .array(let given)? = split["columns"] {
                names = given.map { if case .string(let s) = $0 { s } else { "\($0)" } }
            }
            var out: [JSONValue] = []
            for item in try PredictionRequest.records(data, maxRows: maxRows) { out.append(try positional(item, names)) }
            return out
        case "dataframe_records", "instances", "inputs":
            return try rows(value)
        default:
            throw .badRequest("unknown key '\(key)': expected one of dataframe_split, dataframe_records, instances, inputs")
        }
    }
}
