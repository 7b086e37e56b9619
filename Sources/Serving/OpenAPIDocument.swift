import Foundation
import HTTPTypes

/// The OpenAPI 3.1 document of the prediction service, served at `GET /openapi.json`: the contract a
/// client (or schemathesis, in `make test`) can hold the service to. The request schemas carry the served
/// model's features, so the document changes when the model does. A test checks that its operations are
/// exactly the router's routes.
enum OpenAPIDocument {
    struct Operation {
        var method: String, path: String, summary: String
        var body: RequestBody?
        var query: [QueryParameter] = []
        var responses: [Int: String]
    }

    /// What a request body holds; its schema is derived from the served model.
    enum RequestBody {
        case predict, invocations, logPrediction
    }

    struct QueryParameter {
        var name: String, description: String, range: ClosedRange<Int>
    }

    static let historyLimit = QueryParameter(name: "history_limit", description: "How many of the newest logged predictions to list (default 100)",
                                             range: 0...100_000)

    static let operations: [Operation] = [
        .init(method: "POST", path: "/predict", summary: "Predict one customer (object) or a batch (array) with the served model's features",
              body: .predict, responses: [200: "prediction(s)", 400: "empty or malformed body", 413: "body or batch too large",
                                          415: "not application/json", 422: "invalid features", 503: "no model serves"]),
        .init(method: "GET", path: "/health", summary: "Status, serving version, last reload and how moves of latest.json are followed",
              responses: [200: "serving (healthy, or degraded when a reload failed or Redis announcements are not heard)",
                          503: "no model serves"]),
        .init(method: "POST", path: "/reload", summary: "Re-read latest.json and load the version it names",
              responses: [200: "loaded", 500: "load failed; the old model keeps serving", 503: "no model deployed"]),
        .init(method: "GET", path: "/model-info", summary: "Version, path, signature and lineage of the serving model",
              responses: [200: "model information", 503: "no model serves"]),
        .init(method: "GET", path: "/lineage", summary: "lineage.json of the serving version with its prediction history from the store",
              query: [historyLimit], responses: [200: "lineage", 400: "malformed history_limit", 503: "no model serves"]),
        .init(method: "POST", path: "/log-prediction", summary: "Record a prediction durably in the metadata store", body: .logPrediction,
              responses: [200: "recorded", 400: "empty or malformed body", 413: "body too large", 415: "not application/json",
                          422: "invalid fields", 503: "no model serves"]),
        .init(method: "POST", path: "/invocations", summary: "MLflow scoring: dataframe_split, dataframe_records, instances or inputs",
              body: .invocations, responses: [200: "{predictions}", 400: "empty or malformed body", 413: "body or batch too large",
                                              415: "not application/json", 422: "invalid features", 503: "no model serves"]),
        .init(method: "GET", path: "/ping", summary: "MLflow liveness", responses: [200: "ready", 503: "no model serves"]),
        .init(method: "GET", path: "/metrics", summary: "Prometheus metrics", responses: [200: "text exposition"]),
        .init(method: "GET", path: "/openapi.json", summary: "This document", responses: [200: "OpenAPI 3.1"]),
    ]

    /// The document for the model that serves now (`nil`: none does, and bodies are described loosely).
    /// `needsToken` says which operations need `Authorization: Bearer` (`BearerTokenMiddleware`): they
    /// carry a `security` requirement and document 401.
    static func json(model: ModelSignature?, maxBatchRows: Int,
                     needsToken: (HTTPRequest.Method, String) -> Bool = { _, _ in false }) -> JSONValue {
        let schemas = RequestSchemas(features: model?.featureNames, maxRows: maxBatchRows)
        var paths: [String: [String: JSONValue]] = [:]
        var anySecured = false
        for op in operations {
            var responses = op.responses
            let secured = HTTPRequest.Method(op.method).map { needsToken($0, op.path) } ?? false
            if secured { responses[401] = "no bearer token, or not MAGE_API_TOKEN" }
            anySecured = anySecured || secured
            var operation: [String: JSONValue] = [
                "summary": .string(op.summary),
                "responses": .object(Dictionary(uniqueKeysWithValues: responses.map { status, description in
                    (String(status), response(op, status: status, description: description))
                })),
            ]
            if secured { operation["security"] = [["bearer": []]] }
            if let body = op.body {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": schemas.schema(of: body)]]]
            }
            if !op.query.isEmpty {
                operation["parameters"] = .array(op.query.map { parameter in
                    ["name": .string(parameter.name), "in": "query", "required": false, "description": .string(parameter.description),
                     "schema": ["type": "integer", "minimum": .number(Double(parameter.range.lowerBound)),
                                "maximum": .number(Double(parameter.range.upperBound))]]
                })
            }
            paths[op.path, default: [:]][op.method.lowercased()] = .object(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "SwiftMage prediction service", "version": "1.0.0",
                     "description": .string(model.map { "Request schemas of the served model's \($0.features.count) features." }
                                            ?? "No model serves yet: request bodies are described loosely.")],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": .object(["schemas": ["Error": errorSchema]].merging(
                anySecured ? ["securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]] : [:]) { first, _ in first }),
        ]
    }

    static func response(_ op: Operation, status: Int, description: String) -> JSONValue {
        if op.path == "/metrics" && status < 400 {
            return ["description": .string(description), "content": ["text/plain": ["schema": ["type": "string"]]]]
        }
        // MLflow's /ping answers a bare newline.
        if op.path == "/ping" && status == 200 { return ["description": .string(description)] }
        let schema: JSONValue = status >= 400 ? ["$ref": "#/components/schemas/Error"]
            : op.path == "/predict" ? ["type": ["object", "array"]] : ["type": "object"]
        return ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    /// Every error of the service: `{"status_code", "error", "errors"}` (`APIError`).
    static let errorSchema: JSONValue = [
        "type": "object", "required": ["status_code", "error"],
        "properties": ["status_code": ["type": "integer"], "error": ["type": "string"],
                       "errors": ["type": "array", "items": ["type": "object"]]],
    ]
}
