import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import MageHost
import MageHTTP
import Testing
@testable import MageWeb

/// Starting, cancelling and retrying runs through the API, with a real dispatcher executing them.
@Suite struct RunActionAPITests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static let jsonType: HTTPFields = [.contentType: "application/json"]

    @Test func aRunPostedIsQueuedThenExecutedByTheDispatcher() async throws {
        let harness = try WebHarness()
        try await harness.withDispatcher { dispatcher in
            try await harness.server(dispatcher: dispatcher).application().test(.router) { client in
                let id: Int64 = try await client.execute(uri: "/api/pipelines/train/pipeline_runs", method: .post, headers: Self.jsonType,
                                                         body: Self.body(#"{"pipeline_run": {"variables": {}}}"#)) { response in
                    #expect(response.status == .created)
                    let run = try #require(try Self.json(response)["pipeline_run"] as? [String: Any])
                    #expect(run["pipeline_uuid"] as? String == "train")
                    #expect(["initial", "running"].contains(run["status"] as? String))
                    #expect((run["block_runs"] as? [[String: Any]])?.count == 4)
                    let id = Int64(try #require(run["id"] as? Int))
                    #expect(response.headers[.location] == "/api/pipeline_runs/\(id)")
                    return id
                }
                let run = try #require(try await harness.finished(id))
                let blocks = try harness.store.blockRunList(pipelineRunID: id)
                #expect(run.status == .completed, "\(blocks.map { "\($0.block): \($0.error ?? "")" })")
                #expect(run.owner == dispatcher.owner)
                #expect(try harness.store.modelVersionList(pipelineRunID: id, limit: 5).count == 1, "the run registered its model")
            }
        }
    }

    @Test func twentyRunsPostedAtOnceAreTwentyDistinctRunsThatAllComplete() async throws {
        let harness = try WebHarness()
        try WebHarness.write(pipeline: "quick", """
            variables: {rows: 50}
            blocks:
            - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, isolation: in_process,
               configuration: {rows: '{{ variables("rows") }}', seed: 1}}
            """, in: harness.project.root)
        try await harness.withDispatcher { dispatcher in
            try await harness.withLiveServer(dispatcher: dispatcher) { base in
                let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                    for i in 0..<20 {
                        group.addTask {
                            var request = URLRequest(url: base.appendingPathComponent("api/pipelines/quick/pipeline_runs"))
                            request.httpMethod = "POST"
                            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                            request.httpBody = Data(#"{"pipeline_run": {"variables": {"rows": \#(40 + i)}}}"#.utf8)
                            let (data, response) = try await URLSession.shared.data(for: request)
                            #expect((response as? HTTPURLResponse)?.statusCode == 201)
                            let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                            return Int64(try #require((body["pipeline_run"] as? [String: Any])?["id"] as? Int))
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(Set(ids).count == 20)
                for id in ids {
                    let run = try #require(try await harness.finished(id))
                    #expect(run.status == .completed)
                }
                let rows = try ids.compactMap { try harness.store.pipelineRunGet(id: $0)?.variables["rows"] }
                #expect(Set(rows.map(\.jsonText)).count == 20, "each run kept its own variables")
            }
        }
    }

    @Test func cancelAndRetryThroughPut() async throws {
        let harness = try WebHarness()
        let waiting = try harness.store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "demo", variables: [:], blocks: ["make_dataset"]))
        try await harness.server().application().test(.router) { client in
            let cancel = Self.body(#"{"pipeline_run": {"status": "cancelled"}}"#)
            try await client.execute(uri: "/api/pipeline_runs/\(waiting.id)", method: .put, headers: Self.jsonType, body: cancel) { response in
                #expect(response.status == .ok)
                let run = try #require(try Self.json(response)["pipeline_run"] as? [String: Any])
                #expect(run["status"] as? String == "cancelled")
                #expect(run["cancel_requested"] as? Bool == true)
            }
            try await client.execute(uri: "/api/pipeline_runs/\(waiting.id)", method: .put, headers: Self.jsonType, body: cancel) { response in
                #expect(response.status == .conflict)
                let error = try Self.json(response)["error"] as? String
                #expect(error?.contains("only an initial or running run can be cancelled") == true)
            }
            let retry = Self.body(#"{"pipeline_run": {"pipeline_run_action": "retry_blocks"}}"#)
            try await client.execute(uri: "/api/pipeline_runs/\(waiting.id)", method: .put, headers: Self.jsonType, body: retry) { response in
                #expect(response.status == .ok)
                let run = try #require(try Self.json(response)["pipeline_run"] as? [String: Any])
                #expect(run["status"] as? String == "initial")
                #expect((run["block_runs"] as? [[String: Any]])?.first?["status"] as? String == "initial")
            }
            try await client.execute(uri: "/api/pipeline_runs/\(waiting.id)", method: .put, headers: Self.jsonType, body: retry) { response in
                #expect(response.status == .conflict)
            }
        }
    }

    @Test(arguments: [
        ("POST", "/api/pipelines/nope/pipeline_runs", "{\"pipeline_run\": {}}", "application/json", 404, "no pipeline 'nope'"),
        ("POST", "/api/pipelines/..%2F..%2Fetc/pipeline_runs", "{\"pipeline_run\": {}}", "application/json", 400, "pipeline uuid must be"),
        ("POST", "/api/pipelines/demo/pipeline_runs", "{\"pipeline_run\": {}}", "text/plain", 415, "Content-Type must be application/json"),
        ("POST", "/api/pipelines/demo/pipeline_runs", "{\"pipeline_run\": ", "application/json", 400, "not valid JSON"),
        ("POST", "/api/pipelines/demo/pipeline_runs", "[1]", "application/json", 400, "must be a JSON object"),
        ("POST", "/api/pipelines/demo/pipeline_runs", "{\"run\": {}}", "application/json", 400, "unknown key 'run'"),
        ("POST", "/api/pipelines/demo/pipeline_runs", "{\"pipeline_run\": {\"varaibles\": {}}}", "application/json", 400, "unknown key pipeline_run.varaibles"),
        ("POST", "/api/pipelines/demo/pipeline_runs", "{\"pipeline_run\": {\"variables\": [1]}}", "application/json", 400, "variables must be a JSON object"),
        ("POST", "/api/pipelines/demo/pipeline_runs", "{\"pipeline_run\": {\"variables\": {\"rows\": \"many\"}}}", "application/json", 422,
         "pipeline_run.variables.rows: expected a number like its default 200, got text"),
        ("POST", "/api/pipelines/demo/pipeline_runs", "{\"pipeline_run\": {\"variables\": {\"seed\": 1}}}", "application/json", 422,
         "pipeline_run.variables.seed: the pipeline declares no such variable (declared: rows)"),
        ("POST", "/api/pipelines/broken/pipeline_runs", "{\"pipeline_run\": {}}", "application/json", 409, "pipeline 'broken' cannot run"),
        ("PUT", "/api/pipeline_runs/999", "{\"pipeline_run\": {\"status\": \"cancelled\"}}", "application/json", 404, "no pipeline run 999"),
        ("PUT", "/api/pipeline_runs/0", "{\"pipeline_run\": {\"status\": \"cancelled\"}}", "application/json", 400, "must be a positive whole number"),
        ("PUT", "/api/pipeline_runs/1", "{\"pipeline_run\": {\"status\": \"completed\"}}", "application/json", 422, "can only be set to cancelled"),
        ("PUT", "/api/pipeline_runs/1", "{\"pipeline_run\": {\"pipeline_run_action\": \"rerun\"}}", "application/json", 422, "the one action is retry_blocks"),
        ("PUT", "/api/pipeline_runs/1", "{\"pipeline_run\": {}}", "application/json", 400, "needs status (cancelled) or pipeline_run_action"),
    ])
    func badRunRequestsAreRefusedNamingTheProblem(method: String, uri: String, body: String, type: String, status: Int, message: String) async throws {
        let harness = try WebHarness()
        _ = try harness.store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "demo", variables: [:], blocks: ["make_dataset"]))
        try await harness.server().application().test(.router) { client in
            try await client.execute(uri: uri, method: HTTPRequest.Method(method)!, headers: [.contentType: type], body: Self.body(body)) { response in
                #expect(response.status.code == status, "\(String(buffer: response.body))")
                let error = try Self.json(response)["error"] as? String
                #expect(error?.contains(message) == true, "\(error ?? "no error")")
            }
        }
        #expect(try harness.store.pipelineRunCount(PipelineRunFilter()) == 1, "nothing was queued")
    }

    @Test func anOversizedBodyIs413AndWritesNeedTheToken() async throws {
        let harness = try WebHarness()
        try await harness.server(access: APIAccess(token: "secret-token")).application().test(.router) { client in
            let huge = Self.body("{\"pipeline_run\": {\"variables\": {\"rows\": \"" + String(repeating: "x", count: 2 << 20) + "\"}}}")
            try await client.execute(uri: "/api/pipelines/demo/pipeline_runs", method: .post,
                                     headers: [.contentType: "application/json", .authorization: "Bearer secret-token"], body: huge) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/api/pipelines/demo/pipeline_runs", method: .post, headers: Self.jsonType,
                                     body: Self.body(#"{"pipeline_run": {}}"#)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/pipeline_runs/1", method: .put, headers: Self.jsonType,
                                     body: Self.body(#"{"pipeline_run": {"status": "cancelled"}}"#)) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(try harness.store.pipelineRunCount(PipelineRunFilter()) == 0)
    }
}
