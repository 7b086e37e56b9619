import Foundation
import Testing
@testable import MageExporters

@Suite struct NameBasedUUIDTests {
    @Test func sha1KnownAnswers() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.digest([UInt8](repeating: 0x61, count: 1_000_000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func version5MatchesTheRFC() {
        // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(NameBasedUUID.v5(namespace: dns, name: "python.org").uuidString.lowercased() == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
    }

    @Test func runIDsAreStableAndDistinct() throws {
        let doc = try ExporterFixtures.lineage()
        let pipeline = OpenLineage.pipelineRunID(doc)
        #expect(pipeline == OpenLineage.pipelineRunID(try ExporterFixtures.lineage()))
        let blocks = doc.blocks.map { OpenLineage.blockRunID(doc, block: $0.uuid) }
        #expect(Set(blocks + [pipeline]).count == doc.blocks.count + 1)
        // Python: ns = uuid5(NAMESPACE_URL, "urn:swiftmage:openlineage"); uuid5(ns, "mlops_demo/demo_mlops/7/1795968131")
        #expect(OpenLineage.runNamespace.uuidString.lowercased() == "de70b7a3-9e6d-5e62-aa47-c69dbdf9be0a")
        #expect(OpenLineage.runName(doc) == "mlops_demo/demo_mlops/7/1795968131")
        #expect(pipeline == "f421d028-f962-5966-b4fe-fa54142a81fc")
        #expect(OpenLineage.blockRunID(doc, block: "training") == "9b9137ec-8813-56b1-9eed-186ee8d77c23")
    }
}
