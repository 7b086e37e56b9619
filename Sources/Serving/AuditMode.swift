/// When a prediction's audit row is committed, relative to its answer (see `AuditLog`).
public enum AuditMode: String, Sendable, CaseIterable {
    /// The answer waits for the commit of its row; rows of concurrent requests share a transaction.
    case durable
    /// The answer goes out first; the rows are committed every flush interval (10 ms by default).
    case batched
}
