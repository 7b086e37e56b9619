import CHiredis
import Foundation

/// One connection to a Redis server through hiredis: commands with their replies, and the messages a
/// subscription pushes. Blocking, with timeouts; use it from one thread at a time.
public final class RedisConnection: @unchecked Sendable {
    public let url: RedisURL
    private let context: UnsafeMutablePointer<redisContext>

    /// Connects, authenticates and selects the database, each within `timeout`.
    public init(_ url: RedisURL, timeout: Duration = .seconds(2)) throws {
        self.url = url
        let (seconds, attoseconds) = timeout.components
        let limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        guard let context = redisConnectWithTimeout(url.host, Int32(url.port), limit) else {
            throw MageError.io("cannot connect to Redis at \(url): out of memory")
        }
        guard context.pointee.err == 0 else {
            let reason = Self.errorText(context)
            redisFree(context)
            throw MageError.io("cannot connect to Redis at \(url): \(reason)")
        }
        self.context = context
        _ = redisSetTimeout(context, limit)
        if let password = url.password {
            let reply = try command(url.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            if case .error(let message) = reply { throw MageError.io("Redis at \(url) refused the credentials: \(message)") }
        }
        if url.database != 0, case .error(let message) = try command(["SELECT", String(url.database)]) {
            throw MageError.io("Redis at \(url) cannot select database \(url.database): \(message)")
        }
    }

    deinit { redisFree(context) }

    /// Sends one command and reads its reply (an error reply is a value, not a thrown error). Throws when
    /// the connection fails or times out; the connection is unusable afterwards.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RedisReply {
        // Every argument in one buffer, passed as pointers and lengths (binary-safe, no format string).
        let bytes = arguments.flatMap { Array($0.utf8) }
        let lengths = arguments.map { $0.utf8.count }
        let reply = bytes.withUnsafeBufferPointer { buffer -> UnsafeMutableRawPointer? in
            let base = UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            var offset = 0
            var pointers: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return base + offset
            }
            return lengths.withUnsafeBufferPointer { lengths in
                redisCommandArgv(context, Int32(arguments.count), &pointers, lengths.baseAddress)
            }
        }
        guard let reply else { throw failure("\(arguments.first ?? "command")") }
        defer { freeReplyObject(reply) }
        return RedisReply(reply.assumingMemoryBound(to: redisReply.self))
    }

    /// The next reply the server pushes (a subscription's messages), waiting at most `milliseconds`;
    /// nil when none came in time. Throws when the connection fails or the server closes it.
    public func nextReply(waitingUpTo milliseconds: Int32) throws -> RedisReply? {
        if let reply = try bufferedReply() { return reply }
        var entry = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, milliseconds)
        guard ready > 0 else {
            if ready < 0, errno != EINTR { throw MageError.io("Redis at \(url): poll: \(String(cString: strerror(errno)))") }
            return nil
        }
        guard redisBufferRead(context) == REDIS_OK else { throw failure("reading") }
        return try bufferedReply()
    }

    private func bufferedReply() throws -> RedisReply? {
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(context.pointee.reader, &reply) == REDIS_OK else { throw failure("reading") }
        guard let reply else { return nil }
        defer { freeReplyObject(reply) }
        return RedisReply(reply.assumingMemoryBound(to: redisReply.self))
    }

    private func failure(_ doing: String) -> MageError {
        let reason = context.pointee.err == 0 ? "no reply" : Self.errorText(context)
        return MageError.io("Redis at \(url): \(doing) failed: \(reason)")
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "error \(context.pointee.err)" : text
    }
}

/// A reply of the Redis protocol.
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case string(String)
    case array([RedisReply])
    case null

    init(_ reply: UnsafeMutablePointer<redisReply>) {
        let r = reply.pointee
        func text() -> String {
            guard let str = r.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: Int(r.len)), as: UTF8.self)
        }
        switch r.type {
        case REDIS_REPLY_STATUS: self = .status(text())
        case REDIS_REPLY_ERROR: self = .error(text())
        case REDIS_REPLY_INTEGER: self = .integer(Int64(r.integer))
        case REDIS_REPLY_STRING: self = .string(text())
        case REDIS_REPLY_ARRAY: self = .array((0..<Int(r.elements)).map { RedisReply(r.element[$0]!) })
        default: self = .null
        }
    }
}
