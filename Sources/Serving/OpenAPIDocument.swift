import Foundation

/// The OpenAPI 3.0 document of the prediction service, served at `GET /openapi.json`. A test checks that
/// its operations are exactly the router's routes.
enum OpenAPIDocument {
    struct Operation {
        var method: String, path: String, summary: String, requestBody: Bool
        var responses: [Int: String]
    }

    static let operations: [Operation] = [
        .init(method: "POST", path: "/predict", summary: "Predict one customer (object) or a batch (array); features from the model's signature.json",
              requestBody: true, responses: [200: "prediction(s)", 400: "empty or malformed body", 413: "body or batch too large",
                                             415: "not application/json", 422: "invalid features", 503: "no model deployed"]),
        .init(method: "GET", path: "/health", summary: "Status, serving version, last reload and how moves of latest.json are followed", requestBody: false,
              responses: [200: "serving (healthy, or degraded when a reload failed or Redis announcements are not heard)", 503: "no model deployed yet: run the pipeline"]),
        .init(method: "POST", path: "/reload", summary: "Re-read latest.json and load the version it names", requestBody: false,
              responses: [200: "loaded", 500: "load failed; the old model keeps serving", 503: "no model deployed"]),
        .init(method: "GET", path: "/model-info", summary: "Version, path, signature and lineage of the serving model",
              requestBody: false, responses: [200: "model information", 503: "no model deployed"]),
        .init(method: "GET", path: "/lineage", summary: "lineage.json of the serving version with its prediction history from the store",
              requestBody: false, responses: [200: "lineage", 503: "no model deployed"]),
        .init(method: "POST", path: "/log-prediction", summary: "Record a prediction durably in the metadata store", requestBody: true,
              responses: [200: "recorded", 400: "malformed body", 415: "not application/json", 422: "invalid fields"]),
        .init(method: "POST", path: "/invocations", summary: "MLflow scoring: dataframe_split, dataframe_records, instances or inputs",
              requestBody: true, responses: [200: "{predictions}", 400: "malformed body", 422: "invalid features", 503: "no model deployed"]),
        .init(method: "GET", path: "/ping", summary: "MLflow liveness", requestBody: false, responses: [200: "ready", 503: "no model deployed"]),
        .init(method: "GET", path: "/metrics", summary: "Prometheus metrics", requestBody: false, responses: [200: "text exposition"]),
        .init(method: "GET", path: "/openapi.json", summary: "This document", requestBody: false, responses: [200: "OpenAPI 3.0"]),
    ]

    static var json: JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for op in operations {
            var operation: [String: JSONValue] = [
                "summary": .string(op.summary),
                "responses": .object(Dictionary(uniqueKeysWithValues: op.responses.map { (String($0.key), JSONValue.object(["description": JSONValue.string($0.value)])) })),
            ]
            if op.requestBody {
                operation["requestBody"] = .object(["required": .bool(true), "content": .object(["application/json": .object(["schema": .object(["type": JSONValue.string("object")])])])])
            }
            paths[op.path, default: [:]][op.method.lowercased()] = .object(operation)
        }
        return .object([
            "openapi": .string("3.0.3"),
            "info": .object(["title": .string("SwiftMage prediction service"), "version": .string("1.0.0")]),
            "paths": .object(paths.mapValues { .object($0) }),
        ])
    }
}

private extension JSONValue {
    /// OpenAPI has no "object or array" type: leave the schema open for /predict.
    func replacingType() -> JSONValue {
        if case .string("object or array") = self { return .string("object") }
        return self
    }
}
