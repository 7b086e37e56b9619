import Foundation
import MageHTTP

/// The answers to one request's rows: the class probabilities the model's plugin computed, read as the
/// seed service's shape (`prediction`, `model_version`, `probability`, `risk_level`, `prediction_time`)
/// and written as JSON bytes straight from the probabilities, with no object built per row.
public struct Predictions: Sendable {
    let model: ServedModel
    /// Row-major, rows × classes.
    let probabilities: [Double]
    let rowCount: Int
    let time: Date

    /// Runs the rows through the model's plugin.
    static func run(_ request: PredictionRequest, on model: ServedModel, at time: Date = Date()) throws -> Predictions {
        Predictions(model: model, probabilities: try model.model.predict(rows: request.values), rowCount: request.rowCount, time: time)
    }

    /// High above 0.7, Medium above 0.3, else Low: on the probability of the last class (churn).
    public static func riskLevel(_ positive: Double) -> String { riskLevelText(positive).description }

    private static func riskLevelText(_ positive: Double) -> StaticString {
        positive > 0.7 ? "High" : positive > 0.3 ? "Medium" : "Low"
    }

    private var classCount: Int { model.schema.classes.count }

    /// The most probable class of a row (the first on a tie).
    func classIndex(row: Int) -> Int {
        let base = row * classCount
        var best = 0
        for k in 1..<classCount where probabilities[base + k] > probabilities[base + best] { best = k }
        return best
    }

    func label(row: Int) -> JSONValue { model.schema.classes[classIndex(row: row)] }

    /// One object per row; an array of them for a batch.
    func writeJSON(to json: inout JSONWriter, batch: Bool) {
        if batch { json.raw(UInt8(ascii: "[")) }
        for row in 0..<rowCount {
            if row > 0 { json.raw(UInt8(ascii: ",")) }
            writeRow(row, to: &json)
        }
        if batch { json.raw(UInt8(ascii: "]")) }
    }

    private func writeRow(_ row: Int, to json: inout JSONWriter) {
        let schema = model.schema
        let base = row * classCount
        json.raw("{\"model_version\":")
        json.raw(model.versionJSON)
        json.raw(",\"prediction\":")
        json.raw(schema.classJSON[classIndex(row: row)])
        json.raw(",\"prediction_time\":")
        json.time(time)
        json.raw(",\"probability\":{")
        for (n, key) in schema.probabilityKeys.enumerated() {
            if n > 0 { json.raw(UInt8(ascii: ",")) }
            json.raw(key.json)
            json.number(probabilities[base + key.index])
        }
        json.raw("},\"risk_level\":\"")
        json.raw(Self.riskLevelText(probabilities[base + classCount - 1]))
        json.raw("\"}")
    }
}
