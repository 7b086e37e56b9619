import Foundation
import Testing
@testable import MageHost

/// The lineage document fixture that the exporter tests render (Fixtures/lineage/) is one the host's own
/// types read and write back unchanged, so the exporters are tested on the contract of docs/LINEAGE.md.
@Suite struct LineageFixtureTests {
    static let fixture = TestEnvironment.repositoryRoot
        .appendingPathComponent("Tests/MageHostTests/Fixtures/lineage/run_with_failed_block.json")

    /// Keys whose value is null are the same as absent keys (Swift's encoder omits nil optionals).
    static func withoutNulls(_ value: ConfigValue) -> ConfigValue {
        switch value {
        case .map(let m): .map(m.filter { $0.value != .null }.mapValues(withoutNulls))
        case .list(let l): .list(l.map(withoutNulls))
        default: value
        }
    }

    @Test func theHostsTypesReadTheFixtureAndWriteItBack() throws {
        let data = try Data(contentsOf: Self.fixture)
        let document = try JSON.decode(LineageDocument.self, from: data)
        #expect(document.format == "swiftmage.lineage.v1")
        #expect(document.blocks.contains { $0.status == .failed && $0.error != nil })
        #expect(document.blocks.contains { $0.status == .upstreamFailed })
        #expect(document.models.first?.status == .deployed)
        #expect(document.datasets.first?.hash.hasPrefix("sha256:") == true)
        let original = try JSONDecoder().decode(ConfigValue.self, from: data)
        let written = try JSONDecoder().decode(ConfigValue.self, from: try JSON.encode(document))
        #expect(Self.withoutNulls(written) == Self.withoutNulls(original))
    }
}
