import Foundation

/// One answer of `POST /predict`, in the seed service's shape.
public struct PredictionResult: Sendable, Encodable {
    public var prediction: JSONValue
    public var modelVersion: String
    public var probability: [String: Double]
    public var riskLevel: String
    public var predictionTime: Date

    enum CodingKeys: String, CodingKey {
        case prediction, probability
        case modelVersion = "model_version"
        case riskLevel = "risk_level"
        case predictionTime = "prediction_time"
    }

    /// High above 0.7, Medium above 0.3, else Low: on the probability of the last class (churn).
    public static func riskLevel(_ positive: Double) -> String {
        positive > 0.7 ? "High" : positive > 0.3 ? "Medium" : "Low"
    }

    /// Runs the rows through the model's plugin and shapes the answers.
    static func predict(_ request: PredictionRequest, on served: ServedModel, at date: Date = Date()) throws -> [PredictionResult] {
        let classes = served.signature.classes
        let names = served.signature.probabilityNames
        let probabilities = try served.model.predict(rows: request.values)
        let k = classes.count
        return (0..<request.rowCount).map { row in
            let p = Array(probabilities[(row * k)..<((row + 1) * k)])
            let best = p.indices.max { p[$0] < p[$1] } ?? 0
            var named: [String: Double] = [:]
            for (i, name) in names.enumerated() { named[name] = p[i] }
            return PredictionResult(prediction: classes[best], modelVersion: served.version, probability: named,
                                    riskLevel: riskLevel(p[k - 1]), predictionTime: date)
        }
    }
}
