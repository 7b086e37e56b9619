import Foundation
import MageHTTP
import Testing
import MageHost
@testable import MageServing

/// Clients that send too much, send it wrong, or send it slowly, over raw sockets.
@Suite(.serialized) struct HostileClientTests {
    static func head(length: Int, close: Bool = true) -> String {
        "POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n"
            + (close ? "Connection: close\r\n" : "") + "\r\n"
    }

    @Test func aBodyOverTheLimitIsAnswered413AndTheConnectionIsReleased() async throws {
        let harness = try ServingHarness()
        try await harness.train()
        // Generous timeouts: the suite shares its threads with tests that block them. The drain's own
        // deadline (the header timeout) is longer still, so a connection the server forgets is not closed
        // by that deadline before the client gives up.
        let limits = ConnectionLimits(headerTimeout: .seconds(120))
        try await harness.withService(.init(port: 0, maxBodyBytes: 1000, connections: limits)) { _, base in
            let port = base.port!
            let body = [UInt8](repeating: UInt8(ascii: " "), count: 100_000)
            // Warm up, so lazily opened descriptors (the store, the plugins) are counted before.
            _ = try await HTTP.json("POST", base, "/predict", exampleBody)
            let before = RawConnection.openDescriptors()
            for _ in 0..<50 {
                let answer = try await offPool { () -> [UInt8]? in
                    let connection = try RawConnection(port: port, timeout: .seconds(60))
                    connection.write(Array(Self.head(length: body.count).utf8))
                    connection.write(body)  // the server may answer, and close, before it has all of it
                    return connection.readUntilClosed()
                }
                let closed = try #require(answer, "the connection stayed open after the answer")
                #expect(String(decoding: closed, as: UTF8.self).hasPrefix("HTTP/1.1 413"))
            }
            // The server's side of each connection is closed too (not half-closed and held).
            let deadline = ContinuousClock.now + .seconds(3)
            var after = RawConnection.openDescriptors()
            while after > before + 5 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                after = RawConnection.openDescriptors()
            }
            #expect(after <= before + 5, "descriptors: \(before) before 50 refused bodies, \(after) after")
        }
    }

    /// What Python's urllib does: the whole body first (9 MiB, over the limit), then read the answer.
    @Test func aClientThatWritesTheWholeBodyFirstGetsIts413() async throws {
        let harness = try ServingHarness()
        try await harness.train()
        try await harness.withService { _, base in
            for close in [true, false] {
                let (wrote, read) = try await offPool { () -> (Bool, [UInt8]) in
                    let connection = try RawConnection(port: base.port!, timeout: .seconds(60))
                    let body = [UInt8](repeating: UInt8(ascii: " "), count: 9 << 20)  // over the 8 MiB limit
                    let wrote = connection.write(Array(Self.head(length: body.count, close: close).utf8) + body)
                    return (wrote, connection.readUntilClosed() ?? [])
                }
                #expect(wrote, "the write blocked")
                let answer = String(decoding: read, as: UTF8.self)
                #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
                #expect(answer.contains("the limit is"), "\(answer)")
            }
            #expect(try await HTTP.json("POST", base, "/predict", exampleBody).0 == 200)
        }
    }

    @Test func aMalformedChunkSizeIs400() async throws {
        let harness = try ServingHarness()
        try await harness.train()
        try await harness.withService { _, base in
            let read = try await offPool { () -> [UInt8] in
                let connection = try RawConnection(port: base.port!, timeout: .seconds(30))
                _ = connection.write("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                     + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
                return connection.readUntilClosed() ?? []
            }
            let answer = String(decoding: read, as: UTF8.self)
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
            let body = answer.components(separatedBy: "\r\n\r\n").dropFirst().joined()
            let error = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            #expect(error?["status_code"] as? Int == 400 && error?["error"] is String, "\(body)")
        }
    }

    @Test func slowHeadsAndIdleConnectionsAreClosed() async throws {
        let harness = try ServingHarness()
        try await harness.train()
        let limits = ConnectionLimits(headerTimeout: .milliseconds(400), idleTimeout: .milliseconds(1200))
        try await harness.withService(.init(port: 0, connections: limits)) { _, base in
            let clock = ContinuousClock()
            // A head sent one byte every 100 ms is cut off after the header timeout, long before it ends.
            let slow = try RawConnection(port: base.port!, timeout: .seconds(5))
            let start = clock.now
            var sent = 0
            for byte in Array(Self.head(length: 2).utf8) {
                guard slow.write([byte]) else { break }
                sent += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            let closedAfter = clock.now - start
            #expect(sent < Self.head(length: 2).utf8.count, "the whole head was accepted at one byte per 100 ms")
            #expect(closedAfter < .seconds(3))

            // An idle connection is closed after the idle timeout, not before.
            let (idleRead, idleFor) = try await offPool { () -> (RawConnection.Read, Duration) in
                let idle = try RawConnection(port: base.port!, timeout: .seconds(5))
                let idleStart = clock.now
                return (idle.read(), clock.now - idleStart)
            }
            #expect(idleRead == .closed)
            #expect(idleFor >= .milliseconds(1000) && idleFor < .seconds(4), "closed after \(idleFor)")

            // Keep-alive requests closer together than the idle timeout share one connection.
            let kept = try RawConnection(port: base.port!, timeout: .seconds(5))
            for _ in 0..<3 {
                let answer = try await offPool { () -> String? in
                    guard kept.write(Self.head(length: exampleBody.utf8.count, close: false) + exampleBody) else { return nil }
                    return kept.read(until: "\"}")
                }
                #expect(answer?.hasPrefix("HTTP/1.1 200") == true, "\(answer ?? "closed")")
                try await Task.sleep(for: .milliseconds(600))
            }
        }
    }
}
