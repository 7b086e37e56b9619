import Foundation

/// One TCP connection to the service on loopback, driven byte by byte as a hostile or careless client
/// would: blocking reads and writes with timeouts, EOF and reset told apart from a timeout. Tests run
/// its calls through `offPool`, so a blocked socket never holds a thread of the concurrency pool that
/// the service under test (and every other suite) shares.
final class RawConnection: @unchecked Sendable {
    enum Read: Equatable {
        case bytes([UInt8])
        /// The server closed the connection (EOF or reset).
        case closed
        case timedOut
    }

    let fd: Int32

    init(port: Int, timeout: Duration = .seconds(10)) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Self.failure("socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { close(fd); throw Self.failure("connect") }
        setTimeout(timeout)
    }

    deinit { close(fd) }

    func setTimeout(_ timeout: Duration) {
        let micros = timeout.components.seconds * 1_000_000 + timeout.components.attoseconds / 1_000_000_000_000
        var value = timeval(tv_sec: Int(micros / 1_000_000), tv_usec: Int(micros % 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes every byte; false when the server closed the connection or the write timed out.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    func read() -> Read {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 { return .bytes(Array(buffer[..<n])) }
        if n == 0 || errno == ECONNRESET { return .closed }
        return .timedOut
    }

    /// Everything until the server closes the connection; nil if it is still open at the timeout.
    func readUntilClosed() -> [UInt8]? {
        var all: [UInt8] = []
        while true {
            switch read() {
            case .bytes(let bytes): all += bytes
            case .closed: return all
            case .timedOut: return nil
            }
        }
    }

    /// Reads until `text` has arrived; all that was read, or nil if the connection closed or timed out first.
    func read(until text: String) -> String? {
        var all: [UInt8] = []
        while !String(decoding: all, as: UTF8.self).contains(text) {
            guard case .bytes(let bytes) = read() else { return nil }
            all += bytes
        }
        return String(decoding: all, as: UTF8.self)
    }

    static func failure(_ call: String) -> Error {
        NSError(domain: "RawConnection", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "\(call): \(String(cString: strerror(errno)))"])
    }

    /// The descriptors this process holds open.
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }
}

/// Runs blocking work on a thread of its own, not one of the concurrency pool's.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
