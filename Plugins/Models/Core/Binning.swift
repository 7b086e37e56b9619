/// Quantile binning of features, computed once per forest fit.
///
/// Trees search splits over at most 256 bins per feature instead of sorting samples at every node
/// (the histogram approach of LightGBM and scikit-learn's HistGradientBoosting): a node costs one
/// pass over its samples per candidate feature, and bin codes are one byte each.
struct FeatureBins: Sendable {
    /// Per-feature ascending bin edges; a value `x` falls in bin `#{e in edges : e < x}`, so
    /// "bin ≤ b" is exactly "x ≤ edges[b]" — the test a trained tree applies to raw values.
    let edges: [[Double]]
    /// Bin codes, row-major like the data: the code of row `i`, feature `f` is `codes[i * d + f]`,
    /// so a tree copies a row's codes in one piece.
    let codes: [UInt8]
    let nRows: Int

    /// Quantiles come from at most this many evenly spaced rows, enough for 256 bins (the same
    /// subsample size HistGradientBoosting uses) and it keeps binning cheap on millions of rows.
    static let quantileSampleSize = 200_000

    init(_ data: Dataset, maxBins: Int, threads: Int?) {
        let n = data.nRows, d = data.nFeatures
        let edgeSlots = Slots<[Double]>(d)
        data.features.withUnsafeBufferPointer { x in
            let rows = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
            parallelFor(d, threads: threads) { f in
                let sampleCount = min(n, FeatureBins.quantileSampleSize)
                var sample = (0..<sampleCount).map { rows.pointer[(($0 * n) / sampleCount) * d + f] }
                sample.sort()
                edgeSlots[f] = FeatureBins.edges(sorted: sample, maxBins: maxBins)
            }
        }
        let edges = edgeSlots.values()
        // Codes by row chunks: each thread writes whole rows, so no two share a cache line's worth
        // of work except at chunk borders.
        var codes = [UInt8](repeating: 0, count: n * d)
        let chunkRows = 16_384
        codes.withUnsafeMutableBufferPointer { codeBuffer in
            let out = SendablePointer(codeBuffer.baseAddress!)
            data.features.withUnsafeBufferPointer { x in
                let rows = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
                parallelFor((n + chunkRows - 1) / chunkRows, threads: threads) { chunk in
                    for f in 0..<d {
                        edges[f].withUnsafeBufferPointer { e in
                            for i in chunk * chunkRows ..< min(n, (chunk + 1) * chunkRows) {
                                out.pointer[i * d + f] = UInt8(FeatureBins.bin(rows.pointer[i * d + f], e))
                            }
                        }
                    }
                }
            }
        }
        self.edges = edges
        self.codes = codes
        self.nRows = n
    }

    /// Bin edges from sorted values: midpoints between distinct values when there are few of them
    /// (so every distinct value gets its own bin), otherwise interpolated quantiles.
    static func edges(sorted values: [Double], maxBins: Int) -> [Double] {
        var distinct = [Double]()
        for x in values where distinct.last != x { distinct.append(x) }
        var edges = [Double]()
        if distinct.count <= maxBins {
            for i in 0..<max(0, distinct.count - 1) {
                let a = distinct[i], b = distinct[i + 1]
                let mid = a + (b - a) / 2
                edges.append(mid < b ? mid : a)  // adjacent doubles: keep a so that a < b still splits
            }
        } else {
            let last = values.count - 1
            for k in 1..<maxBins {
                let position = Double(k) * Double(last) / Double(maxBins)
                let lo = Int(position), hi = min(lo + 1, last)
                let q = values[lo] + (values[hi] - values[lo]) * (position - Double(lo))
                if edges.last.map({ q > $0 }) ?? true, q < distinct[distinct.count - 1] { edges.append(q) }
            }
        }
        return edges
    }

    /// Number of edges strictly below `x` (binary search).
    @inline(__always)
    static func bin(_ x: Double, _ edges: UnsafeBufferPointer<Double>) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if edges[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// A raw pointer handed to parallel iterations that each touch disjoint elements.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
