import Foundation
import MageHTTP
@testable import MageHost
import Testing
@testable import MageWeb

/// A page of runs written by `JSONWriter` says what `JSONResponse`'s encoder says of the same resources.
@Suite struct RunResourceJSONTests {
    static let odd = "quote \" backslash \\ slash / line\nbreak\ttab\rreturn \u{01}\u{1F} ünïcödé ✓ 🎉 \u{2028}"

    static func page() -> [PipelineRunResource] {
        let created = Date(timeIntervalSince1970: 1_796_000_000.123)
        let started = created.addingTimeInterval(0.5)
        let finished = created.addingTimeInterval(61.999)
        let plain = PipelineRun(id: 1, pipeline: "demo_mlops", status: .completed, variables: ["rows": .int(1000), "seed": .int(42)],
                                createdAt: created, completedAt: finished, cancelRequested: false, retryOnHostFailure: false, hostFailures: 0)
        let odd = PipelineRun(id: 9_007_199_254_740_993, pipeline: Self.odd, status: .running, variables: [
            Self.odd: .string(Self.odd), "list": .list([.null, .bool(true), .bool(false), .double(0.1), .double(-2.5e-7), .int(-3)]),
            "map": .map(["z": .map([:]), "a": .list([]), "": .string("")]), "big": .double(1e300), "whole": .double(2),
        ], createdAt: created, startedAt: started, completedAt: nil, owner: Self.odd, leaseExpiresAt: finished, cancelRequested: true,
           retryOnHostFailure: true, hostFailures: 2)
        var scheduled = plain
        scheduled.id = 3
        scheduled.trigger = RunTrigger(scheduleID: 12, executionDate: created.addingTimeInterval(-0.25), timeout: 60, slaDueAt: finished)
        scheduled.slaMissedAt = finished.addingTimeInterval(0.001)
        scheduled.timedOutAt = finished
        var requested = odd
        requested.trigger = RunTrigger(scheduleID: 13, executionDate: nil)
        let blockRuns = [
            BlockRun(id: 7, pipelineRunID: 1, block: "make_dataset", status: .completed, attempts: 2, startedAt: started, completedAt: finished,
                     error: nil, logPath: nil, outputPath: nil, facets: ["schema": #"{"fields":[{"name":"a\"b","type":"int64"}]}"#, Self.odd: Self.odd]),
            BlockRun(id: 8, pipelineRunID: 1, block: "train", status: .failed, attempts: 3, startedAt: started, completedAt: nil,
                     error: Self.odd, logPath: "/x", outputPath: nil, facets: [:]),
            BlockRun(id: 9, pipelineRunID: 1, block: "export", status: .initial, attempts: 0, startedAt: nil, completedAt: nil,
                     error: nil, logPath: nil, outputPath: nil, facets: [:], nextAttemptAt: finished),
        ]
        return [
            PipelineRunResource(plain, summary: BlockRunSummary(counts: [.completed: 5, .failed: 1, .cancelled: 1], firstStartedAt: started)),
            PipelineRunResource(odd, summary: BlockRunSummary()),
            PipelineRunResource(plain, blockRuns: blockRuns),
            PipelineRunResource(odd, blockRuns: []),
            PipelineRunResource(scheduled, summary: BlockRunSummary(counts: [.completed: 1], firstStartedAt: nil)),
            PipelineRunResource(requested, blockRuns: blockRuns),
        ]
    }

    static func parsed(_ bytes: some Sequence<UInt8>) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test(arguments: [0, 1, 6])
    func aPageWrittenByHandIsThePageTheEncoderWrites(_ count: Int) throws {
        let items = Array(Self.page().prefix(count))
        for page in [ListPage(limit: 4, offset: 0), ListPage(limit: 4, offset: 10_000)] {
            let envelope = ListEnvelope("pipeline_runs", items, count: 10_000, page: page)
            let encoded = try JSONResponse.encoder.encode(envelope)
            let written = envelope.json
            #expect(try Self.parsed(written) == Self.parsed(encoded), "\(String(decoding: written, as: UTF8.self))")
        }
    }

    @Test func keysAreSortedAndNilFieldsLeftOut() throws {
        let run = Self.page()[1]
        var json = JSONWriter(capacity: 256)
        run.write(to: &json)
        #expect(!json.text.contains("completed_at") && !json.text.contains("block_runs\""))
        #expect(!json.text.contains("execution_date") && !json.text.contains("sla_missed_at") && !json.text.contains("timed_out_at"))
        // A run of a trigger names it, its tick, and its SLA and timeout stamps.
        let scheduled = ListEnvelope("pipeline_runs", [Self.page()[4]])
        let text = String(decoding: scheduled.json, as: UTF8.self)
        #expect(text == String(decoding: try JSONResponse.encoder.encode(scheduled), as: UTF8.self))
        #expect(text.contains(#""execution_date":"2026-11-30T"#) && text.contains(#""pipeline_schedule_id":12"#)
                && text.contains(#""sla_missed_at":"#) && text.contains(#""timed_out_at":"#), "\(text)")
        // The plain run writes the very bytes the encoder writes.
        let plain = ListEnvelope("pipeline_runs", [Self.page()[0]])
        #expect(String(decoding: plain.json, as: UTF8.self) == String(decoding: try JSONResponse.encoder.encode(plain), as: UTF8.self))
    }

    @Test func listsNamedBeforeMetadataComeFirst() throws {
        let envelope = ListEnvelope("block_runs", [BlockRunResource(BlockRun(
            id: 1, pipelineRunID: 2, block: "b", status: .running, attempts: 1, startedAt: Date(timeIntervalSince1970: 0), completedAt: nil,
            error: nil, logPath: nil, outputPath: nil, facets: [:]))])
        #expect(String(decoding: envelope.json, as: UTF8.self) == String(decoding: try JSONResponse.encoder.encode(envelope), as: UTF8.self))
    }
}
