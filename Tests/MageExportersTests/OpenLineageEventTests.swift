import Foundation
import Testing
@testable import MageExporters

/// The OpenLineage rendering of the fixture run: a pipeline whose block `drift_features` failed, a model
/// trained, registered and deployed, and this exporter (`export_openlineage`) still running.
@Suite struct OpenLineageEventTests {
    static let options = OpenLineageOptions(namespace: "swiftmage", projectURL: "file:///srv/mlops_demo/")

    static func events(_ doc: LineageDocument, _ options: OpenLineageOptions = options) -> [RunEvent] {
        OpenLineage.events(for: doc, options: options)
    }

    static func summary(_ events: [RunEvent]) -> [String] {
        events.map { "\($0.job.name) \($0.eventType)" }
    }

    @Test func oneRunPerBlockThatRanInsideThePipelineRun() throws {
        let events = Self.events(try ExporterFixtures.lineage())
        #expect(Self.summary(events) == [
            "demo_mlops START",
            "demo_mlops.make_dataset START", "demo_mlops.make_dataset COMPLETE",
            "demo_mlops.preprocessing START", "demo_mlops.preprocessing COMPLETE",
            "demo_mlops.drift_features START", "demo_mlops.drift_features FAIL",
            "demo_mlops.training START", "demo_mlops.training COMPLETE",
            "demo_mlops.register START", "demo_mlops.register COMPLETE",
            "demo_mlops.deploy START", "demo_mlops.deploy COMPLETE",
            // drift_report never started (upstream_failed); export_openlineage is this exporter.
            "demo_mlops FAIL",
        ])
        for event in events {
            #expect(event.producer == OpenLineage.producer)
            #expect(event.schemaURL == "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent")
            #expect(event.job.namespace == "swiftmage")
        }
    }

    @Test func timesComeFromTheBlockTimings() throws {
        let events = Self.events(try ExporterFixtures.lineage())
        #expect(events.first?.eventTime == "2026-11-29T16:02:11.000Z")
        let training = events.filter { $0.job.name == "demo_mlops.training" }.map(\.eventTime)
        #expect(training == ["2026-11-29T16:02:12.000Z", "2026-11-29T16:02:14.000Z"])
        // The run is still going (this exporter runs): it ends when its last other block ended.
        #expect(events.last?.eventTime == "2026-11-29T16:02:15.000Z")
    }

    @Test func blocksAreChildrenOfThePipelineRun() throws {
        let doc = try ExporterFixtures.lineage()
        let events = Self.events(doc)
        let pipelineRun = OpenLineage.pipelineRunID(doc)
        #expect(events.first?.run.runId == pipelineRun)
        #expect(events.last?.run.runId == pipelineRun)
        for event in events where event.job.name != "demo_mlops" {
            let block = String(event.job.name.dropFirst("demo_mlops.".count))
            #expect(event.run.runId == OpenLineage.blockRunID(doc, block: block))
            let parent = try #require(event.run.facets["parent"])
            #expect(parent["run"]?["runId"] == .string(pipelineRun))
            #expect(parent["job"]?["name"] == .string("demo_mlops"))
            #expect(parent["job"]?["namespace"] == .string("swiftmage"))
            #expect(parent["_schemaURL"] == .string("https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet"))
        }
        #expect(events.first?.run.facets["parent"] == nil)
    }

    @Test func failuresCarryTheirErrorMessage() throws {
        let events = Self.events(try ExporterFixtures.lineage())
        let failed = try #require(events.first { $0.job.name == "demo_mlops.drift_features" && $0.eventType == "FAIL" })
        let facet = try #require(failed.run.facets["errorMessage"])
        #expect(facet["message"]?.string?.hasPrefix("column 'tenure' is not in the input (columns: account_age") == true)
        #expect(facet["programmingLanguage"] == .string("SWIFT"))
        #expect(failed.outputs.isEmpty)

        let pipelineMessage = try #require(events.last?.run.facets["errorMessage"]?["message"]?.string)
        #expect(pipelineMessage.hasPrefix("block 'drift_features' failed: column 'tenure' is not in the input"))
        #expect(pipelineMessage.hasSuffix("; not run because an upstream block failed: 'drift_report'"))
        #expect(events.filter { $0.eventType == "COMPLETE" }.allSatisfy { $0.run.facets["errorMessage"] == nil })
    }

    @Test func datasetsCarrySchemaVersionAndQuality() throws {
        let doc = try ExporterFixtures.lineage()
        let data = try #require(doc.datasets.first)
        let events = Self.events(doc)

        let loaderDone = try #require(events.first { $0.job.name == "demo_mlops.make_dataset" && $0.eventType == "COMPLETE" })
        #expect(loaderDone.inputs.isEmpty)
        let output = try #require(loaderDone.outputs.first)
        #expect(loaderDone.outputs.count == 1)
        #expect(output.namespace == "swiftmage://mlops_demo")
        #expect(output.name == "demo_mlops/make_dataset")
        #expect(output.facets["version"]?["datasetVersion"] == .string(data.hash))
        #expect(output.outputFacets["outputStatistics"]?["rowCount"] == .int(1000))
        guard case .array(let fields)? = output.facets["schema"]?["fields"] else { Issue.record("no schema fields"); return }
        #expect(fields.count == 11)
        #expect(fields.first == .object(["name": .string("account_age"), "type": .string("float64")]))
        #expect(fields.last == .object(["name": .string("churn"), "type": .string("int64")]))

        for type in ["START", "COMPLETE"] {
            let reader = try #require(events.first { $0.job.name == "demo_mlops.preprocessing" && $0.eventType == type })
            let input = try #require(reader.inputs.first)
            #expect(reader.inputs.count == 1)
            #expect(input.name == "demo_mlops/make_dataset")
            #expect(input.facets["version"]?["datasetVersion"] == .string(data.hash))
            let quality = try #require(input.inputFacets["dataQualityMetrics"])
            #expect(quality["rowCount"] == .int(1000))
            guard case .object(let columns)? = quality["columnMetrics"] else { Issue.record("no column metrics"); return }
            // Only what is certain: non-nullable columns have no nulls; satisfaction_score is nullable.
            #expect(columns.count == 10)
            #expect(columns["satisfaction_score"] == nil)
            #expect(columns["churn"] == .object(["nullCount": .int(0), "count": .int(1000)]))
        }
        let start = try #require(events.first { $0.job.name == "demo_mlops.preprocessing" && $0.eventType == "START" })
        #expect(start.outputs.isEmpty)
        let done = try #require(events.first { $0.job.name == "demo_mlops.preprocessing" && $0.eventType == "COMPLETE" })
        #expect(done.outputs.map(\.name) == ["demo_mlops/preprocessing"])
        #expect(done.outputs.first?.facets.isEmpty == true)  // nothing is known of a transformer's table

        let training = try #require(events.first { $0.job.name == "demo_mlops.training" && $0.eventType == "COMPLETE" })
        #expect(training.inputs.map(\.name) == ["demo_mlops/preprocessing"])
        #expect(training.inputs.first?.inputFacets.isEmpty == true)
        #expect(training.outputs.map(\.name) == ["demo_mlops/training/model"])
        #expect(training.outputs.first?.facets["version"]?["datasetVersion"] == .string("v_20261129_160214"))

        let register = try #require(events.first { $0.job.name == "demo_mlops.register" && $0.eventType == "COMPLETE" })
        #expect(register.outputs.isEmpty)  // exporters write outside the pipeline's tables
    }

    @Test func jobFacetsNameTheCodeAndTheJobType() throws {
        let doc = try ExporterFixtures.lineage()
        let events = Self.events(doc)
        let commit = try #require(doc.code.git?.commit)
        for event in events {
            let location = try #require(event.job.facets["sourceCodeLocation"])
            #expect(location["type"] == .string("git"))
            #expect(location["url"] == .string("file:///srv/mlops_demo/"))
            #expect(location["version"] == .string(commit))
            #expect(location["branch"] == .string("main"))
            #expect(location["repoUrl"] == nil)
            let jobType = try #require(event.job.facets["jobType"])
            #expect(jobType["processingType"] == .string("BATCH"))
            #expect(jobType["integration"] == .string("SWIFTMAGE"))
            #expect(jobType["jobType"] == .string(event.job.name == "demo_mlops" ? "PIPELINE" : "BLOCK"))
        }

        let withRepository = Self.events(doc, OpenLineageOptions(namespace: "prod", repositoryURL: "https://git.example.com/ml/churn.git",
                                                                  projectURL: "file:///srv/mlops_demo/"))
        let location = try #require(withRepository.first?.job.facets["sourceCodeLocation"])
        #expect(location["url"] == .string("https://git.example.com/ml/churn.git"))
        #expect(location["repoUrl"] == .string("https://git.example.com/ml/churn.git"))
        #expect(withRepository.allSatisfy { $0.job.namespace == "prod" })

        var object = try ExporterFixtures.lineageObject()
        object["code"] = ["plugins": []]
        let noGit = Self.events(try ExporterFixtures.document(object))
        #expect(noGit.allSatisfy { $0.job.facets["sourceCodeLocation"] == nil && $0.job.facets["jobType"] != nil })
    }

    @Test func reExportingGivesTheSameBytes() throws {
        let first = try OpenLineage.lines(Self.events(try ExporterFixtures.lineage()))
        let second = try OpenLineage.lines(Self.events(try ExporterFixtures.lineage()))
        #expect(first == second)
        #expect(first.allSatisfy { !$0.contains("\n") && $0.hasPrefix("{\"eventTime\":") })
        #expect(OpenLineage.ndjson(first) == Data((first.joined(separator: "\n") + "\n").utf8))
    }

    // MARK: Variants of the run

    static func variant(_ change: (inout [String: Any], inout [[String: Any]]) -> Void) throws -> LineageDocument {
        var object = try ExporterFixtures.lineageObject()
        var blocks = object["blocks"] as! [[String: Any]]
        change(&object, &blocks)
        object["blocks"] = blocks
        return try ExporterFixtures.document(object)
    }

    static func index(_ blocks: [[String: Any]], _ uuid: String) -> Int {
        blocks.firstIndex { $0["uuid"] as? String == uuid }!
    }

    @Test func aFinishedRunEndsWithTheDocumentsStatusAndTime() throws {
        let doc = try Self.variant { object, blocks in
            var pipeline = object["pipeline"] as! [String: Any]
            pipeline["status"] = "completed"
            pipeline["completed_at"] = "2026-11-29T16:03:00Z"
            object["pipeline"] = pipeline
            blocks.removeAll { ["drift_features", "drift_report"].contains($0["uuid"] as? String) }
            let exporter = Self.index(blocks, "export_openlineage")
            blocks[exporter]["status"] = "completed"
            blocks[exporter]["completed_at"] = "2026-11-29T16:02:16Z"
        }
        let events = Self.events(doc)
        #expect(Self.summary(events).suffix(3) == ["demo_mlops.export_openlineage START", "demo_mlops.export_openlineage COMPLETE",
                                                    "demo_mlops COMPLETE"])
        #expect(events.last?.eventTime == "2026-11-29T16:03:00.000Z")
        #expect(events.last?.run.facets.isEmpty == true)
    }

    @Test func anotherBlockStillRunningLeavesTheRunOpen() throws {
        let doc = try Self.variant { _, blocks in
            let deploy = Self.index(blocks, "deploy")
            blocks[deploy]["status"] = "running"
            blocks[deploy]["completed_at"] = NSNull()
            blocks[deploy]["duration_seconds"] = NSNull()
        }
        let events = Self.events(doc)
        #expect(Self.summary(events).suffix(2) == ["demo_mlops.register COMPLETE", "demo_mlops.deploy START"])
        #expect(events.filter { $0.job.name == "demo_mlops" }.map(\.eventType) == ["START"])
    }

    @Test func aCancelledBlockAbortsTheRun() throws {
        let doc = try Self.variant { _, blocks in
            let deploy = Self.index(blocks, "deploy")
            blocks[deploy]["status"] = "cancelled"
            blocks[deploy]["error"] = "cancelled"
        }
        let events = Self.events(doc)
        let deploy = events.filter { $0.job.name == "demo_mlops.deploy" }
        #expect(deploy.map(\.eventType) == ["START", "ABORT"])
        #expect(deploy.last?.run.facets["errorMessage"]?["message"] == .string("cancelled"))
        #expect(events.last?.eventType == "ABORT")
    }

    @Test func withoutAnExporterKindTheRunningExporterIsJustARunningBlock() throws {
        var options = Self.options
        options.exporterKind = nil
        let events = Self.events(try ExporterFixtures.lineage(), options)
        #expect(Self.summary(events).suffix(2) == ["demo_mlops.deploy COMPLETE", "demo_mlops.export_openlineage START"])
    }
}
