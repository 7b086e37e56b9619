import Foundation
import Testing
@testable import MageExporters

/// Posting events to a real HTTP receiver on 127.0.0.1 (Fixtures/lineage_receiver.py).
@Suite struct OpenLineageHTTPTests {
    static func lines() throws -> [String] {
        try OpenLineage.lines(OpenLineage.events(for: try ExporterFixtures.lineage(), options: OpenLineageEventTests.options))
    }

    @Test func postsEachEventAsJSONToTheLineageEndpoint() throws {
        let receiver = try LineageReceiver()
        let lines = try Self.lines()
        let client = try LineageHTTPClient(base: receiver.url, timeoutSeconds: 5)
        #expect(client.endpoint == "\(receiver.url)/api/v1/lineage")
        try client.post(lines)
        let requests = try receiver.requests()
        #expect(requests.count == lines.count)
        #expect(requests.allSatisfy { $0.method == "POST" && $0.path == "/api/v1/lineage" })
        #expect(requests.allSatisfy { $0.content_type == "application/json" && $0.authorization == nil })
        #expect(requests.map(\.body) == lines)
    }

    @Test func aBasePathAndAnAPIKeyAreKept() throws {
        let receiver = try LineageReceiver(status: 200)
        let client = try LineageHTTPClient(base: receiver.url + "/marquez/", timeoutSeconds: 5, apiKey: "s3cret")
        try client.post([#"{"eventType":"START"}"#])
        let request = try #require(try receiver.requests().first)
        #expect(request.path == "/marquez/api/v1/lineage")
        #expect(request.authorization == "Bearer s3cret")
    }

    @Test func aServerErrorFailsTheExportNamingURLAndStatus() throws {
        let receiver = try LineageReceiver(status: 500)
        let client = try LineageHTTPClient(base: receiver.url, timeoutSeconds: 5)
        let lines = try Self.lines()
        let error = #expect(throws: ExportError.self) { try client.post(lines) }
        #expect(error?.description.hasPrefix("POST \(receiver.url)/api/v1/lineage answered HTTP 500 Internal Server Error for event 1 of \(lines.count)") == true,
                "\(String(describing: error))")
        #expect(error?.description.contains("the receiver was told to fail") == true)
        #expect(try receiver.requests().count == 1)  // stops at the first failure
    }

    @Test func aClosedPortFailsClearly() throws {
        // Bind a port, then close it: nothing listens there.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(fd)
        let client = try LineageHTTPClient(base: "http://127.0.0.1:\(port)", timeoutSeconds: 2)
        #expect(throws: ExportError.io("cannot connect to http://127.0.0.1:\(port)/api/v1/lineage: Connection refused")) {
            try client.post(["{}"])
        }
    }

    @Test func refusesWhatItCannotSpeak() {
        #expect(throws: ExportError.self) { try LineageHTTPClient(base: "https://marquez.example.com") }
        #expect(throws: ExportError.self) { try LineageHTTPClient(base: "not a url") }
        #expect(throws: ExportError.self) { try LineageHTTPClient(base: "http://127.0.0.1:5000", timeoutSeconds: 0) }
        #expect((try? LineageHTTPClient(base: "http://[::1]:5000/"))?.endpoint == "http://[::1]:5000/api/v1/lineage")
        #expect((try? LineageHTTPClient(base: "http://localhost"))?.endpoint == "http://localhost/api/v1/lineage")
    }
}
