/// What one client connection may cost the server: how long it may take to send a request's head, how
/// long it may sit idle between requests, and how much of a body it may still send after an early answer.
public struct ConnectionLimits: Sendable, Equatable {
    /// From the first byte of a request to the end of its head; a slower client is disconnected.
    public var headerTimeout: Duration
    /// How long a connection may wait for its first or next request before it is closed.
    public var idleTimeout: Duration
    /// After an answer sent before its request's body arrived (413, 401, 415…), the rest of the body is
    /// read and dropped, so the client can finish writing and read the answer, up to this many bytes and
    /// for at most `headerTimeout`; then the connection is closed.
    public var drainBytes: Int

    public init(headerTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), drainBytes: Int = 16 << 20) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.drainBytes = drainBytes
    }
}
