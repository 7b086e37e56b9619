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

/// A random forest of Gini trees for binary classification. Immutable, so prediction is thread-safe.
public struct RandomForestClassifier: Sendable {
    public let parameters: RandomForestParameters
    public let featureNames: [String]
    public let trees: [DecisionTree]
    /// Mean decrease in Gini impurity per feature, normalized to sum 1 (sklearn's
    /// `feature_importances_`).
    public let featureImportances: [Double]

    /// Every tree's nodes in one array (absolute child indices) so prediction walks contiguous
    /// 24-byte nodes. A leaf points to itself on both sides and holds its probability in `value`,
    /// so every walk takes exactly the tree's depth in steps: no leaf test, no mispredicted exit.
    private let nodes: [PackedNode]
    private let roots: [Int]
    private let depths: [Int]

    struct PackedNode {
        var value: Double  // threshold of an internal node, class-1 probability of a leaf
        var feature: Int32
        var left: Int32
        var right: Int32
    }

    public var nFeatures: Int { featureNames.count }

    /// Assembles a forest from validated parts (used by the artifact reader).
    public init(parameters: RandomForestParameters, featureNames: [String], trees: [DecisionTree],
                featureImportances: [Double]) throws {
        guard !trees.isEmpty else { throw ModelError.invalidInput("a forest needs at least one tree") }
        guard featureImportances.count == featureNames.count else {
            throw ModelError.invalidInput(
                "\(featureImportances.count) feature importances for \(featureNames.count) features")
        }
        for (t, tree) in trees.enumerated() {
            if let defect = tree.defect(nFeatures: featureNames.count) {
                throw ModelError.invalidInput("tree \(t): \(defect)")
            }
        }
        self.init(unchecked: parameters, featureNames: featureNames, trees: trees, featureImportances: featureImportances)
    }

    private init(unchecked parameters: RandomForestParameters, featureNames: [String], trees: [DecisionTree],
                 featureImportances: [Double]) {
        self.parameters = parameters
        self.featureNames = featureNames
        self.trees = trees
        self.featureImportances = featureImportances
        var nodes = [PackedNode](), roots = [Int](), depths = [Int]()
        nodes.reserveCapacity(trees.reduce(0) { $0 + $1.nodeCount })
        for tree in trees {
            let base = Int32(nodes.count)
            roots.append(nodes.count)
            depths.append(tree.depth)
            for i in 0..<tree.nodeCount {
                let me = base + Int32(i)
                nodes.append(tree.feature[i] < 0
                    ? PackedNode(value: tree.value[i], feature: 0, left: me, right: me)
                    : PackedNode(value: tree.threshold[i], feature: tree.feature[i], left: base + tree.left[i],
                                 right: base + tree.right[i]))
            }
        }
        self.nodes = nodes
        self.roots = roots
        self.depths = depths
    }

    /// Fits the forest. `data` must have no missing values (impute with `Preprocessor` first).
    /// `threads`: nil = all cores, 1 = serial; the result is byte-identical either way because each
    /// tree's randomness derives only from `randomState` and the tree's index.
    public static func fit(_ data: Dataset, parameters: RandomForestParameters = .init(),
                           threads: Int? = nil) throws -> RandomForestClassifier {
        try parameters.validate()
        let mtry = try parameters.maxFeatures.resolve(nFeatures: data.nFeatures)
        guard data.nRows >= 1 else { throw ModelError.invalidInput("cannot fit a forest on zero rows") }
        guard data.nRows < Int(Int32.max) else { throw ModelError.invalidInput("at most \(Int32.max - 1) rows") }
        if let bad = data.features.firstIndex(where: { $0.isNaN }) {
            throw ModelError.invalidInput(
                "feature '\(data.featureNames[bad % data.nFeatures])' has missing values (row \(bad / data.nFeatures)); impute them first")
        }
        let grower = TreeGrower(
            bins: FeatureBins(data, maxBins: parameters.maxBins, threads: threads),
            labels: data.labels.map { UInt8($0) }, nFeatures: data.nFeatures,
            maxDepth: parameters.maxDepth ?? Int.max, minSamplesSplit: parameters.minSamplesSplit,
            minSamplesLeaf: parameters.minSamplesLeaf, mtry: mtry, bootstrap: parameters.bootstrap,
            seed: parameters.randomState)
        let results = Slots<(tree: DecisionTree, importances: [Double])>(parameters.nEstimators)
        parallelFor(parameters.nEstimators, threads: threads) { t in results[t] = grower.grow(index: t) }
        let grown = results.values()

        // As sklearn: normalize each tree's importances, average over trees that split, renormalize.
        var importances = [Double](repeating: 0, count: data.nFeatures)
        for (_, treeImportances) in grown {
            let total = treeImportances.reduce(0, +)
            guard total > 0 else { continue }
            for f in importances.indices { importances[f] += treeImportances[f] / total }
        }
        let total = importances.reduce(0, +)
        if total > 0 { importances = importances.map { $0 / total } }
        return RandomForestClassifier(unchecked: parameters, featureNames: data.featureNames,
                                      trees: grown.map(\.tree), featureImportances: importances)
    }

    /// Class probabilities `[p0, p1]` per row (row-major `nRows × 2`) for `nRows` rows of
    /// `nFeatures` already-preprocessed values: the mean over trees of the leaf's class-1 frequency.
    public func predictProbabilities(rows: UnsafeBufferPointer<Double>, nRows: Int) throws -> [Double] {
        let d = nFeatures
        guard rows.count == nRows * d else {
            throw ModelError.invalidInput("\(rows.count) values for \(nRows) rows × \(d) features")
        }
        guard nRows > 0 else { return [] }
        var out = [Double](repeating: 0, count: nRows * 2)
        let block = 64
        let blocks = (nRows + block - 1) / block
        out.withUnsafeMutableBufferPointer { outBuffer in
            let output = SendablePointer(outBuffer.baseAddress!)
            let input = SendablePointer(UnsafeMutablePointer(mutating: rows.baseAddress!))
            nodes.withUnsafeBufferPointer { nodeBuffer in
                let nodes = SendablePointer(UnsafeMutablePointer(mutating: nodeBuffer.baseAddress!))
                let work: @Sendable (Int) -> Void = { b in
                    let start = b * block, end = min(nRows, start + block)
                    self.predictBlock(nodes.pointer, input.pointer, start, end, output.pointer)
                }
                // Threads only pay off when there is enough work to split.
                if nRows * trees.count >= 200_000 {
                    parallelFor(blocks, work)
                } else {
                    for b in 0..<blocks { work(b) }
                }
            }
        }
        return out
    }

    public func predictProbabilities(rows: [Double], nRows: Int) throws -> [Double] {
        try rows.withUnsafeBufferPointer { try predictProbabilities(rows: $0, nRows: nRows) }
    }

    /// Rows `start..<end`, tree by tree, so a tree's nodes stay in cache across the block.
    private func predictBlock(_ nodes: UnsafeMutablePointer<PackedNode>, _ rows: UnsafeMutablePointer<Double>,
                              _ start: Int, _ end: Int, _ out: UnsafeMutablePointer<Double>) {
        let d = nFeatures
        withUnsafeTemporaryAllocation(of: Double.self, capacity: end - start) { sums in
            sums.initialize(repeating: 0)
            @inline(__always) func step(_ k: inout Int, _ row: UnsafeMutablePointer<Double>) {
                let node = nodes[k]
                k = Int(row[Int(node.feature)] <= node.value ? node.left : node.right)  // NaN goes right
            }
            for (root, depth) in zip(roots, depths) {
                // Four independent walks at a time give the CPU parallel load chains to overlap.
                var r = start
                while r + 4 <= end {
                    let x0 = rows + r * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
                    var k0 = root, k1 = root, k2 = root, k3 = root
                    for _ in 0..<depth {
                        step(&k0, x0); step(&k1, x1); step(&k2, x2); step(&k3, x3)
                    }
                    sums[r - start] += nodes[k0].value
                    sums[r - start + 1] += nodes[k1].value
                    sums[r - start + 2] += nodes[k2].value
                    sums[r - start + 3] += nodes[k3].value
                    r += 4
                }
                while r < end {
                    var k = root
                    for _ in 0..<depth { step(&k, rows + r * d) }
                    sums[r - start] += nodes[k].value
                    r += 1
                }
            }
            let scale = 1 / Double(roots.count)
            for r in start..<end {
                let p1 = sums[r - start] * scale
                out[2 * r] = 1 - p1
                out[2 * r + 1] = p1
            }
        }
    }
}
