import Foundation
import Testing
@testable import MageExporters

/// Decoding the lineage document (docs/LINEAGE.md) in the plugin's own types.
@Suite struct LineageDocumentTests {
    @Test func decodesTheFixture() throws {
        let doc = try ExporterFixtures.lineage()
        #expect(doc.format == "swiftmage.lineage.v1")
        #expect(doc.project == "mlops_demo")
        #expect(doc.pipeline.uuid == "demo_mlops")
        #expect(doc.pipeline.runID == 7)
        #expect(doc.pipeline.completedAt == nil)
        #expect(doc.code.git?.commit.count == 40)
        #expect(doc.blocks.map(\.uuid) == ["make_dataset", "preprocessing", "drift_features", "training", "drift_report",
                                           "register", "deploy", "export_openlineage"])
        let failed = try #require(doc.block("drift_features"))
        #expect(failed.status == "failed")
        #expect(failed.error?.hasPrefix("column 'tenure' is not in the input") == true)
        #expect(doc.dataset(ofBlock: "make_dataset")?.hash.hasPrefix("sha256:") == true)
        #expect(doc.dataset(ofBlock: "preprocessing") == nil)
        #expect(doc.models.first?.isDeployed == true)
        #expect(doc.block("training")?.facets?["metrics"]?["roc_auc"] == .double(0.91))
    }

    @Test func datesWithAndWithoutFractionalSeconds() throws {
        let plain = try #require(Timestamp.parse("2026-11-29T16:02:11Z"))
        let fractional = try #require(Timestamp.parse("2026-11-29T16:02:11.250Z"))
        #expect(fractional.timeIntervalSince(plain) == 0.25)
        #expect(Timestamp.format(fractional) == "2026-11-29T16:02:11.250Z")
        #expect(Timestamp.parse("29/11/2026") == nil)
    }

    @Test func endOfABlockFallsBackToStartPlusDuration() throws {
        var object = try ExporterFixtures.lineageObject()
        var blocks = object["blocks"] as! [[String: Any]]
        blocks[0]["completed_at"] = NSNull()
        blocks[0]["duration_seconds"] = 2.5
        object["blocks"] = blocks
        let block = try ExporterFixtures.document(object).blocks[0]
        #expect(block.endDate == block.startedAt!.date.addingTimeInterval(2.5))
    }

    @Test func errorsNameTheKey() throws {
        var object = try ExporterFixtures.lineageObject()
        var pipeline = object["pipeline"] as! [String: Any]
        pipeline.removeValue(forKey: "run_id")
        object["pipeline"] = pipeline
        #expect(throws: ExportError.invalidInput("the lineage document does not follow swiftmage.lineage.v1: 'pipeline.run_id' is missing")) {
            try ExporterFixtures.document(object)
        }

        object = try ExporterFixtures.lineageObject()
        var blocks = object["blocks"] as! [[String: Any]]
        blocks[1]["started_at"] = "yesterday"
        object["blocks"] = blocks
        let error = #expect(throws: ExportError.self) { try ExporterFixtures.document(object) }
        #expect(error?.description.contains("'blocks[1].started_at'") == true)
        #expect(error?.description.contains("'yesterday' is not an ISO 8601 date") == true)
    }

    @Test func refusesAnotherFormat() throws {
        var object = try ExporterFixtures.lineageObject()
        object["format"] = "swiftmage.lineage.v2"
        #expect(throws: ExportError.invalidInput("the lineage document has format 'swiftmage.lineage.v2', this plugin reads 'swiftmage.lineage.v1'")) {
            try ExporterFixtures.document(object)
        }
        #expect(throws: ExportError.self) { try LineageDocument.decode(Data("not json".utf8)) }
    }

    @Test func toleratesOmittedOptionalKeysAndUnknownOnes() throws {
        var object = try ExporterFixtures.lineageObject()
        object["code"] = ["plugins": []]  // not a git repository
        object["added_in_a_later_minor"] = ["x": 1]
        var blocks = object["blocks"] as! [[String: Any]]
        for key in ["error", "completed_at", "dataset_version", "facets", "attempts", "duration_seconds"] {
            blocks[1].removeValue(forKey: key)
        }
        object["blocks"] = blocks
        let doc = try ExporterFixtures.document(object)
        #expect(doc.code.git == nil)
        #expect(doc.blocks[1].facets == nil)
    }
}
