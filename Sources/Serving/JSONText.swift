/// Writes JSON text by hand for the hot path (every /predict answer and audit entry), where Foundation's
/// Codable encoder costs more than the model. Keys are written sorted, as `JSONResponse` sorts them.
enum JSONText {
    static func append(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): append(d, to: &out)
        case .string(let s): append(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                append(item, to: &out)
            }
            out += "]"
        case .object(let entries):
            out += "{"
            for (i, key) in entries.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                append(key, to: &out)
                out += ":"
                append(entries[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// Integral values as integers (as JSONEncoder writes them), others in Swift's shortest round-trip form.
    static func append(_ d: Double, to out: inout String) {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { out += String(Int64(d)) } else if d.isFinite { out += d.description } else { out += "null" }
    }

    static func append(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension PredictionResult {
    /// The same object JSONResponse would encode, written directly.
    func appendJSON(to out: inout String) {
        out += "{\"model_version\":"
        JSONText.append(modelVersion, to: &out)
        out += ",\"prediction\":"
        JSONText.append(prediction, to: &out)
        out += ",\"prediction_time\":"
        JSONText.append(ISOTime.format(predictionTime), to: &out)
        out += ",\"probability\":{"
        for (i, name) in probability.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            JSONText.append(name, to: &out)
            out += ":"
            JSONText.append(probability[name]!, to: &out)
        }
        out += "},\"risk_level\":"
        JSONText.append(riskLevel, to: &out)
        out += "}"
    }

    static func json(_ results: [PredictionResult], batch: Bool) -> String {
        var out = ""
        out.reserveCapacity(160 * results.count)
        if batch { out += "[" }
        for (i, result) in results.enumerated() {
            if i > 0 { out += "," }
            result.appendJSON(to: &out)
        }
        if batch { out += "]" }
        return out
    }
}
