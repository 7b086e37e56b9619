/// The shape nearly every `/predict` body has, read straight into feature-ordered rows: one flat object,
/// or an array of them, whose keys are exactly the model's features (once each, without escapes) and
/// whose values are numbers. No dictionary and no String per key are built. Anything else (a missing,
/// unknown or repeated key, another type, a malformed body, a batch over the limit) gives nil, and the
/// body goes the general way (`JSONValue`, then `PredictionRequest.decode`), which names every problem.
/// Accepted bodies give exactly what the general way would.
enum FeatureRows {
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, schema: ModelSchema, maxRows: Int) -> PredictionRequest? {
        var parser = JSONParser(bytes: bytes)
        let width = schema.featureNames.count
        var values: [Double] = []
        parser.skipWhitespace()
        guard parser.i < bytes.count else { return nil }
        let isBatch = bytes[parser.i] == UInt8(ascii: "[")
        var rowCount = 0
        if isBatch {
            parser.i += 1
            while true {
                parser.skipWhitespace()
                guard rowCount < maxRows, row(&parser, schema: schema, into: &values) else { return nil }
                rowCount += 1
                parser.skipWhitespace()
                guard parser.i < bytes.count else { return nil }
                if bytes[parser.i] == UInt8(ascii: ",") { parser.i += 1; continue }
                guard bytes[parser.i] == UInt8(ascii: "]") else { return nil }
                parser.i += 1
                break
            }
        } else {
            values.reserveCapacity(width)
            guard row(&parser, schema: schema, into: &values) else { return nil }
            rowCount = 1
        }
        parser.skipWhitespace()
        guard parser.i == bytes.count else { return nil }
        return PredictionRequest(values: values, rowCount: rowCount, isBatch: isBatch)
    }

    /// One object of exactly the features, appended in the schema's order.
    private static func row(_ parser: inout JSONParser, schema: ModelSchema, into values: inout [Double]) -> Bool {
        let bytes = parser.bytes
        let width = schema.featureNames.count
        let base = values.count
        values.append(contentsOf: repeatElement(.nan, count: width))
        var seen = 0
        guard parser.i < bytes.count, bytes[parser.i] == UInt8(ascii: "{") else { return false }
        parser.i += 1
        while true {
            parser.skipWhitespace()
            guard parser.i < bytes.count, bytes[parser.i] == UInt8(ascii: "\"") else { return false }
            let keyStart = parser.i + 1
            var keyEnd = keyStart
            while keyEnd < bytes.count, bytes[keyEnd] != UInt8(ascii: "\"") {
                guard bytes[keyEnd] != UInt8(ascii: "\\"), bytes[keyEnd] >= 0x20 else { return false }
                keyEnd += 1
            }
            guard keyEnd < bytes.count,
                  let feature = schema.featurePosition(of: UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd])),
                  values[base + feature].isNaN else { return false }
            parser.i = keyEnd + 1
            parser.skipWhitespace()
            guard parser.i < bytes.count, bytes[parser.i] == UInt8(ascii: ":") else { return false }
            parser.i += 1
            parser.skipWhitespace()
            guard parser.i < bytes.count, bytes[parser.i] == UInt8(ascii: "-") || (0x30...0x39).contains(bytes[parser.i]),
                  let value = try? parser.number() else { return false }
            values[base + feature] = value
            seen += 1
            parser.skipWhitespace()
            guard parser.i < bytes.count else { return false }
            if bytes[parser.i] == UInt8(ascii: ",") { parser.i += 1; continue }
            guard bytes[parser.i] == UInt8(ascii: "}") else { return false }
            parser.i += 1
            return seen == width
        }
    }
}
