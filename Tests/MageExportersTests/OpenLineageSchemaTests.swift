import Foundation
import Testing
@testable import MageExporters

/// Every event the exporter renders, validated with Python's jsonschema against the OpenLineage JSON
/// schemas kept in Fixtures/openlineage (spec 2-0-2 and the standard facets), refs resolved locally.
@Suite struct OpenLineageSchemaTests {
    static func renderedLines() throws -> [String] {
        let doc = try ExporterFixtures.lineage()
        var lines = try OpenLineage.lines(OpenLineage.events(for: doc, options: OpenLineageEventTests.options))
        lines += try OpenLineage.lines(OpenLineage.events(for: doc, options: OpenLineageOptions(
            namespace: "prod", repositoryURL: "https://git.example.com/ml/churn.git")))
        let cancelled = try OpenLineageEventTests.variant { object, blocks in
            var pipeline = object["pipeline"] as! [String: Any]
            pipeline["status"] = "cancelled"
            pipeline["completed_at"] = "2026-11-29T16:02:20Z"
            object["pipeline"] = pipeline
            object["code"] = ["plugins": []]
            let deploy = OpenLineageEventTests.index(blocks, "deploy")
            blocks[deploy]["status"] = "cancelled"
            blocks[deploy]["error"] = "cancelled"
        }
        lines += try OpenLineage.lines(OpenLineage.events(for: cancelled))
        return lines
    }

    @Test func everyRenderedEventIsValid() throws {
        let lines = try Self.renderedLines()
        #expect(lines.count > 30)
        let (valid, report) = try ExporterFixtures.validate(lines: lines)
        #expect(valid, "\(report)")
        #expect(report.contains("\(lines.count) of \(lines.count) events valid"))
    }

    /// The validator must reject what is wrong, or the test above proves nothing.
    @Test(arguments: [
        ("runId is not a UUID", #""runId":"f421d028-f962-5966-b4fe-fa54142a81fc""#, #""runId":"run-7""#, "is not a 'uuid'"),
        ("eventTime is not a date-time", #""eventTime":"2026-11-29T16:02:11.000Z""#, #""eventTime":"yesterday""#, "is not a 'date-time'"),
        ("the job has no namespace", #","namespace":"swiftmage"}"#, "}", "'namespace' is a required property"),
        ("a facet lacks _producer", #""_producer":"urn:swiftmage:mage-exporters:1.0.0","#, "", "'_producer' is a required property"),
        ("producer is not a URI", #""producer":"urn:swiftmage:mage-exporters:1.0.0""#, #""producer":"mage exporters""#, "is not a 'uri'"),
        ("the event type is unknown", #""eventType":"START""#, #""eventType":"BEGIN""#, "'BEGIN' is not one of"),
        ("a job type lacks its integration", #""integration":"SWIFTMAGE","#, "", "'integration' is a required property"),
        ("a facet names another schema", "facets/2-0-4/JobTypeJobFacet.json", "facets/2-0-3/JobTypeJobFacet.json", "expected"),
        ("a facet is not a standard one", #""jobType":{"#, #""mystery":{"#, "not a standard facet"),
    ])
    func aBrokenEventIsRejected(_ breakage: String, _ original: String, _ replacement: String, _ expected: String) throws {
        let line = try #require(Self.renderedLines().first)
        #expect(line.contains(original), "the fixture event lacks \(original)")
        let broken = line.replacingOccurrences(of: original, with: replacement)
        let (valid, report) = try ExporterFixtures.validate(lines: [broken])
        #expect(!valid, "\(breakage): accepted")
        #expect(report.contains(expected), "\(breakage): \(report)")
    }

    @Test func anErrorFacetWithoutItsLanguageIsRejected() throws {
        let lines = try Self.renderedLines()
        let failure = try #require(lines.first { $0.contains(#""eventType":"FAIL""#) && $0.contains("errorMessage") })
        let broken = failure.replacingOccurrences(of: #","programmingLanguage":"SWIFT""#, with: "")
        #expect(broken != failure)
        let (valid, report) = try ExporterFixtures.validate(lines: [broken])
        #expect(!valid)
        #expect(report.contains("'programmingLanguage' is a required property"), "\(report)")
    }

    @Test func anInputFacetAmongDatasetFacetsIsRejected() throws {
        let lines = try Self.renderedLines()
        let reader = try #require(lines.first { $0.contains("dataQualityMetrics") })
        var event = try #require(try JSONSerialization.jsonObject(with: Data(reader.utf8)) as? [String: Any])
        var inputs = try #require(event["inputs"] as? [[String: Any]])
        var inputFacets = try #require(inputs[0]["inputFacets"] as? [String: Any])
        var facets = try #require(inputs[0]["facets"] as? [String: Any])
        facets["dataQualityMetrics"] = inputFacets.removeValue(forKey: "dataQualityMetrics")
        inputs[0]["facets"] = facets
        inputs[0]["inputFacets"] = inputFacets
        event["inputs"] = inputs
        let broken = String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
        let (valid, report) = try ExporterFixtures.validate(lines: [broken])
        #expect(!valid)
        #expect(report.contains("DataQualityMetricsInputDatasetFacet extends InputDatasetFacet, it does not belong under facets"), "\(report)")
    }
}
