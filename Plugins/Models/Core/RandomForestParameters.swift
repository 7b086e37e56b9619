import Foundation

/// How many features each split considers, as scikit-learn's `max_features`.
public enum MaxFeatures: Sendable, Equatable, Codable {
    /// `max(1, floor(sqrt(n_features)))` — the classifier default.
    case sqrt
    /// `max(1, floor(log2(n_features)))`.
    case log2
    /// Every feature (plain bagged trees).
    case all
    /// Exactly this many (1...n_features).
    case count(Int)
    /// `max(1, floor(fraction × n_features))`, fraction in (0, 1].
    case fraction(Double)

    /// The number of features for a dataset with `nFeatures` features.
    public func resolve(nFeatures: Int) throws -> Int {
        switch self {
        case .sqrt: return max(1, Int(Double(nFeatures).squareRoot()))
        case .log2: return max(1, Int(Foundation.log2(Double(nFeatures))))
        case .all: return nFeatures
        case .count(let k):
            guard k >= 1, k <= nFeatures else {
                throw ModelError.invalidParameter("max_features \(k) must be in 1...\(nFeatures)")
            }
            return k
        case .fraction(let f):
            guard f > 0, f <= 1 else { throw ModelError.invalidParameter("max_features fraction \(f) must be in (0, 1]") }
            return max(1, Int(f * Double(nFeatures)))
        }
    }

    // JSON: "sqrt" | "log2" | "all" | an integer | {"fraction": 0.5}. Fractions are wrapped because
    // JSON would print 1.0 as 1, which would read back as a count.
    private enum FractionKey: String, CodingKey { case fraction }

    public init(from decoder: Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: FractionKey.self) {
            self = .fraction(try keyed.decode(Double.self, forKey: .fraction))
            return
        }
        let single = try decoder.singleValueContainer()
        if let k = try? single.decode(Int.self) {
            self = .count(k)
            return
        }
        switch try single.decode(String.self) {
        case "sqrt": self = .sqrt
        case "log2": self = .log2
        case "all": self = .all
        case let other:
            throw DecodingError.dataCorruptedError(
                in: single, debugDescription: "max_features '\(other)' is not sqrt, log2, all, an integer or {\"fraction\": x}")
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .fraction(let f):
            var keyed = encoder.container(keyedBy: FractionKey.self)
            try keyed.encode(f, forKey: .fraction)
        case .count(let k):
            var single = encoder.singleValueContainer()
            try single.encode(k)
        case .sqrt, .log2, .all:
            var single = encoder.singleValueContainer()
            try single.encode(self == .sqrt ? "sqrt" : self == .log2 ? "log2" : "all")
        }
    }
}

/// Hyperparameters, defaulting to scikit-learn's RandomForestClassifier except `maxDepth` (10, the
/// project's default) and `maxBins`, which has no sklearn equivalent (sklearn sorts exact values).
public struct RandomForestParameters: Sendable, Equatable, Codable {
    public var nEstimators = 100
    /// nil = grow until leaves are pure or too small to split.
    public var maxDepth: Int? = 10
    public var minSamplesSplit = 2
    public var minSamplesLeaf = 1
    public var maxFeatures = MaxFeatures.sqrt
    public var bootstrap = true
    public var randomState: UInt64 = 42
    /// Histogram bins per feature (2...256).
    public var maxBins = 256

    public init(nEstimators: Int = 100, maxDepth: Int? = 10, minSamplesSplit: Int = 2, minSamplesLeaf: Int = 1,
                maxFeatures: MaxFeatures = .sqrt, bootstrap: Bool = true, randomState: UInt64 = 42,
                maxBins: Int = 256) {
        self.nEstimators = nEstimators
        self.maxDepth = maxDepth
        self.minSamplesSplit = minSamplesSplit
        self.minSamplesLeaf = minSamplesLeaf
        self.maxFeatures = maxFeatures
        self.bootstrap = bootstrap
        self.randomState = randomState
        self.maxBins = maxBins
    }

    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw ModelError.invalidParameter(message) }
        }
        try check(nEstimators >= 1, "n_estimators must be at least 1, got \(nEstimators)")
        try check(maxDepth.map { $0 >= 1 } ?? true, "max_depth must be at least 1 or null, got \(maxDepth ?? 0)")
        try check(minSamplesSplit >= 2, "min_samples_split must be at least 2, got \(minSamplesSplit)")
        try check(minSamplesLeaf >= 1, "min_samples_leaf must be at least 1, got \(minSamplesLeaf)")
        try check(maxBins >= 2 && maxBins <= 256, "max_bins must be in 2...256, got \(maxBins)")
    }

    enum CodingKeys: String, CodingKey {
        case nEstimators = "n_estimators", maxDepth = "max_depth", minSamplesSplit = "min_samples_split"
        case minSamplesLeaf = "min_samples_leaf", maxFeatures = "max_features", bootstrap
        case randomState = "random_state", maxBins = "max_bins", criterion
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nEstimators = try c.decode(Int.self, forKey: .nEstimators)
        maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth)
        minSamplesSplit = try c.decode(Int.self, forKey: .minSamplesSplit)
        minSamplesLeaf = try c.decode(Int.self, forKey: .minSamplesLeaf)
        maxFeatures = try c.decode(MaxFeatures.self, forKey: .maxFeatures)
        bootstrap = try c.decode(Bool.self, forKey: .bootstrap)
        randomState = try c.decode(UInt64.self, forKey: .randomState)
        maxBins = try c.decode(Int.self, forKey: .maxBins)
        let criterion = try c.decode(String.self, forKey: .criterion)
        guard criterion == "gini" else {
            throw DecodingError.dataCorruptedError(forKey: .criterion, in: c, debugDescription: "only 'gini' is supported, got '\(criterion)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nEstimators, forKey: .nEstimators)
        try c.encode(maxDepth, forKey: .maxDepth)  // explicit null when unlimited
        try c.encode(minSamplesSplit, forKey: .minSamplesSplit)
        try c.encode(minSamplesLeaf, forKey: .minSamplesLeaf)
        try c.encode(maxFeatures, forKey: .maxFeatures)
        try c.encode(bootstrap, forKey: .bootstrap)
        try c.encode(randomState, forKey: .randomState)
        try c.encode(maxBins, forKey: .maxBins)
        try c.encode("gini", forKey: .criterion)
    }
}
