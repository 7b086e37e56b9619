import Foundation
import Hummingbird
import HummingbirdTesting
import MageHost
import MageHTTP
import Testing
@testable import MageWeb

/// The REST API in process, over a real project: real runs in the SQLite store, real plugins.
@Suite struct WebAPITests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    func withClient(_ harness: WebHarness, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try harness.server().application()
        try await app.test(.router, body)
    }

    @Test func pipelinesShowTheirBlocksTheDAGAndMaskSecrets() async throws {
        let harness = try WebHarness()
        let run = try await harness.runDemo()
        try await withClient(harness) { client in
            try await client.execute(uri: "/api/pipelines", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response)
                let pipelines = try #require(body["pipelines"] as? [[String: Any]])
                #expect(pipelines.map { $0["uuid"] as? String } == ["broken", "demo", "train"])
                #expect((body["metadata"] as? [String: Any])?["count"] as? Int == 3)
                let broken = pipelines[0]
                let errors = try #require(broken["errors"] as? [[String: Any]])
                #expect((errors.first?["message"] as? String)?.contains("no_such_plugin") == true)
            }
            try await client.execute(uri: "/api/pipelines/demo", method: .get) { response in
                #expect(response.status == .ok)
                let pipeline = try #require(try Self.json(response)["pipeline"] as? [String: Any])
                #expect(pipeline["last_run_id"] as? Int64 == run.id)
                let blocks = try #require(pipeline["blocks"] as? [[String: Any]])
                let byUUID = Dictionary(uniqueKeysWithValues: blocks.map { ($0["uuid"] as! String, $0) })
                #expect(byUUID["make_dataset"]?["downstream_blocks"] as? [String] == ["preprocessing"])
                #expect(byUUID["preprocessing"]?["upstream_blocks"] as? [String] == ["make_dataset"])
                #expect(byUUID["preprocessing"]?["plugin"] as? String == "churn_preprocessing")
                #expect((byUUID["preprocessing"]?["retry_config"] as? [String: Any])?["retries"] as? Int == 2)
                #expect(byUUID["make_dataset"]?["status"] as? String == "completed")
                #expect(byUUID["warehouse"]?["status"] as? String == "failed")
                let configuration = try #require(byUUID["warehouse"]?["configuration"] as? [String: Any])
                #expect(configuration["url"] as? String == "********")
                #expect(!String(buffer: response.body).contains("hunter2"))
            }
        }
    }

    @Test func runsAreListedNewestFirstFilteredAndPaged() async throws {
        let harness = try WebHarness()
        let first = try await harness.runDemo()
        var ids: [Int64] = [first.id]
        for _ in 0..<44 {
            ids.append(try harness.store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "demo", variables: [:], blocks: ["make_dataset"])).id)
        }
        let created = ids
        try await withClient(harness) { client in
            try await client.execute(uri: "/api/pipeline_runs", method: .get) { response in
                let body = try Self.json(response)
                let runs = try #require(body["pipeline_runs"] as? [[String: Any]])
                #expect(runs.count == 40)
                #expect(runs.first?["id"] as? Int64 == created.last)
                #expect(body["metadata"] as? [String: Any] as NSDictionary? == ["count": 45, "next": true])
            }
            try await client.execute(uri: "/api/pipeline_runs?_limit=10&_offset=40", method: .get) { response in
                let body = try Self.json(response)
                let runs = try #require(body["pipeline_runs"] as? [[String: Any]])
                #expect(runs.map { $0["id"] as? Int64 } == created.prefix(5).reversed().map { $0 })
                #expect((body["metadata"] as? [String: Any])?["next"] as? Bool == false)
                let oldest = try #require(runs.last)
                #expect(oldest["status"] as? String == "failed")
                #expect(oldest["block_runs_count"] as? Int == 3)
                #expect(oldest["completed_block_runs_count"] as? Int == 2)
                #expect(oldest["started_at"] is String)
            }
            try await client.execute(uri: "/api/pipeline_runs?pipeline_uuid=demo&status[]=failed&status[]=completed", method: .get) { response in
                let runs = try #require(try Self.json(response)["pipeline_runs"] as? [[String: Any]])
                #expect(runs.map { $0["id"] as? Int64 } == [first.id])
            }
            try await client.execute(uri: "/api/pipeline_runs/\(first.id)", method: .get) { response in
                let run = try #require(try Self.json(response)["pipeline_run"] as? [String: Any])
                let blockRuns = try #require(run["block_runs"] as? [[String: Any]])
                let warehouse = try #require(blockRuns.first { $0["block_uuid"] as? String == "warehouse" })
                #expect(warehouse["status"] as? String == "failed")
                #expect((warehouse["error"] as? String)?.contains("127.0.0.1") == true)
                #expect(!String(buffer: response.body).contains("hunter2"))
            }
            try await client.execute(uri: "/api/block_runs?pipeline_run_id=\(first.id)", method: .get) { response in
                let blockRuns = try #require(try Self.json(response)["block_runs"] as? [[String: Any]])
                #expect(Set(blockRuns.compactMap { $0["block_uuid"] as? String }) == ["make_dataset", "preprocessing", "warehouse"])
                #expect(blockRuns.allSatisfy { ($0["attempts"] as? Int ?? 0) >= 1 })
            }
        }
    }

    @Test func statusesPluginsAndDatasets() async throws {
        let harness = try WebHarness()
        let run = try await harness.runDemo()
        try await withClient(harness) { client in
            try await client.execute(uri: "/api/statuses", method: .get) { response in
                let status = try #require((try Self.json(response)["statuses"] as? [[String: Any]])?.first)
                #expect(status["project_uuid"] as? String == "web_test")
                #expect(status["store"] as? String == "sqlite")
                #expect(status["plugin_count"] as? Int == 4)
                #expect(status["active_runs"] as? Int == 0)
            }
            try await client.execute(uri: "/api/plugins", method: .get) { response in
                let plugins = try #require(try Self.json(response)["plugins"] as? [String: Any])
                let libraries = try #require(plugins["libraries"] as? [[String: Any]])
                let kinds = libraries.flatMap { ($0["block_kinds"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
                #expect(kinds.contains("churn_synthetic") && kinds.contains("churn_preprocessing"))
            }
            try await client.execute(uri: "/api/datasets?pipeline_run_id=\(run.id)", method: .get) { response in
                #expect(response.status == .ok)
                let datasets = try #require(try Self.json(response)["datasets"] as? [[String: Any]])
                #expect(!datasets.isEmpty)
            }
        }
    }

    @Test(arguments: [
        ("/api/pipelines/..", 400, "pipeline uuid must be"),
        ("/api/pipelines/no_such", 404, "no pipeline 'no_such'"),
        ("/api/pipelines/a%00b", 400, "pipeline uuid must be"),
        ("/api/pipeline_runs/abc", 400, "pipeline run id must be a positive whole number"),
        ("/api/pipeline_runs/-3", 400, "pipeline run id must be a positive whole number"),
        ("/api/pipeline_runs/999999", 404, "no pipeline run 999999"),
        ("/api/pipeline_runs?_limit=0", 400, "query key _limit must be a whole number from 1 to 1000"),
        ("/api/pipeline_runs?_limit=100000", 400, "query key _limit must be a whole number from 1 to 1000"),
        ("/api/pipeline_runs?_offset=-1", 400, "query key _offset"),
        ("/api/pipeline_runs?_limit=1&_limit=2", 400, "query key _limit is given 2 times"),
        ("/api/pipeline_runs?status[]=sideways", 400, "a pipeline run status is one of initial, running, completed, failed, cancelled"),
        ("/api/pipeline_runs?pipeline_uuid=../etc", 400, "query key pipeline_uuid must be"),
        ("/api/block_runs", 400, "query key pipeline_run_id is required"),
        ("/api/block_runs?pipeline_run_id=7", 404, "no pipeline run 7"),
        ("/api/nothing_here", 404, "no route GET /api/nothing_here"),
    ])
    func badRequestsGetTheirStatusAndAnErrorNamingTheProblem(uri: String, status: Int, message: String) async throws {
        let harness = try WebHarness()
        try await withClient(harness) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(Int(response.status.code) == status, "\(uri)")
                #expect(response.headers[.contentType] == "application/json")
                let body = try Self.json(response)
                #expect(body["status_code"] as? Int == status)
                #expect((body["error"] as? String)?.contains(message) == true, "\(uri): \(body["error"] ?? "-")")
            }
        }
    }
}

@Suite struct WebAuthenticationTests {
    @Test func withTheTokenRequiredForEveryRouteOnlyStatusesStayOpen() async throws {
        let harness = try WebHarness()
        let server = try WebServer(project: harness.project, configuration: WebConfiguration(
            port: 0, pluginDirectories: [harness.pluginDirectory], access: APIAccess(token: "s3cret", scope: .all)))
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/api/statuses", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/pipelines", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            try await client.execute(uri: "/api/pipelines", method: .get, headers: [.authorization: "Bearer wrong"]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/api/pipelines", method: .get, headers: [.authorization: "Bearer s3cret"]) {
                #expect($0.status == .ok)
            }
        }
    }
}

@Suite struct QueryKeyTests {
    /// Browsers encode the brackets of list keys (`URLSearchParams`): `status%5B%5D` is `status[]`.
    @Test func percentEncodedListKeysAreReadAsTheirKeys() async throws {
        let harness = try WebHarness()
        let run = try harness.store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "demo", variables: [:], blocks: ["make_dataset"]))
        #expect(try harness.store.pipelineRunTransition(RunTransition(runID: run.id, from: .initial, owner: nil, to: .failed)))
        _ = try harness.store.pipelineRunCreate(PipelineRunCreateParams(pipeline: "demo", variables: [:], blocks: ["make_dataset"]))
        try await harness.server().application().test(.router) { client in
            try await client.execute(uri: "/api/pipeline_runs?status%5B%5D=failed", method: .get) { response in
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect((body["pipeline_runs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(run.id)])
            }
            try await client.execute(uri: "/api/pipeline_runs?status%5B%5D=sideways", method: .get) { #expect($0.status == .badRequest) }
        }
    }
}
