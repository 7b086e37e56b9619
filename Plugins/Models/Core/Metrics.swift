/// Binary classification metrics, matching scikit-learn's definitions. The positive class is 1.
public enum Metrics {
    /// Class-1 probabilities from a row-major `n × 2` probability matrix.
    public static func positiveProbabilities(_ probabilities: [Double]) -> [Double] {
        stride(from: 1, to: probabilities.count, by: 2).map { probabilities[$0] }
    }

    /// Predicted labels: 1 when P(class 1) > threshold. At the default 0.5 this is sklearn's
    /// `predict` (argmax of the two probabilities, a tie going to class 0).
    public static func labels(fromPositiveProbabilities p: [Double], threshold: Double = 0.5) -> [Int] {
        p.map { $0 > threshold ? 1 : 0 }
    }

    /// `[[tn, fp], [fn, tp]]`, rows = true class, columns = predicted class.
    public static func confusionMatrix(labels: [Int], predicted: [Int]) -> [[Int]] {
        var m = [[0, 0], [0, 0]]
        for (y, p) in zip(labels, predicted) { m[y == 1 ? 1 : 0][p == 1 ? 1 : 0] += 1 }
        return m
    }

    public static func accuracy(labels: [Int], predicted: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        return Double(zip(labels, predicted).filter { $0 == $1 }.count) / Double(labels.count)
    }

    /// tp / (tp + fp); 0 when nothing is predicted positive (sklearn's `zero_division` default, minus the warning).
    public static func precision(labels: [Int], predicted: [Int]) -> Double {
        let m = confusionMatrix(labels: labels, predicted: predicted)
        let denominator = m[1][1] + m[0][1]
        return denominator == 0 ? 0 : Double(m[1][1]) / Double(denominator)
    }

    /// tp / (tp + fn); 0 when there are no positives.
    public static func recall(labels: [Int], predicted: [Int]) -> Double {
        let m = confusionMatrix(labels: labels, predicted: predicted)
        let denominator = m[1][1] + m[1][0]
        return denominator == 0 ? 0 : Double(m[1][1]) / Double(denominator)
    }

    /// Harmonic mean of precision and recall, 2tp / (2tp + fp + fn); 0 when undefined.
    public static func f1(labels: [Int], predicted: [Int]) -> Double {
        let m = confusionMatrix(labels: labels, predicted: predicted)
        let denominator = 2 * m[1][1] + m[0][1] + m[1][0]
        return denominator == 0 ? 0 : Double(2 * m[1][1]) / Double(denominator)
    }

    /// Exact area under the ROC curve. Rows with equal scores form one step of the curve (a
    /// diagonal segment), which is how `roc_auc_score` treats ties: each positive/negative tie pair
    /// counts ½. nil when only one class is present (sklearn raises there).
    public static func rocAUC(labels: [Int], scores: [Double]) -> Double? {
        precondition(labels.count == scores.count, "one score per label")
        let positives = labels.filter { $0 == 1 }.count, negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0.0, fp = 0.0, area = 0.0
        var i = 0
        while i < order.count {
            let score = scores[order[i]]
            var groupTP = 0.0, groupFP = 0.0
            while i < order.count && scores[order[i]] == score {
                if labels[order[i]] == 1 { groupTP += 1 } else { groupFP += 1 }
                i += 1
            }
            area += groupFP * (tp + groupTP / 2)  // trapezoid under the diagonal step
            tp += groupTP
            fp += groupFP
        }
        return area / (Double(positives) * Double(negatives))
    }
}

/// All metrics for one evaluation, ready to log or store next to the model.
public struct ClassificationReport: Sendable, Equatable, Codable {
    public let accuracy: Double
    /// nil when the evaluated rows hold a single class.
    public let rocAUC: Double?
    public let precision: Double
    public let recall: Double
    public let f1: Double
    /// `[[tn, fp], [fn, tp]]`.
    public let confusionMatrix: [[Int]]

    enum CodingKeys: String, CodingKey {
        case accuracy, rocAUC = "roc_auc", precision, recall, f1, confusionMatrix = "confusion_matrix"
    }

    /// Evaluates class-1 probabilities against true labels at threshold 0.5.
    public init(labels: [Int], positiveProbabilities p: [Double]) {
        let predicted = Metrics.labels(fromPositiveProbabilities: p)
        accuracy = Metrics.accuracy(labels: labels, predicted: predicted)
        rocAUC = Metrics.rocAUC(labels: labels, scores: p)
        precision = Metrics.precision(labels: labels, predicted: predicted)
        recall = Metrics.recall(labels: labels, predicted: predicted)
        f1 = Metrics.f1(labels: labels, predicted: predicted)
        confusionMatrix = Metrics.confusionMatrix(labels: labels, predicted: predicted)
    }
}
