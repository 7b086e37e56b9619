/// Train/test splitting and the fitted feature transformation (median imputation + standardization).

/// Row indices of a train/test split, each list ascending so subsets keep the original row order.
public struct TrainTestSplit: Sendable, Equatable, Codable {
    public let trainIndices: [Int]
    public let testIndices: [Int]
}

/// Seeded stratified split: each class is shuffled on its own and `round(testFraction × class size)`
/// of its rows go to the test part, so both parts keep the class ratio. Same labels + seed → same
/// split on every machine (the shuffle uses `SplitMix64`, not the stdlib's shuffle).
public func stratifiedSplit(labels: [Int], testFraction: Double = 0.2, seed: UInt64 = 42) throws -> TrainTestSplit {
    guard testFraction > 0, testFraction < 1 else {
        throw ModelError.invalidParameter("testFraction must be in (0, 1), got \(testFraction)")
    }
    var rng = SplitMix64(seed: seed)
    var train = [Int](), test = [Int]()
    // Classes in ascending order, so the random stream is consumed in a fixed order.
    for label in Set(labels).sorted() {
        var rows = labels.indices.filter { labels[$0] == label }
        rng.portableShuffle(&rows)
        let nTest = Int((testFraction * Double(rows.count)).rounded())
        test += rows[..<nTest]
        train += rows[nTest...]
    }
    guard !train.isEmpty, !test.isEmpty else {
        throw ModelError.invalidInput("\(labels.count) rows are too few to split with testFraction \(testFraction)")
    }
    return TrainTestSplit(trainIndices: train.sorted(), testIndices: test.sorted())
}

extension Dataset {
    /// Stratified split of this dataset (see `stratifiedSplit`).
    public func split(testFraction: Double = 0.2, seed: UInt64 = 42) throws
        -> (train: Dataset, test: Dataset, indices: TrainTestSplit)
    {
        let indices = try stratifiedSplit(labels: labels, testFraction: testFraction, seed: seed)
        return (subset(rows: indices.trainIndices), subset(rows: indices.testIndices), indices)
    }
}

/// The fitted feature transformation: NaN → training median, then `(x - mean) / scale`.
///
/// Fitted on the training split only (so no test information leaks into the model) and stored in
/// the model artifact, so serving applies exactly the transformation the model was trained with.
public struct Preprocessor: Codable, Sendable, Equatable {
    /// Per-feature median of the non-missing training values (0 if a feature had none).
    public let medians: [Double]
    /// Per-feature mean of the imputed training values.
    public let means: [Double]
    /// Per-feature population standard deviation of the imputed training values; 1 where it is
    /// (nearly) zero, as scikit-learn's StandardScaler does, so constant features map to 0.
    public let scales: [Double]

    public var nFeatures: Int { medians.count }

    enum CodingKeys: String, CodingKey { case medians, means, scales }

    /// Decoding validates like `init(medians:means:scales:)`, so a stored preprocessor is always usable.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(medians: c.decode([Double].self, forKey: .medians), means: c.decode([Double].self, forKey: .means),
                      scales: c.decode([Double].self, forKey: .scales))
    }

    public init(medians: [Double], means: [Double], scales: [Double]) throws {
        guard medians.count == means.count, means.count == scales.count else {
            throw ModelError.invalidInput(
                "preprocessor has \(medians.count) medians, \(means.count) means and \(scales.count) scales")
        }
        for (name, values) in [("medians", medians), ("means", means), ("scales", scales)] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw ModelError.invalidInput("preprocessor \(name)[\(bad)] is not finite")
            }
        }
        if let bad = scales.firstIndex(where: { $0 <= 0 }) {
            throw ModelError.invalidInput("preprocessor scales[\(bad)] is \(scales[bad]); scales must be positive")
        }
        self.medians = medians
        self.means = means
        self.scales = scales
    }

    /// Fits medians, means and scales on `train` (pass the training split only).
    public static func fit(_ train: Dataset) throws -> Preprocessor {
        let d = train.nFeatures, n = train.nRows
        guard n > 0 else { throw ModelError.invalidInput("cannot fit a preprocessor on zero rows") }
        var medians = [Double](), means = [Double](), scales = [Double]()
        for f in 0..<d {
            var present = train.column(f).filter { !$0.isNaN }
            present.sort()
            let median: Double
            if present.isEmpty {
                median = 0
            } else if present.count % 2 == 1 {
                median = present[present.count / 2]
            } else {
                median = (present[present.count / 2 - 1] + present[present.count / 2]) / 2
            }
            // Imputed values equal the median, so they add (n - present) copies of it.
            let missing = Double(n - present.count)
            let mean = (present.reduce(0, +) + missing * median) / Double(n)
            var squares = missing * (median - mean) * (median - mean)
            for x in present { squares += (x - mean) * (x - mean) }
            let std = (squares / Double(n)).squareRoot()
            medians.append(median)
            means.append(mean)
            // Same threshold as scikit-learn's `_handle_zeros_in_scale`.
            scales.append(std < 10 * Double.ulpOfOne * max(1, abs(mean)) ? 1 : std)
        }
        return try Preprocessor(medians: medians, means: means, scales: scales)
    }

    /// Transforms one row of exactly `nFeatures` values in place.
    @inline(__always)
    public func transform(row: UnsafeMutableBufferPointer<Double>) {
        precondition(row.count == nFeatures, "row has \(row.count) values, preprocessor expects \(nFeatures)")
        for f in 0..<row.count {
            let x = row[f].isNaN ? medians[f] : row[f]
            row[f] = (x - means[f]) / scales[f]
        }
    }

    /// Transforms a row-major matrix of `nFeatures`-wide rows.
    public func transform(rows: [Double]) throws -> [Double] {
        let d = nFeatures
        guard rows.count % d == 0 else {
            throw ModelError.invalidInput("\(rows.count) values is not a whole number of \(d)-feature rows")
        }
        var out = rows
        out.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                transform(row: UnsafeMutableBufferPointer(rebasing: buffer[start ..< start + d]))
                start += d
            }
        }
        return out
    }

    public func transform(_ data: Dataset) throws -> Dataset {
        guard data.nFeatures == nFeatures else {
            throw ModelError.invalidInput("dataset has \(data.nFeatures) features, preprocessor expects \(nFeatures)")
        }
        return data.replacingFeatures(try transform(rows: data.features))
    }
}
