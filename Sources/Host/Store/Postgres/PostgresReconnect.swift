import Foundation

/// How a store call waits for a PostgreSQL server that went away (restarted, failed over): it tries a
/// new connection after 0.1 s, then after delays doubling up to 2 s, while the delays add up to at most
/// `maxWait` (10 s by default: 8 tries over 9.1 s; `MAGE_DATABASE_RECONNECT_SECONDS` sets it). Only
/// failures that changed nothing are retried: a connection that could not be opened, and statements
/// the server refused because it is shutting down or starting (SQLSTATE class 57P) or that broke on
/// `BEGIN`.
public struct PostgresReconnect: Sendable {
    public var firstDelay: Double = 0.1
    public var maxDelay: Double = 2
    /// `MAGE_DATABASE_RECONNECT_SECONDS`; 0 fails at once.
    public var maxWait: Double = 10

    public init() {}

    /// The delays between tries, in order; their sum stays within `maxWait`.
    var delays: [Double] {
        var delays: [Double] = [], delay = firstDelay, total = 0.0
        while total + delay <= maxWait + 1e-9 {
            delays.append(delay)
            total += delay
            delay = min(maxDelay, delay * 2)
        }
        return delays
    }
}
