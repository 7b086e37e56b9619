import Foundation
import Hummingbird
import MageHTTP

/// The rows of a prediction request, validated against the model's schema: every feature present, a
/// finite number, and nothing else.
public struct PredictionRequest: Sendable {
    /// Row-major, in the signature's feature order.
    public var values: [Double]
    public var rowCount: Int
    /// Whether the body was a JSON array (the response is then an array).
    public var isBatch: Bool

    /// `POST /predict`'s body: the common shape straight from the bytes (`FeatureRows`), anything else
    /// through `JSONValue` and `decode`, which name every problem.
    static func read(_ body: ByteBuffer, schema: ModelSchema, maxRows: Int) throws(APIError) -> PredictionRequest {
        let direct = body.withUnsafeReadableBytes { raw in
            FeatureRows.read(raw.bindMemory(to: UInt8.self), schema: schema, maxRows: maxRows)
        }
        if let direct { return direct }
        return try decode(try JSONRequestBody.parse(body), schema: schema, maxRows: maxRows)
    }

    /// `POST /predict`: one object, or an array of objects.
    static func decode(_ body: JSONValue, schema: ModelSchema, maxRows: Int) throws(APIError) -> PredictionRequest {
        switch body {
        case .object(let object):
            var values: [Double] = []
            values.reserveCapacity(schema.featureNames.count)
            try row(object, index: nil, schema: schema, into: &values)
            return PredictionRequest(values: values, rowCount: 1, isBatch: false)
        case .array(let items):
            let objects = try records(items, maxRows: maxRows)
            return try rows(objects, schema: schema, isBatch: true)
        default:
            throw .invalid([.init(field: "(body)", row: nil, error: "expected an object of features or an array of them, got \(body.typeName)")])
        }
    }

    static func records(_ items: [JSONValue], maxRows: Int) throws(APIError) -> [JSONValue] {
        guard !items.isEmpty else { throw .invalid([.init(field: "(body)", row: nil, error: "the batch is empty")]) }
        guard items.count <= maxRows else { throw .tooLarge("the batch has \(items.count) rows; the limit is \(maxRows)") }
        return items
    }

    static func rows(_ items: [JSONValue], schema: ModelSchema, isBatch: Bool) throws(APIError) -> PredictionRequest {
        var values: [Double] = []
        values.reserveCapacity(items.count * schema.featureNames.count)
        var errors: [APIError.FieldError] = []
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                errors.append(.init(field: "(row)", row: index, error: "expected an object of features, got \(item.typeName)"))
                continue
            }
            do throws(APIError) {
                try row(object, index: index, schema: schema, into: &values)
            } catch {
                errors += error.fields
            }
            if errors.count > 100 { break }
        }
        guard errors.isEmpty else { throw .invalid(errors) }
        return PredictionRequest(values: values, rowCount: items.count, isBatch: isBatch)
    }

    /// Appends one row in feature order; throws every problem of the row at once.
    static func row(_ object: [String: JSONValue], index: Int?, schema: ModelSchema, into values: inout [Double]) throws(APIError) {
        var errors: [APIError.FieldError] = []
        var present = 0
        for name in schema.featureNames {
            let value = object[name]
            if value != nil { present += 1 }
            switch value {
            case nil: errors.append(.init(field: name, row: index, error: "missing"))
            case .number(let d)? where d.isFinite: values.append(d)
            case .number?: errors.append(.init(field: name, row: index, error: "not a finite number"))
            case .null?: errors.append(.init(field: name, row: index, error: "null: expected a number"))
            case let value?: errors.append(.init(field: name, row: index, error: "expected a number, got \(value.typeName)"))
            }
        }
        if object.count > present {
            for key in object.keys.sorted() where schema.featurePositions[key] == nil {
                errors.append(.init(field: key, row: index, error: "unknown field (the model takes \(schema.featureNames.joined(separator: ", ")))"))
            }
        }
        guard errors.isEmpty else { throw .invalid(errors) }
    }
}
