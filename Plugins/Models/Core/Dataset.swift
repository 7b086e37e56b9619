/// A dense, row-major Float64 feature matrix with binary labels.
///
/// Row-major because rows are what the pipeline produces and what prediction consumes; models that
/// need columns (the forest's binning) transpose once internally.
public struct Dataset: Sendable, Equatable {
    /// `nRows * nFeatures` values; row `i` is `features[i*nFeatures ..< (i+1)*nFeatures]`. NaN = missing.
    public private(set) var features: [Double]
    public let featureNames: [String]
    /// One label per row, 0 or 1.
    public private(set) var labels: [Int]

    public var nRows: Int { labels.count }
    public var nFeatures: Int { featureNames.count }

    /// Validates the shape and the labels so every model can rely on them.
    public init(features: [Double], featureNames: [String], labels: [Int]) throws {
        guard !featureNames.isEmpty else { throw ModelError.invalidInput("a dataset needs at least one feature") }
        guard features.count == labels.count * featureNames.count else {
            throw ModelError.invalidInput(
                "feature matrix has \(features.count) values, expected \(labels.count) rows × \(featureNames.count) features")
        }
        if let bad = labels.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw ModelError.invalidInput("label of row \(bad) is \(labels[bad]); labels must be 0 or 1")
        }
        self.features = features
        self.featureNames = featureNames
        self.labels = labels
    }

    /// Builds a dataset from columns (the layout data loaders produce).
    public init(columns: [[Double]], featureNames: [String], labels: [Int]) throws {
        guard columns.count == featureNames.count else {
            throw ModelError.invalidInput("\(columns.count) columns but \(featureNames.count) feature names")
        }
        let n = labels.count
        if let bad = columns.firstIndex(where: { $0.count != n }) {
            throw ModelError.invalidInput("column \(featureNames[bad]) has \(columns[bad].count) values, expected \(n)")
        }
        let d = columns.count
        var flat = [Double](repeating: 0, count: n * d)
        for (f, column) in columns.enumerated() {
            for i in 0..<n { flat[i * d + f] = column[i] }
        }
        try self.init(features: flat, featureNames: featureNames, labels: labels)
    }

    public subscript(row: Int, feature: Int) -> Double { features[row * nFeatures + feature] }

    public func row(_ i: Int) -> ArraySlice<Double> { features[i * nFeatures ..< (i + 1) * nFeatures] }

    public func column(_ f: Int) -> [Double] {
        let d = nFeatures
        return (0..<nRows).map { features[$0 * d + f] }
    }

    /// The rows at `indices`, in that order.
    public func subset(rows indices: [Int]) -> Dataset {
        let d = nFeatures
        var flat = [Double]()
        flat.reserveCapacity(indices.count * d)
        for i in indices { flat.append(contentsOf: features[i * d ..< (i + 1) * d]) }
        // Shape and labels are valid by construction, so skip revalidation.
        return Dataset(unchecked: flat, featureNames: featureNames, labels: indices.map { labels[$0] })
    }

    /// Same labels and names, new (already validated-shape) feature values.
    func replacingFeatures(_ newFeatures: [Double]) -> Dataset {
        Dataset(unchecked: newFeatures, featureNames: featureNames, labels: labels)
    }

    private init(unchecked features: [Double], featureNames: [String], labels: [Int]) {
        self.features = features
        self.featureNames = featureNames
        self.labels = labels
    }
}

/// Errors from fitting and predicting; the message names the problem for the pipeline log.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case invalidInput(String)
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .invalidInput(let message): return "invalid input: \(message)"
        case .invalidParameter(let message): return "invalid parameter: \(message)"
        }
    }
}
