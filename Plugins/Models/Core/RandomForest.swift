import Foundation

/// A random forest of Gini trees for binary classification. Immutable, so prediction is thread-safe.
public struct RandomForestClassifier: Sendable {
    public let parameters: RandomForestParameters
    public let featureNames: [String]
    public let trees: [DecisionTree]
    /// Mean decrease in Gini impurity per feature, normalized to sum 1 (sklearn's
    /// `feature_importances_`).
    public let featureImportances: [Double]

    /// Every tree's nodes in one array, laid out for prediction: 16-byte nodes, breadth-first,
    /// siblings adjacent (right = left + 1) so a step is `left + (x > threshold)` with no branch. A
    /// leaf loops to itself (threshold +∞), so every walk takes exactly the tree's depth in steps:
    /// no leaf test and no mispredicted loop exit. Leaf probabilities live in `leafValues`.
    private let nodes: [PackedNode]
    private let leafValues: [Double]
    private let roots: [Int]
    private let depths: [Int]

    struct PackedNode {
        var threshold: Double
        var feature: Int32
        var left: Int32
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
        var nodes = [PackedNode](), leafValues = [Double](), roots = [Int](), depths = [Int]()
        for tree in trees {
            let base = nodes.count
            roots.append(base)
            depths.append(tree.depth)
            // Breadth-first relabelling; valid trees give every node one parent, so each is placed once.
            var queue = [0], next = 0
            nodes.append(PackedNode(threshold: 0, feature: 0, left: 0))
            leafValues.append(0)
            while next < queue.count {
                let i = queue[next], me = base + next
                next += 1
                if tree.feature[i] < 0 {
                    nodes[me] = PackedNode(threshold: .infinity, feature: 0, left: Int32(me))
                    leafValues[me] = tree.value[i]
                } else {
                    nodes[me] = PackedNode(threshold: tree.threshold[i], feature: tree.feature[i],
                                           left: Int32(base + queue.count))
                    queue.append(Int(tree.left[i]))
                    queue.append(Int(tree.right[i]))
                    nodes.append(PackedNode(threshold: 0, feature: 0, left: 0))
                    nodes.append(PackedNode(threshold: 0, feature: 0, left: 0))
                    leafValues.append(0)
                    leafValues.append(0)
                }
            }
        }
        self.nodes = nodes
        self.leafValues = leafValues
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
                if nRows * trees.count >= 50_000 {
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
        // The branch-free walk needs NaN-free rows (NaN at a leaf would step off it); rows with a
        // NaN take the plain walk over the trees' own arrays, where NaN goes right.
        var hasNaN = false
        for i in start * d ..< end * d where rows[i].isNaN { hasNaN = true }
        if hasNaN {
            for r in start..<end {
                let p1 = trees.reduce(0) { $0 + $1.probability(row: rows + r * d) } / Double(trees.count)
                out[2 * r] = 1 - p1
                out[2 * r + 1] = p1
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: end - start) { sums in
            sums.initialize(repeating: 0)
            leafValues.withUnsafeBufferPointer { leafValues in
                @inline(__always) func step(_ k: inout Int, _ row: UnsafeMutablePointer<Double>) {
                    let node = nodes[k]
                    k = Int(node.left) &+ (row[Int(node.feature)] <= node.threshold ? 0 : 1)
                }
                // Four independent walks at a time give the CPU parallel load chains to overlap: four rows
                // through one tree, and for the rows left over (all of a one-row request), four trees
                // for one row. Leaves point to themselves, so a walk may run past its tree's depth.
                let grouped = start + (end - start) / 4 * 4
                for (root, depth) in zip(roots, depths) {
                    var r = start
                    while r < grouped {
                        let x0 = rows + r * d, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d
                        var k0 = root, k1 = root, k2 = root, k3 = root
                        for _ in 0..<depth {
                            step(&k0, x0); step(&k1, x1); step(&k2, x2); step(&k3, x3)
                        }
                        sums[r - start] += leafValues[k0]
                        sums[r - start + 1] += leafValues[k1]
                        sums[r - start + 2] += leafValues[k2]
                        sums[r - start + 3] += leafValues[k3]
                        r += 4
                    }
                }
                for r in grouped..<end {
                    let x = rows + r * d
                    var t = 0
                    // Summed tree by tree in order, as the rows above are: a row's probability does not
                    // depend on the batch it came in.
                    var sum = 0.0
                    while t + 4 <= roots.count {
                        var k0 = roots[t], k1 = roots[t + 1], k2 = roots[t + 2], k3 = roots[t + 3]
                        for _ in 0..<max(depths[t], depths[t + 1], depths[t + 2], depths[t + 3]) {
                            step(&k0, x); step(&k1, x); step(&k2, x); step(&k3, x)
                        }
                        sum += leafValues[k0]
                        sum += leafValues[k1]
                        sum += leafValues[k2]
                        sum += leafValues[k3]
                        t += 4
                    }
                    while t < roots.count {
                        var k = roots[t]
                        for _ in 0..<depths[t] { step(&k, x) }
                        sum += leafValues[k]
                        t += 1
                    }
                    sums[r - start] = sum
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
