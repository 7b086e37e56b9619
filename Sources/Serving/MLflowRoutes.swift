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

    /// The column names of a `dataframe_split`: strings, each once (the signature's order when absent).
    static func splitColumns(_ given: JSONValue?, default columns: [String]) throws(APIError) -> [String] {
        guard let given else { return columns }
        guard case .array(let items) = given else { throw .badRequest("dataframe_split's columns must be an array of names") }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item else { throw .badRequest("dataframe_split's columns must be strings, got \(item.typeName)") }
            guard !names.contains(name) else { throw .badRequest("dataframe_split names the column '\(APIError.printable(name))' twice") }
            names.append(name)
        }
        return names
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
            guard case .object(let split) = value else { throw .badRequest("dataframe_split must be an object with data (and columns)") }
            if let unknown = split.keys.sorted().first(where: { !["columns", "index", "data"].contains($0) }) {
                throw .badRequest("dataframe_split has an unknown key '\(APIError.printable(unknown))': it takes columns, index and data")
            }
            if let index = split["index"] {
                guard case .array = index else { throw .badRequest("dataframe_split's index must be an array") }
            }
            guard case .array(let data)? = split["data"] else { throw .badRequest("dataframe_split needs data: an array of rows") }
            let names = try splitColumns(split["columns"], default: columns)
            var out: [JSONValue] = []
            for item in try PredictionRequest.records(data, maxRows: maxRows) {
                guard case .array = item else { throw .badRequest("each row of dataframe_split's data must be an array of values") }
                out.append(try positional(item, names))
            }
            return out
        case "dataframe_records", "instances", "inputs":
            return try rows(value)
        default:
            throw .badRequest("unknown key '\(key)': expected one of dataframe_split, dataframe_records, instances, inputs")
        }
    }
}
