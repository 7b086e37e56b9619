/// A binary classification tree stored as flat arrays (struct-of-arrays), as in the artifact.
///
/// Node 0 is the root. An internal node sends a row left when `row[feature] <= threshold`
/// (NaN goes right, as the comparison is false) and right otherwise. Children always have larger
/// indices than their parent, which makes every walk terminate — validation enforces it.
public struct DecisionTree: Sendable, Equatable {
    /// Split feature per node; `-1` marks a leaf.
    public let feature: [Int32]
    /// Split threshold per node (0 for leaves).
    public let threshold: [Double]
    /// Left / right child per node (`-1` for leaves).
    public let left: [Int32]
    public let right: [Int32]
    /// Probability of class 1 among the node's (bootstrap-weighted) training samples; a leaf's value
    /// is the tree's prediction.
    public let value: [Double]

    public var nodeCount: Int { feature.count }
    public var leafCount: Int { feature.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }

    /// Builds a tree from arrays, refusing anything a walk could trip over.
    public init(feature: [Int32], threshold: [Double], left: [Int32], right: [Int32], value: [Double],
                nFeatures: Int) throws {
        self.init(unchecked: feature, threshold: threshold, left: left, right: right, value: value)
        if let defect = defect(nFeatures: nFeatures) { throw ModelError.invalidInput(defect.description) }
    }

    init(unchecked feature: [Int32], threshold: [Double], left: [Int32], right: [Int32], value: [Double]) {
        self.feature = feature
        self.threshold = threshold
        self.left = left
        self.right = right
        self.value = value
    }

    /// Longest root-to-leaf path, in edges.
    public var depth: Int {
        var depths = [Int](repeating: 0, count: nodeCount), deepest = 0
        for i in 0..<nodeCount where feature[i] >= 0 {
            depths[Int(left[i])] = depths[i] + 1
            depths[Int(right[i])] = depths[i] + 1
            deepest = max(deepest, depths[i] + 1)
        }
        return deepest
    }

    /// Probability of class 1 for one row of at least `nFeatures` values.
    public func probability(row: UnsafePointer<Double>) -> Double {
        var node = 0
        while feature[node] >= 0 {
            node = Int(row[Int(feature[node])] <= threshold[node] ? left[node] : right[node])
        }
        return value[node]
    }

    /// The first structural problem, if any.
    func defect(nFeatures: Int) -> TreeDefect? {
        let count = feature.count
        guard count > 0 else { return .empty }
        for (field, length) in [("threshold", threshold.count), ("left", left.count), ("right", right.count),
                                ("value", value.count)] where length != count {
            return .lengthMismatch(field: field, expected: count, found: length)
        }
        var hasParent = [Bool](repeating: false, count: count)
        for i in 0..<count {
            guard value[i].isFinite, value[i] >= 0, value[i] <= 1 else { return .badValue(node: i, value: value[i]) }
            let f = Int(feature[i])
            if f == -1 {
                guard left[i] == -1, right[i] == -1 else { return .leafWithChildren(node: i) }
                continue
            }
            guard f >= 0, f < nFeatures else { return .featureOutOfRange(node: i, feature: f, nFeatures: nFeatures) }
            guard !threshold[i].isNaN else { return .badThreshold(node: i) }
            for child in [Int(left[i]), Int(right[i])] {
                guard child > i, child < count else { return .childOutOfRange(node: i, child: child, nodeCount: count) }
                // One parent per node: a shared child would make the structure a graph, not a tree.
                guard !hasParent[child] else { return .sharedChild(node: i, child: child) }
                hasParent[child] = true
            }
        }
        return nil
    }
}

/// What can be wrong with a tree's arrays; the artifact reader adds the tree index.
enum TreeDefect: Equatable, CustomStringConvertible {
    case empty
    case lengthMismatch(field: String, expected: Int, found: Int)
    case badValue(node: Int, value: Double)
    case leafWithChildren(node: Int)
    case featureOutOfRange(node: Int, feature: Int, nFeatures: Int)
    case badThreshold(node: Int)
    case childOutOfRange(node: Int, child: Int, nodeCount: Int)
    case sharedChild(node: Int, child: Int)

    var description: String {
        switch self {
        case .empty: return "tree has no nodes"
        case .lengthMismatch(let field, let expected, let found):
            return "'\(field)' has \(found) entries but 'feature' has \(expected)"
        case .badValue(let node, let value): return "node \(node): value \(value) is not a probability in [0, 1]"
        case .leafWithChildren(let node): return "node \(node): a leaf (feature -1) must have left = right = -1"
        case .featureOutOfRange(let node, let feature, let nFeatures):
            return "node \(node): feature index \(feature) out of range (model has \(nFeatures) features)"
        case .badThreshold(let node): return "node \(node): threshold is NaN"
        case .childOutOfRange(let node, let child, let nodeCount):
            return "node \(node): child index \(child) out of range (must be in \(node + 1)..<\(nodeCount))"
        case .sharedChild(let node, let child):
            return "node \(node): child \(child) already has another parent (nodes must form a tree)"
        }
    }
}
