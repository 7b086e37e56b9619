import Foundation
import MageHTTP
import Testing
@testable import MageServing

@Suite struct RequestIDTests {
    static let uuidV4 = try! NSRegularExpression(pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

    static func isUUIDv4(_ text: String) -> Bool {
        uuidV4.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    @Test func idsAreRandomVersion4UUIDs() {
        let ids = (0..<10_000).map { _ in RequestID.next() }
        #expect(ids.allSatisfy(Self.isUUIDv4), "\(ids.first { !Self.isUUIDv4($0) } ?? "")")
        #expect(Set(ids).count == ids.count)
        // Random, not a counter: consecutive ids share no long prefix.
        let shared = zip(ids, ids.dropFirst()).map { a, b in zip(a, b).prefix { $0 == $1 }.count }
        #expect(shared.max()! < 8, "consecutive ids share \(shared.max()!) leading characters")
        #expect(UUID(uuidString: ids[0]) != nil)
    }

    @Test func theServiceAnswersWithTheClientsIdOrANewUUID() async throws {
        let harness = try ServingHarness()
        try await harness.train()
        try await harness.withService { _, base in
            let first = try await HTTP.exchange("POST", base, "/predict", exampleBody)
            let second = try await HTTP.exchange("POST", base, "/predict", exampleBody)
            let ids = [first, second].compactMap { $0.headers["x-request-id"] }
            #expect(ids.count == 2 && ids.allSatisfy(Self.isUUIDv4) && ids[0] != ids[1], "\(ids)")
            let given = try await HTTP.exchange("POST", base, "/predict", exampleBody, headers: ["X-Request-Id": "client-42"])
            #expect(given.headers["x-request-id"] == "client-42")
        }
    }
}
