/// The JSON schemas of request bodies for one model: exactly what the routes accept, so a body the
/// schema allows is answered 200 and one it refuses gets a 4xx (schemathesis checks both ways).
struct RequestSchemas {
    /// The served model's features, in signature order; nil when no model serves.
    let features: [String]?
    let maxRows: Int

    func schema(of body: OpenAPIDocument.RequestBody) -> JSONValue {
        switch body {
        case .predict: predict
        case .invocations: invocations
        case .logPrediction: logPrediction
        }
    }

    /// One object of every feature, each a number, nothing else.
    var row: JSONValue {
        guard let features else { return ["type": "object"] }
        return ["type": "object", "additionalProperties": false,
                "required": .array(features.map { .string($0) }),
                "properties": .object(Dictionary(uniqueKeysWithValues: features.map { ($0, ["type": "number"]) }))]
    }

    /// The values of one row in signature order.
    var positionalRow: JSONValue {
        guard let count = features?.count else { return ["type": "array", "items": ["type": "number"]] }
        return ["type": "array", "items": ["type": "number"], "minItems": .number(Double(count)), "maxItems": .number(Double(count))]
    }

    func batch(of item: JSONValue) -> JSONValue {
        ["type": "array", "minItems": 1, "maxItems": .number(Double(maxRows)), "items": item]
    }

    var predict: JSONValue { ["oneOf": [row, batch(of: row)]] }

    /// MLflow's four input shapes, one key each.
    var invocations: JSONValue {
        var columns: JSONValue = ["type": "array", "items": ["type": "string"], "uniqueItems": true]
        if let features {
            columns = ["type": "array", "uniqueItems": true, "items": ["enum": .array(features.map { .string($0) })],
                       "minItems": .number(Double(features.count)), "maxItems": .number(Double(features.count))]
        }
        let split: JSONValue = ["type": "object", "additionalProperties": false, "required": ["data"],
                                "properties": ["columns": columns, "index": ["type": "array"], "data": batch(of: positionalRow)]]
        let records = batch(of: ["oneOf": [row, positionalRow]])
        func only(_ key: String, _ schema: JSONValue) -> JSONValue {
            ["type": "object", "additionalProperties": false, "required": [.string(key)], "properties": [key: schema]]
        }
        return ["oneOf": [only("dataframe_split", split), only("dataframe_records", records), only("instances", records),
                          only("inputs", records)]]
    }

    /// `POST /log-prediction`: the seed's record of a prediction made elsewhere.
    var logPrediction: JSONValue {
        ["type": "object", "additionalProperties": false, "required": ["input_features", "prediction"],
         "properties": ["input_features": ["type": "object"], "prediction": [:], "probability": [:], "risk_level": [:],
                        "user_id": ["type": ["string", "number", "null"]], "timestamp": [:]]]
    }
}
