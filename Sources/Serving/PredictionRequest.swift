import Foundation

/// The rows of a prediction request, validated against the model's signature: every feature present, a
/// finite number, and nothing else.
public struct PredictionRequest: Sendable {
    /// Row-major, in the signature's feature order.
    public var values: [Double]
    public var rowCount: Int
    /// Whether the body was a JSON array (the response is then an array).
    public var isBatch: Bool

    /// `POST /predict`: one object, or an array of objects.
    public static func decode(_ body: JSONValue, signature: ModelSignature, maxRows: Int) throws(APIError) -> PredictionRequest {
        switch body {
        case .object(let object):
            return PredictionRequest(values: try row(object, index: nil, signature: signature), rowCount: 1, isBatch: false)
        case .array(let items):
            let objects = try records(items, maxRows: maxRows)
            return try rows(objects, signature: signature, isBatch: true)
        default:
            throw .invalid([.init(field: "(body)", row: nil, error: "expected an object of features or an array of them, got \(body.typeName)")])
        }
    }

    static func records(_ items: [JSONValue], maxRows: Int) throws(APIError) -> [JSONValue] {
        guard !items.isEmpty else { throw .invalid([.init(field: "(body)", row: nil, error: "the batch is empty")]) }
        guard items.count <= maxRows else { throw .tooLarge("the batch has \(items.count) rows; the limit is \(maxRows)") }
        return items
    }

    static func rows(_ items: [JSONValue], signature: ModelSignature, isBatch: Bool) throws(APIError) -> PredictionRequest {
        var values: [Double] = []
        values.reserveCapacity(items.count * signature.features.count)
        var errors: [APIError.FieldError] = []
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                errors.append(.init(field: "(row)", row: index, error: "expected an object of features, got \(item.typeName)"))
                continue
            }
            do throws(APIError) {
                values += try row(object, index: index, signature: signature)
            } catch {
                errors += error.fields
            }
            if errors.count > 100 { break }
        }
        guard errors.isEmpty else { throw .invalid(errors) }
        return PredictionRequest(values: values, rowCount: items.count, isBatch: isBatch)
    }

    /// One row in feature order; every problem of the row at once.
    static func row(_ object: [String: JSONValue], index: Int?, signature: ModelSignature) throws(APIError) -> [Double] {
        var errors: [APIError.FieldError] = []
        var row: [Double] = []
        row.reserveCapacity(signature.features.count)
        for name in signature.featureNames {
            switch object[name] {
            case nil: errors.append(.init(field: name, row: index, error: "missing"))
            case .number(let d)? where d.isFinite: row.append(d)
            case .number?: errors.append(.init(field: name, row: index, error: "not a finite number"))
            case .null?: errors.append(.init(field: name, row: index, error: "null: expected a number"))
            case let value?: errors.append(.init(field: name, row: index, error: "expected a number, got \(value.typeName)"))
            }
        }
        let known = Set(signature.featureNames)
        for key in object.keys.sorted() where !known.contains(key) {
            errors.append(.init(field: key, row: index, error: "unknown field (the model takes \(signature.featureNames.joined(separator: ", ")))"))
        }
        guard errors.isEmpty else { throw .invalid(errors) }
        return row
    }
}
