/// Grows one Gini classification tree on binned features — the forest's inner loop.
///
/// Semantics follow scikit-learn's DecisionTreeClassifier inside a RandomForestClassifier:
/// bootstrap rows enter as integer weights (how many times each row was drawn), `min_samples_*`
/// count distinct rows, candidate features are drawn without replacement until `mtry` non-constant
/// ones were evaluated, the best split maximizes the Gini decrease (even a zero decrease), and pure
/// nodes are leaves. Split points lie between bins rather than between sorted sample values.
///
/// Layout: each in-bag row becomes a fixed-size record `[weight << 1 | label: UInt32][bin codes:
/// d bytes][padding]`, and a node owns a contiguous range of records. Histogram passes and the
/// partition then stream through memory sequentially instead of gathering bin codes at random
/// from a large column, which is what limits speed on millions of rows.
struct TreeGrower: Sendable {
    let bins: FeatureBins
    let labels: [UInt8]
    let nFeatures: Int
    let maxDepth: Int
    let minSamplesSplit: Int
    let minSamplesLeaf: Int
    let mtry: Int
    let bootstrap: Bool
    let seed: UInt64

    /// Bytes per record, a multiple of 8 so records copy as whole words.
    var stride: Int { (4 + nFeatures + 7) & ~7 }

    /// A node waiting to be processed: its record range and weighted class totals.
    struct Pending {
        var node: Int
        var start: Int
        var end: Int
        var depth: Int
        var weight: Int32
        var positive: Int32
    }

    /// Grows tree `index` and returns it with its unnormalized Gini importances per feature.
    func grow(index: Int) -> (tree: DecisionTree, importances: [Double]) {
        var rng = Xoshiro256(seed: seed, stream: index)
        let n = bins.nRows, d = nFeatures, stride = self.stride, words = stride / 8

        // Bootstrap as per-row draw counts instead of copied rows. Counts are bytes so the array
        // mostly stays in cache while n random increments hit it; a count above 255 (never seen in
        // practice: draws per row are ~Poisson(1)) triggers an exact redo with 32-bit counts.
        var counts = [UInt32]()
        if bootstrap {
            let start = rng
            var small = [UInt8](repeating: 0, count: n)
            var overflow = false
            small.withUnsafeMutableBufferPointer { c in
                for _ in 0..<n {
                    let i = rng.below(n)
                    overflow = overflow || c[i] == 255
                    c[i] &+= 1
                }
            }
            if overflow {
                rng = start
                counts = [UInt32](repeating: 0, count: n)
                counts.withUnsafeMutableBufferPointer { c in
                    for _ in 0..<n { c[rng.below(n)] &+= 1 }
                }
            } else {
                counts = small.map { UInt32($0) }
            }
        } else {
            counts = [UInt32](repeating: 1, count: n)
        }
        let inBag = counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        let records = UnsafeMutableRawPointer.allocate(byteCount: inBag * stride, alignment: 8)
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: inBag * stride, alignment: 8)  // partition's right side
        let histogram = UnsafeMutablePointer<UInt64>.allocate(capacity: 256 * 4)  // bin b, lane l at 4b + l
        histogram.initialize(repeating: 0, count: 256 * 4)
        let rowCounts = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
        rowCounts.initialize(repeating: 0, count: 256)
        defer {
            records.deallocate()
            scratch.deallocate()
            histogram.deallocate()
            rowCounts.deallocate()
        }

        var totalWeight: Int32 = 0, totalPositive: Int32 = 0
        bins.codes.withUnsafeBufferPointer { codes in
            var r = records
            for i in 0..<n where counts[i] > 0 {
                let w = counts[i], y = UInt32(labels[i])
                r.storeBytes(of: w << 1 | y, as: UInt32.self)
                (r + 4).copyMemory(from: codes.baseAddress! + i * d, byteCount: d)
                totalWeight &+= Int32(w)
                totalPositive &+= Int32(w * y)
                r += stride
            }
        }
        counts = []

        var feature = [Int32](), threshold = [Double](), left = [Int32](), right = [Int32](), value = [Double]()
        var importances = [Double](repeating: 0, count: d)
        func addNode() {
            feature.append(-1); threshold.append(0); left.append(-1); right.append(-1); value.append(0)
        }
        addNode()
        var stack = [Pending(node: 0, start: 0, end: inBag, depth: 0, weight: totalWeight, positive: totalPositive)]
        var order = Array(0..<d)

        while let job = stack.popLast() {
            let count = job.end - job.start
            let w = job.weight, p = job.positive
            value[job.node] = Double(p) / Double(w)
            if job.depth >= maxDepth || count < minSamplesSplit || count < 2 * minSamplesLeaf || p == 0 || p == w {
                continue
            }
            guard let split = bestSplit(job, records, histogram, rowCounts, &order, &rng) else { continue }

            // Stable, branch-free partition (bin ≤ split.bin goes left): the outcome is
            // unpredictable, so each record is copied to both sides and only one cursor advances.
            let codeOffset = 4 + split.feature
            let threshold8 = UInt8(split.bin)
            var source = (records + job.start * stride).assumingMemoryBound(to: UInt64.self)
            var leftCursor = source
            var rightCursor = scratch.assumingMemoryBound(to: UInt64.self)
            for _ in job.start..<job.end {
                let goLeft = UnsafeRawPointer(source).load(fromByteOffset: codeOffset, as: UInt8.self) <= threshold8
                for word in 0..<words {
                    let value = source[word]
                    leftCursor[word] = value
                    rightCursor[word] = value
                }
                leftCursor += goLeft ? words : 0
                rightCursor += goLeft ? 0 : words
                source += words
            }
            let leftEnd = job.start + (leftCursor - (records + job.start * stride).assumingMemoryBound(to: UInt64.self)) / words
            UnsafeMutableRawPointer(leftCursor).copyMemory(from: scratch, byteCount: (job.end - leftEnd) * stride)

            let wL = split.leftWeight, pL = split.leftPositive
            importances[split.feature] += split.proxy - giniProxy(w, p)
            let child = feature.count
            addNode()
            addNode()
            feature[job.node] = Int32(split.feature)
            threshold[job.node] = bins.edges[split.feature][split.bin]
            left[job.node] = Int32(child)
            right[job.node] = Int32(child + 1)
            // Right pushed first so the left subtree is processed (and numbered) first.
            stack.append(Pending(node: child + 1, start: leftEnd, end: job.end, depth: job.depth + 1,
                                 weight: w - wL, positive: p - pL))
            stack.append(Pending(node: child, start: job.start, end: leftEnd, depth: job.depth + 1,
                                 weight: wL, positive: pL))
        }
        let tree = DecisionTree(unchecked: feature, threshold: threshold, left: left, right: right, value: value)
        return (tree, importances)
    }

    struct Split {
        var feature: Int
        var bin: Int
        var proxy: Double
        var leftWeight: Int32
        var leftPositive: Int32
    }

    /// Σ over classes of (class weight)² / weight; the weighted Gini impurity of a node is
    /// `weight - giniProxy`, so the best split maximizes the children's summed proxies.
    @inline(__always)
    func giniProxy(_ w: Int32, _ p: Int32) -> Double {
        let pw = Double(p), nw = Double(w - p)
        return (pw * pw + nw * nw) / Double(w)
    }

    /// Histogram cell increment of a record: weight in the low 32 bits, positive (class-1) weight
    /// in the high 32 bits. One 64-bit add updates both; the low half never carries into the high
    /// half because total weight < 2³¹.
    @inline(__always)
    static func increment(_ weightLabel: UInt32) -> UInt64 {
        let weight = UInt64(weightLabel >> 1)
        return weight | (weight &* UInt64(weightLabel & 1)) << 32
    }

    /// Best split of a node over up to `mtry` non-constant random features, or nil if every
    /// feature is constant in the node or no split leaves `minSamplesLeaf` rows on both sides.
    @inline(__always)
    func bestSplit(_ job: Pending, _ records: UnsafeMutableRawPointer, _ histogram: UnsafeMutablePointer<UInt64>,
                   _ rowCounts: UnsafeMutablePointer<Int32>, _ order: inout [Int], _ rng: inout Xoshiro256) -> Split?
    {
        let d = nFeatures, stride = self.stride
        let count = Int32(job.end - job.start), w = job.weight, p = job.positive
        // Distinct-row counts per bin are needed only to enforce min_samples_leaf > 1: with 1, any
        // split between two occupied bins is valid.
        let countRows = minSamplesLeaf > 1
        let first = UnsafeRawPointer(records + job.start * stride)
        var best: Split? = nil
        var evaluated = 0, drawn = 0
        while drawn < d && evaluated < mtry {
            let pick = drawn + rng.below(d - drawn)
            order.swapAt(drawn, pick)
            let f = order[drawn]
            drawn += 1

            // Histogram of (weight, positive weight) per bin; small nodes also track the occupied
            // bin range so the scan and the reset skip the empty rest.
            let codeOffset = 4 + f
            var lo = 0, hi = bins.edges[f].count
            if count <= 128 {
                lo = 255; hi = 0
                var r = first
                for _ in 0..<count {
                    let b = Int(r.load(fromByteOffset: codeOffset, as: UInt8.self))
                    histogram[b &* 4] &+= TreeGrower.increment(r.load(as: UInt32.self))
                    lo = min(lo, b); hi = max(hi, b)
                    r += stride
                }
            } else {
                // Four interleaved histograms break the load→add→store chain through one bin
                // (features with few distinct values hit the same bin run after run).
                var r = first
                var k = 0
                while k + 4 <= count {
                    for lane in 0..<4 {
                        let record = r + lane * stride
                        let b = Int(record.load(fromByteOffset: codeOffset, as: UInt8.self))
                        histogram[b &* 4 &+ lane] &+= TreeGrower.increment(record.load(as: UInt32.self))
                    }
                    r += 4 * stride
                    k += 4
                }
                while k < count {
                    let b = Int(r.load(fromByteOffset: codeOffset, as: UInt8.self))
                    histogram[b &* 4] &+= TreeGrower.increment(r.load(as: UInt32.self))
                    r += stride
                    k += 1
                }
                for b in lo...hi {
                    histogram[b &* 4] = histogram[b &* 4] &+ histogram[b &* 4 &+ 1] &+ histogram[b &* 4 &+ 2]
                        &+ histogram[b &* 4 &+ 3]
                }
            }
            if countRows {
                var r = first
                for _ in 0..<count {
                    rowCounts[Int(r.load(fromByteOffset: codeOffset, as: UInt8.self))] &+= 1
                    r += stride
                }
            }

            // Scan split points between consecutive occupied bins; the chosen bin is the middle of
            // the empty gap between them, like scikit-learn's midpoint between sample values.
            var nL: Int32 = 0, wL: Int32 = 0, pL: Int32 = 0
            var previous = -1, constant = true
            for b in lo...hi {
                let h = histogram[b &* 4]
                if h == 0 { continue }  // every record weighs ≥ 1, so zero weight = empty bin
                if previous >= 0 {
                    constant = false
                    if !countRows || (nL >= minSamplesLeaf && count - nL >= minSamplesLeaf) {
                        let proxy = giniProxy(wL, pL) + giniProxy(w - wL, p - pL)
                        if best == nil || proxy > best!.proxy {
                            best = Split(feature: f, bin: (previous + b - 1) / 2, proxy: proxy,
                                         leftWeight: wL, leftPositive: pL)
                        }
                    }
                }
                wL &+= Int32(truncatingIfNeeded: h)
                pL &+= Int32(truncatingIfNeeded: h >> 32)
                if countRows { nL &+= rowCounts[b] }
                previous = b
            }
            (histogram + lo * 4).update(repeating: 0, count: (hi - lo + 1) * 4)
            if countRows { (rowCounts + lo).update(repeating: 0, count: hi - lo + 1) }
            if !constant { evaluated += 1 }
        }
        return best
    }
}
