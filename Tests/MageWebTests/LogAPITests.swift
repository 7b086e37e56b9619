import Foundation
import Hummingbird
import HummingbirdTesting
import MageHost
import MageTestSupport
import Testing
@testable import MageWeb

@Suite struct BlockLogFileTests {
    func file(_ text: String) throws -> BlockLogFile {
        let root = try TemporaryFolder.make("log-file")
        try "project_uuid: logs\n".write(to: root.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
        let project = try Project(root: root)
        let log = BlockLogFile(project: project, pipeline: "p", runID: 3, block: "b")
        try FileManager.default.createDirectory(at: log.url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: log.url)
        return log
    }

    @Test func linesComeWholeAndAPartialLastLineWaitsUntilTheEnd() throws {
        let log = try file("one\r\ntwo\nthr")
        #expect(log.path == ".mage_data/pipelines/p/runs/3/b/block.log")
        let first = try log.lines(from: 0, maxBytes: 1024, final: false)
        #expect(first.lines == ["one", "two"])
        #expect(first.offsets == [5, 9])
        #expect(!first.atEnd)
        let resumed = try log.lines(from: 5, maxBytes: 1024, final: true)
        #expect(resumed.lines == ["two", "thr"])
        #expect(resumed.next == 12 && resumed.atEnd)
        #expect(try log.lines(from: 12, maxBytes: 1024, final: true).lines.isEmpty)
        #expect(try log.lines(from: 500, maxBytes: 1024, final: true).next == 12)
    }

    @Test func aLineLongerThanOneReadComesInPiecesAndTheTailStartsAtALine() throws {
        let log = try file(String(repeating: "x", count: 10) + "\nshort\n")
        let piece = try log.lines(from: 0, maxBytes: 4, final: false)
        #expect(piece.lines == ["xxxx"] && piece.next == 4)
        let tail = try log.tail(maxBytes: 8)
        #expect(tail.text == "short\n")
        #expect(tail.truncated && tail.size == 17)
        #expect(try log.tail(maxBytes: 100).truncated == false)
    }
}

@Suite(.serialized) struct LogAPITests {
    func withClient(_ harness: WebHarness, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await harness.server().application().test(.router, body)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func pipelineLogsShowEachBlockRunsLogFilteredByRunAndBlock() async throws {
        let harness = try WebHarness()
        let run = try await harness.runDemo()
        let other = try harness.store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "broken", variables: [:], blocks: ["a"]))
        try await withClient(harness) { client in
            try await client.execute(uri: "/api/pipelines/demo/logs", method: .get) { response in
                #expect(response.status == .ok)
                let logs = try #require((try Self.json(response)["logs"] as? [[String: Any]])?.first)
                let entries = try #require(logs["block_run_logs"] as? [[String: Any]])
                #expect(Set(entries.compactMap { $0["block_uuid"] as? String }) == ["make_dataset", "preprocessing", "warehouse"])
                #expect(logs["total_block_run_log_count"] as? Int == 3)
                let training = try #require(entries.first { $0["block_uuid"] as? String == "preprocessing" })
                #expect((training["content"] as? String)?.contains("attempt 1 of block 'preprocessing'") == true)
                #expect(training["path"] as? String == ".mage_data/pipelines/demo/runs/\(run.id)/preprocessing/block.log")
            }
            try await client.execute(uri: "/api/pipelines/demo/logs?pipeline_run_id[]=\(run.id)&block_uuid[]=warehouse", method: .get) { response in
                let logs = try #require((try Self.json(response)["logs"] as? [[String: Any]])?.first)
                #expect((logs["block_run_logs"] as? [[String: Any]])?.compactMap { $0["block_uuid"] as? String } == ["warehouse"])
            }
            for (uri, status, message) in [
                ("/api/pipelines/demo/logs?pipeline_run_id[]=\(other.id)", 404, "pipeline 'demo' has no run \(other.id)"),
                ("/api/pipelines/demo/logs?pipeline_run_id[]=x", 400, "query key pipeline_run_id[] must be a positive whole number"),
                ("/api/pipelines/demo/logs?block_uuid[]=..", 400, "query key block_uuid[] must be"),
                ("/api/pipelines/nope/logs", 404, "no pipeline 'nope'"),
                ("/api/block_runs/999999/logs/stream", 404, "no block run 999999"),
                ("/api/block_runs/0/logs/stream", 400, "block run id must be a positive whole number"),
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(Int(response.status.code) == status, "\(uri)")
                    let error = try Self.json(response)["error"] as? String
                    #expect(error?.contains(message) == true, "\(uri): \(error ?? "-")")
                }
            }
        }
    }

    @Test func theStreamReplaysTheLogFollowsItAndEndsWithTheBlockRun() async throws {
        let harness = try WebHarness()
        let lease = Lease(owner: "test", until: .distantFuture)
        let run = try harness.store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "demo", variables: [:], blocks: ["make_dataset"],
                                                                              lease: lease))
        #expect(try harness.store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "make_dataset", status: .running,
                                                                    attempts: 1, startedAt: Date()), from: .initial, owner: lease.owner))
        let blockRun = try #require(try harness.store.blockRunList(pipelineRunID: run.id).first)
        let log = BlockLogFile(project: harness.project, pipeline: "demo", blockRun: blockRun)
        try FileManager.default.createDirectory(at: log.url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("first line\n".utf8).write(to: log.url)

        // While the stream is open: a second line, then the block run ends.
        let store = harness.store
        let writer = Task {
            try await Task.sleep(for: .milliseconds(300))
            let handle = try FileHandle(forWritingTo: log.url)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("second line\n".utf8))
            try handle.close()
            try await Task.sleep(for: .milliseconds(200))
            _ = try store.blockRunTransition(BlockRunUpdate(pipelineRunID: run.id, block: "make_dataset", status: .completed,
                                                            completedAt: Date()), from: .running, owner: lease.owner)
        }
        try await withClient(harness) { client in
            try await client.execute(uri: "/api/block_runs/\(blockRun.id)/logs/stream", method: .get) { response in
                #expect(response.headers[.contentType] == "text/event-stream")
                let text = String(buffer: response.body)
                let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(events.first == "id: 11\nevent: log\ndata: first line", "\(text)")
                #expect(events.contains("id: 23\nevent: log\ndata: second line"), "\(text)")
                let statuses = events.filter { $0.hasPrefix("event: status") }
                #expect(statuses.count == 2)
                #expect(statuses.first?.contains(#""status":"running""#) == true)
                #expect(statuses.last?.contains(#""status":"completed""#) == true)
                #expect(events.last?.hasPrefix("event: end\ndata: {") == true)
            }
            try await writer.value
            // Resuming after the first line: only what came after it.
            try await client.execute(uri: "/api/block_runs/\(blockRun.id)/logs/stream", method: .get,
                                     headers: [.init("Last-Event-ID")!: "11"]) { response in
                let logLines = String(buffer: response.body).components(separatedBy: "\n").filter { $0.hasPrefix("data: ") && !$0.contains("{") }
                #expect(logLines == ["data: second line"])
            }
            try await client.execute(uri: "/api/block_runs/\(blockRun.id)/logs/stream", method: .get,
                                     headers: [.init("Last-Event-ID")!: "eleven"]) { response in
                #expect(response.status == .badRequest)
            }
        }
    }
}
