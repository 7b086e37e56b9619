import Foundation

/// Hyperparameters of the L2-regularized logistic regression (scikit-learn's defaults for C).
public struct LogisticRegressionParameters: Sendable, Equatable, Codable {
    /// Inverse regularization strength: the objective is `C · Σ logloss + ½‖w‖²` (intercept not
    /// penalized), exactly scikit-learn's.
    public var c = 1.0
    /// Newton iterations at most (each one is two passes over the data).
    public var maxIter = 100
    /// Stop when the largest gradient component is at most `tolerance × max(1, C·n)`.
    public var tolerance = 1e-9

    public init(c: Double = 1.0, maxIter: Int = 100, tolerance: Double = 1e-9) {
        self.c = c
        self.maxIter = maxIter
        self.tolerance = tolerance
    }

    enum CodingKeys: String, CodingKey {
        case c = "C", maxIter = "max_iter", tolerance
    }

    public func validate() throws {
        guard c > 0, c.isFinite else { throw ModelError.invalidParameter("C must be positive, got \(c)") }
        guard maxIter >= 1 else { throw ModelError.invalidParameter("max_iter must be at least 1, got \(maxIter)") }
        guard tolerance >= 0 else { throw ModelError.invalidParameter("tolerance must be non-negative") }
    }
}

/// Binary logistic regression, fitted by Newton's method (IRLS) with a backtracking line search.
/// Newton is deterministic, converges in a handful of iterations at this size (10 features → an
/// 11×11 system), and partial sums are reduced in a fixed chunk order, so the coefficients do not
/// depend on the thread count.
public struct LogisticRegression: Sendable, Equatable {
    public let parameters: LogisticRegressionParameters
    public let featureNames: [String]
    /// One weight per feature, in the (standardized) space the model was fitted in.
    public let coefficients: [Double]
    public let intercept: Double
    /// Newton iterations used by `fit`.
    public let iterations: Int

    public var nFeatures: Int { featureNames.count }

    public init(parameters: LogisticRegressionParameters, featureNames: [String], coefficients: [Double],
                intercept: Double, iterations: Int = 0) throws {
        guard coefficients.count == featureNames.count else {
            throw ModelError.invalidInput("\(coefficients.count) coefficients for \(featureNames.count) features")
        }
        guard coefficients.allSatisfy(\.isFinite), intercept.isFinite else {
            throw ModelError.invalidInput("coefficients and intercept must be finite")
        }
        self.parameters = parameters
        self.featureNames = featureNames
        self.coefficients = coefficients
        self.intercept = intercept
        self.iterations = iterations
    }

    /// Rows per partial sum. Fixed, so the reduction order (and the result) never depends on threads.
    static let chunkRows = 8192

    /// Fits on `data`, which should be standardized (see `Preprocessor`) and free of NaN.
    public static func fit(_ data: Dataset, parameters: LogisticRegressionParameters = .init(),
                           threads: Int? = nil) throws -> LogisticRegression {
        try parameters.validate()
        let n = data.nRows, d = data.nFeatures, m = d + 1
        guard n >= 1 else { throw ModelError.invalidInput("cannot fit on zero rows") }
        if let bad = data.features.firstIndex(where: { !$0.isFinite }) {
            throw ModelError.invalidInput("feature '\(data.featureNames[bad % d])' has a missing or infinite value; impute first")
        }
        let c = parameters.c
        var beta = [Double](repeating: 0, count: m)  // weights, then the intercept
        var iterations = 0

        func objective(_ beta: [Double]) -> Double {
            let loss = accumulate(data, beta, threads: threads, secondOrder: false).loss
            return c * loss + 0.5 * (0..<d).reduce(0) { $0 + beta[$1] * beta[$1] }
        }

        for _ in 0..<parameters.maxIter {
            var (loss, gradient, hessian) = accumulate(data, beta, threads: threads, secondOrder: true)
            var value = c * loss
            for j in 0..<m {
                gradient[j] *= c
                for k in 0..<m { hessian[j * m + k] *= c }
            }
            for j in 0..<d {
                value += 0.5 * beta[j] * beta[j]
                gradient[j] += beta[j]
                hessian[j * m + j] += 1
            }
            if gradient.map(abs).max()! <= parameters.tolerance * max(1, c * Double(n)) { break }
            let step = solveSymmetric(hessian, gradient, m)
            let slope = zip(gradient, step).reduce(0) { $0 + $1.0 * $1.1 }
            // Backtracking (Armijo) line search; a full Newton step is almost always accepted.
            var t = 1.0, candidate = beta
            while true {
                for j in 0..<m { candidate[j] = beta[j] - t * step[j] }
                if objective(candidate) <= value - 1e-4 * t * slope || t < 1e-10 { break }
                t /= 2
            }
            beta = candidate
            iterations += 1
        }
        return try LogisticRegression(parameters: parameters, featureNames: data.featureNames,
                                      coefficients: Array(beta[0..<d]), intercept: beta[d], iterations: iterations)
    }

    /// Σ logloss, its gradient and (if asked) Hessian w.r.t. `beta`, summed per chunk in parallel
    /// and then over chunks in index order.
    static func accumulate(_ data: Dataset, _ beta: [Double], threads: Int?, secondOrder: Bool)
        -> (loss: Double, gradient: [Double], hessian: [Double])
    {
        let n = data.nRows, d = data.nFeatures, m = d + 1
        let chunks = (n + chunkRows - 1) / chunkRows
        let partials = Slots<(Double, [Double], [Double])>(chunks)
        data.features.withUnsafeBufferPointer { x in
            let rows = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
            parallelFor(chunks, threads: threads) { chunk in
                var loss = 0.0
                var gradient = [Double](repeating: 0, count: m)
                var hessian = [Double](repeating: 0, count: secondOrder ? m * m : 0)
                for i in chunk * chunkRows ..< min(n, (chunk + 1) * chunkRows) {
                    let row = rows.pointer + i * d
                    var z = beta[d]
                    for j in 0..<d { z += beta[j] * row[j] }
                    let y = Double(data.labels[i])
                    // log(1 + e^z) - y·z, computed without overflow.
                    loss += max(z, 0) + log1p(exp(-abs(z))) - y * z
                    let p = 1 / (1 + exp(-z))
                    let r = p - y
                    for j in 0..<d { gradient[j] += r * row[j] }
                    gradient[d] += r
                    guard secondOrder else { continue }
                    let s = p * (1 - p)
                    for j in 0..<m {
                        let sj = s * (j < d ? row[j] : 1)
                        for k in 0...j { hessian[j * m + k] += sj * (k < d ? row[k] : 1) }
                    }
                }
                partials[chunk] = (loss, gradient, hessian)
            }
        }
        var loss = 0.0
        var gradient = [Double](repeating: 0, count: m)
        var hessian = [Double](repeating: 0, count: secondOrder ? m * m : 0)
        for (l, g, h) in partials.values() {
            loss += l
            for j in 0..<m { gradient[j] += g[j] }
            for j in 0..<h.count { hessian[j] += h[j] }
        }
        if secondOrder {  // only the lower triangle was summed
            for j in 0..<m { for k in 0..<j { hessian[k * m + j] = hessian[j * m + k] } }
        }
        return (loss, gradient, hessian)
    }

    /// Solves `A x = b` for symmetric positive definite `A` by Cholesky; adds a growing ridge if
    /// rounding made `A` indefinite (e.g. a separable intercept direction).
    static func solveSymmetric(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var ridge = 0.0
        while true {
            var l = [Double](repeating: 0, count: m * m)
            var ok = true
            outer: for j in 0..<m {
                var sum = a[j * m + j] + ridge
                for k in 0..<j { sum -= l[j * m + k] * l[j * m + k] }
                if sum <= 0 { ok = false; break outer }
                let diagonal = sum.squareRoot()
                l[j * m + j] = diagonal
                for i in (j + 1)..<m {
                    var s = a[i * m + j]
                    for k in 0..<j { s -= l[i * m + k] * l[j * m + k] }
                    l[i * m + j] = s / diagonal
                }
            }
            if ok {
                var y = [Double](repeating: 0, count: m)
                for i in 0..<m {
                    var s = b[i]
                    for k in 0..<i { s -= l[i * m + k] * y[k] }
                    y[i] = s / l[i * m + i]
                }
                var x = [Double](repeating: 0, count: m)
                for i in stride(from: m - 1, through: 0, by: -1) {
                    var s = y[i]
                    for k in (i + 1)..<m { s -= l[k * m + i] * x[k] }
                    x[i] = s / l[i * m + i]
                }
                return x
            }
            ridge = ridge == 0 ? 1e-10 : ridge * 10
        }
    }

    /// `[p0, p1]` per row (row-major `nRows × 2`) for preprocessed rows.
    public func predictProbabilities(rows: UnsafeBufferPointer<Double>, nRows: Int) throws -> [Double] {
        let d = nFeatures
        guard rows.count == nRows * d else {
            throw ModelError.invalidInput("\(rows.count) values for \(nRows) rows × \(d) features")
        }
        var out = [Double](repeating: 0, count: nRows * 2)
        for i in 0..<nRows {
            var z = intercept
            for j in 0..<d { z += coefficients[j] * rows[i * d + j] }
            let p1 = 1 / (1 + exp(-z))
            out[2 * i] = 1 - p1
            out[2 * i + 1] = p1
        }
        return out
    }

    public func predictProbabilities(rows: [Double], nRows: Int) throws -> [Double] {
        try rows.withUnsafeBufferPointer { try predictProbabilities(rows: $0, nRows: nRows) }
    }
}
