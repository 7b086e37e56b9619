import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sends OpenLineage events to an HTTP endpoint as Marquez accepts them: one `POST <url>/api/v1/lineage`
/// per event, `Content-Type: application/json`. A minimal blocking HTTP/1.1 client over a socket (one
/// connection per event, `Connection: close`): no proxy settings, no dependencies, explicit timeouts. It
/// only contacts the URL it is given; plain `http` only.
public struct LineageHTTPClient: Sendable {
    public static let path = "/api/v1/lineage"

    public let endpoint: String
    let host: String
    let port: UInt16
    let requestPath: String
    let hostHeader: String
    public var timeoutSeconds: Double
    /// Sent as `Authorization: Bearer <key>` when set.
    public var apiKey: String?

    /// `base` is the server's URL, e.g. `http://127.0.0.1:5000`; the endpoint is `<base>/api/v1/lineage`.
    public init(base: String, timeoutSeconds: Double = 10, apiKey: String? = nil) throws {
        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased(),
              var host = components.host, !host.isEmpty else {
            throw ExportError.invalidInput("OpenLineage URL '\(base)' is not a URL like http://127.0.0.1:5000")
        }
        guard scheme == "http" else {
            throw ExportError.invalidInput("OpenLineage URL '\(base)': only http:// is supported (no TLS in this client); use http, e.g. a local Marquez or a TLS-terminating proxy")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard timeoutSeconds > 0 else { throw ExportError.invalidInput("timeout_seconds must be positive, got \(timeoutSeconds)") }
        let port = components.port ?? 80
        guard (1...65535).contains(port) else { throw ExportError.invalidInput("OpenLineage URL '\(base)' has port \(port)") }
        var basePath = components.percentEncodedPath
        while basePath.hasSuffix("/") { basePath.removeLast() }
        self.host = host
        self.port = UInt16(port)
        self.requestPath = basePath + Self.path
        let hostPart = host.contains(":") ? "[\(host)]" : host
        self.hostHeader = components.port == nil ? hostPart : "\(hostPart):\(port)"
        self.endpoint = "http://\(hostHeader)\(requestPath)"
        self.timeoutSeconds = timeoutSeconds
        self.apiKey = apiKey
    }

    /// Posts each body in order; stops at the first failure, naming the URL and the status.
    public func post(_ bodies: [String]) throws {
        for (i, body) in bodies.enumerated() {
            let (status, reason, responseBody) = try exchange(body)
            guard (200..<300).contains(status) else {
                let detail = responseBody.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300)
                throw ExportError.io("POST \(endpoint) answered HTTP \(status) \(reason) for event \(i + 1) of \(bodies.count)"
                                     + (detail.isEmpty ? "" : ": \(detail)"))
            }
        }
    }

    private func exchange(_ body: String) throws -> (Int, String, String) {
        let payload = Array(body.utf8)
        var request = "POST \(requestPath) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: swiftmage-exporters/\(ExportersPlugin.version)\r\n"
        request += "Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n"
        if let apiKey { request += "Authorization: Bearer \(apiKey)\r\n" }
        request += "\r\n"
        let fd = try openConnection()
        defer { close(fd) }
        try sendAll(fd, Array(request.utf8) + payload)
        let response = try readResponse(fd)
        return try parse(response)
    }

    private func failure(_ what: String, _ code: Int32 = errno) -> ExportError {
        .io("cannot \(what) \(endpoint): \(String(cString: strerror(code)))")
    }

    private func openConnection() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let list else {
            throw ExportError.io("cannot resolve the host of \(endpoint): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            if fd < 0 { lastError = errno; continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&pfd, 1, Int32(timeoutSeconds * 1000))
                if ready == 0 {
                    close(fd)
                    throw ExportError.io("cannot connect to \(endpoint): timed out after \(timeoutSeconds) s")
                }
                var soError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
                if ready < 0 { soError = errno }
                result = soError == 0 ? 0 : -1
                if soError != 0 { errno = soError }
            }
            if result != 0 {
                lastError = errno
                close(fd)
                continue
            }
            _ = fcntl(fd, F_SETFL, flags)
            var tv = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds - timeoutSeconds.rounded(.down)) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            return fd
        }
        throw failure("connect to", lastError)
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw errno == EAGAIN ? ExportError.io("cannot send to \(endpoint): timed out after \(timeoutSeconds) s")
                                      : failure("send to")
            }
            sent += n
        }
    }

    /// Reads until the server closes the connection or the declared body has arrived (at most 1 MiB).
    private func readResponse(_ fd: Int32) throws -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while data.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw errno == EAGAIN ? ExportError.io("no answer from \(endpoint) within \(timeoutSeconds) s")
                                      : failure("read the answer of")
            }
            if n == 0 { break }
            data += buffer[0..<n]
            if let end = headerEnd(data), let length = contentLength(data[..<end]), data.count >= end + length { break }
        }
        return data
    }

    private func headerEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    private func contentLength(_ head: ArraySlice<UInt8>) -> Int? {
        for line in String(decoding: head, as: UTF8.self).split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    private func parse(_ response: [UInt8]) throws -> (Int, String, String) {
        let end = headerEnd(response) ?? response.count
        let head = String(decoding: response[..<end], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw ExportError.io("POST \(endpoint): the server's answer is not HTTP"
                                 + (statusLine.isEmpty ? " (connection closed without an answer)" : ": '\(statusLine.prefix(80))'"))
        }
        return (status, parts.count > 2 ? String(parts[2]) : "", String(decoding: response[end...], as: UTF8.self))
    }
}
