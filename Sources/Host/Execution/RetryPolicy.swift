/// Mage's `retry_config`: how many times a failed block is tried again, and how long to wait between.
public struct RetryPolicy: Sendable, Codable, Equatable {
    public var retries: Int
    /// Seconds before the first retry.
    public var delay: Double
    public var exponential_backoff: Bool
    /// Upper bound on any one wait, in seconds; nil for none.
    public var max_delay: Double?

    public static let none = RetryPolicy(retries: 0, delay: 0, exponential_backoff: false, max_delay: nil)

    public init(retries: Int, delay: Double, exponential_backoff: Bool, max_delay: Double?) {
        self.retries = retries
        self.delay = delay
        self.exponential_backoff = exponential_backoff
        self.max_delay = max_delay
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        delay = try c.decodeIfPresent(Double.self, forKey: .delay) ?? 5
        exponential_backoff = try c.decodeIfPresent(Bool.self, forKey: .exponential_backoff) ?? false
        max_delay = try c.decodeIfPresent(Double.self, forKey: .max_delay)
    }

    /// Seconds to wait before attempt `attempt + 1`, after `attempt` (1-based) failed; nil when no
    /// retry is left.
    public func delay(afterAttempt attempt: Int) -> Double? {
        guard attempt <= retries else { return nil }
        let base = exponential_backoff ? delay * Double(1 << min(attempt - 1, 30)) : delay
        return max_delay.map { min(base, $0) } ?? base
    }
}
