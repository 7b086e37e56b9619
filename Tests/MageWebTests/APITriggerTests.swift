import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MageHost
import MageHTTP
import Testing
@testable import MageWeb

/// Runs asked for through an api trigger's own token, with a real dispatcher executing them.
@Suite struct APITriggerTests {
    typealias API = PipelineScheduleAPITests
    static let hook = #"{"pipeline_schedule": {"name": "hook", "schedule_type": "api", "status": "active", "variables": {"rows": 30}, "sla": 3600}}"#

    /// Creates the `hook` api trigger of `quick`; returns its id and its token, from the one answer that shows it.
    static func createHook(_ client: some TestClientProtocol, headers: HTTPFields = API.jsonType) async throws -> (Int, String) {
        try await client.execute(uri: "/api/pipelines/quick/pipeline_schedules", method: .post, headers: headers, body: API.body(hook)) { response in
            #expect(response.status == .created)
            let schedule = try API.schedule(response)
            let token = try #require(schedule["token"] as? String)
            #expect(token.count == 32 && token.allSatisfy(\.isHexDigit), "\(token)")
            #expect(schedule["next_run_time"] == nil)
            return (try #require(schedule["id"] as? Int), token)
        }
    }

    static func trigger(_ client: some TestClientProtocol, _ id: Int, bearer: String?, body: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = body == nil ? [:] : API.jsonType
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await client.execute(uri: "/api/pipeline_schedules/\(id)/api_trigger", method: .post, headers: headers,
                                        body: body.map(API.body)) { $0 }
    }

    @Test func aRunAskedWithTheTokenIsQueuedWithTheTriggersVariablesAndCompletes() async throws {
        let harness = try WebHarness()
        try API.quick(harness)
        try await harness.withDispatcher { dispatcher in
            try await harness.server(access: APIAccess(token: "server-token"), dispatcher: dispatcher).application().test(.router) { client in
                let (id, token) = try await Self.createHook(client, headers: [.contentType: "application/json", .authorization: "Bearer server-token"])
                // The trigger's token opens its route; the server's token is not needed there.
                let before = Date()
                let response = try await Self.trigger(client, id, bearer: token, body: #"{"pipeline_run": {"variables": {"label": "x"}}}"#)
                #expect(response.status == .created, "\(String(buffer: response.body))")
                let run = try #require(try API.json(response)["pipeline_run"] as? [String: Any])
                #expect(run["pipeline_schedule_id"] as? Int == id)
                #expect(["initial", "running"].contains(run["status"] as? String))
                #expect(run["execution_date"] == nil)
                let variables = try #require(run["variables"] as? [String: Any])
                #expect(variables["rows"] as? Int == 30 && variables["label"] as? String == "x", "the trigger's variables, the body's over them")
                let runID = Int64(try #require(run["id"] as? Int))
                #expect(response.headers[.location] == "/api/pipeline_runs/\(runID)")
                let stored = try #require(try harness.store.pipelineRunGet(id: runID))
                #expect(stored.trigger?.scheduleID == Int64(id) && stored.trigger?.executionDate == nil)
                let due = try #require(stored.trigger?.slaDueAt)
                #expect(due >= before.addingTimeInterval(3599) && due <= Date().addingTimeInterval(3601))
                #expect(try await harness.finished(runID)?.status == .completed)
                // No body at all is a run with the trigger's variables.
                let plain = try await Self.trigger(client, id, bearer: token)
                #expect(plain.status == .created)
                let plainID = Int64(try #require((try API.json(plain)["pipeline_run"] as? [String: Any])?["id"] as? Int))
                #expect(try harness.store.pipelineRunGet(id: plainID)?.variables["label"] == .string("none"))
                #expect(try await harness.finished(plainID)?.status == .completed)
                // An empty body of another type is no body too (`curl -X POST -d ''`).
                let form = try await client.execute(uri: "/api/pipeline_schedules/\(id)/api_trigger", method: .post,
                                                    headers: [.authorization: "Bearer \(token)", .contentType: "application/x-www-form-urlencoded"],
                                                    body: ByteBuffer()) { $0 }
                #expect(form.status == .created)
                let formID = Int64(try #require((try API.json(form)["pipeline_run"] as? [String: Any])?["id"] as? Int))
                #expect(try await harness.finished(formID)?.status == .completed)
                try await client.execute(uri: "/api/pipeline_schedules/\(id)", method: .get) { response in
                    let schedule = try API.schedule(response)
                    #expect(schedule["token"] as? String == "••••" + token.suffix(4))
                    #expect(schedule["last_pipeline_run_id"] as? Int == Int(formID) && schedule["last_pipeline_run_status"] as? String == "completed")
                    #expect(schedule["pipeline_runs_in_progress"] as? Int == 0)
                }
                try await client.execute(uri: "/api/pipeline_runs?_limit=5", method: .get) { response in
                    let runs = try #require(try API.json(response)["pipeline_runs"] as? [[String: Any]])
                    #expect(runs.compactMap { $0["pipeline_schedule_id"] as? Int } == [id, id, id])
                }
            }
        }
        let stored = try #require(try harness.store.scheduleList(pipeline: "quick").first)
        #expect(stored.tokenHint?.count == 4 && stored.tokenDigest?.count == 64, "only the digest and a hint are stored")
    }

    @Test func wrongTokensTimeTriggersAndInactiveTriggersAreRefused() async throws {
        let harness = try WebHarness()
        try API.quick(harness)
        try await harness.server().application().test(.router) { client in
            let (id, token) = try await Self.createHook(client)
            for bearer in [nil, "", "0123456789abcdef0123456789abcdef", token + "0", String(token.dropLast())] {
                let response = try await Self.trigger(client, id, bearer: bearer)
                #expect(response.status == .unauthorized, "\(bearer ?? "none")")
                let answer = try API.json(response)
                #expect(answer["error"] as? String != nil)
            }
            #expect(try await Self.trigger(client, 999, bearer: token).status == .notFound)
            try await client.execute(uri: "/api/pipeline_schedules/x/api_trigger", method: .post) { #expect($0.status == .badRequest) }
            let time = #"{"pipeline_schedule": {"name": "daily", "schedule_interval": "@daily", "status": "active"}}"#
            let timeID = try await client.execute(uri: "/api/pipelines/quick/pipeline_schedules", method: .post, headers: API.jsonType,
                                                  body: API.body(time)) { try #require(try API.schedule($0)["id"] as? Int) }
            let onTime = try await Self.trigger(client, timeID, bearer: token)
            #expect(onTime.status == .conflict)
            #expect((try API.json(onTime)["error"] as? String)?.contains("is a time trigger") == true)
            try await client.execute(uri: "/api/pipeline_schedules/\(timeID)/token", method: .post) { #expect($0.status == .conflict) }
            // Rotating: the new token works, the old one no longer does.
            let rotated = try await client.execute(uri: "/api/pipeline_schedules/\(id)/token", method: .post) { response in
                #expect(response.status == .ok)
                return try #require(try API.schedule(response)["token"] as? String)
            }
            #expect(rotated != token && rotated.count == 32)
            #expect(try await Self.trigger(client, id, bearer: token).status == .unauthorized)
            let bad = try await Self.trigger(client, id, bearer: rotated, body: #"{"pipeline_run": {"variables": {"rows": "many"}}}"#)
            #expect(bad.status == .unprocessableContent)
            #expect((try API.json(bad)["error"] as? String)?.contains("pipeline_run.variables.rows: expected a number") == true)
            for (body, message) in [(#"{"pipeline_run": {"vars": {}}}"#, "unknown key pipeline_run.vars"), ("{", "not valid JSON"),
                                    (#"{"pipeline_run": {"variables": 3}}"#, "variables must be a JSON object")] {
                let response = try await Self.trigger(client, id, bearer: rotated, body: body)
                #expect(response.status == .badRequest, "\(body)")
                let error = try API.json(response)["error"] as? String
                #expect(error?.contains(message) == true, "\(body): \(error ?? "")")
            }
            try await client.execute(uri: "/api/pipeline_schedules/\(id)/api_trigger", method: .post,
                                     headers: [.authorization: "Bearer \(rotated)"], body: API.body("x=1")) { #expect($0.status == .unsupportedMediaType) }
            try await client.execute(uri: "/api/pipeline_schedules/\(id)", method: .put, headers: API.jsonType,
                                     body: API.body(#"{"pipeline_schedule": {"status": "inactive"}}"#)) { #expect($0.status == .ok) }
            let inactive = try await Self.trigger(client, id, bearer: rotated)
            #expect(inactive.status == .conflict)
            #expect((try API.json(inactive)["error"] as? String)?.contains("trigger 'hook' is inactive") == true)
        }
        #expect(try harness.store.pipelineRunCount(PipelineRunFilter()) == 0, "nothing was queued")
    }

    /// Mage's older route carries the token in its path: it works, and no log line prints the token.
    @Test func theOlderRouteTakesTheTokenInItsPathAndLogsItMasked() async throws {
        let harness = try WebHarness()
        try API.quick(harness)
        let lines = LogLines()
        let logger = Logger(label: "mage.web") { _ in LogLines.Handler(lines: lines) }
        let server = try WebServer(project: harness.project, configuration: WebConfiguration(port: 0, pluginDirectories: [harness.pluginDirectory]),
                                   store: harness.store, logger: logger)
        try await server.application().test(.router) { client in
            let (id, token) = try await Self.createHook(client)
            try await client.execute(uri: "/api/pipeline_schedules/\(id)/pipeline_runs/\(token)", method: .post, headers: API.jsonType,
                                     body: API.body(#"{"pipeline_run": {"variables": {"rows": 5}}}"#)) { response in
                #expect(response.status == .created)
                let answer = try API.json(response)
                #expect(((answer["pipeline_run"] as? [String: Any])?["variables"] as? [String: Any])?["rows"] as? Int == 5)
            }
            try await client.execute(uri: "/api/pipeline_schedules/\(id)/pipeline_runs/\(token)x", method: .post) { #expect($0.status == .unauthorized) }
            let logged = lines.all
            #expect(logged.contains { $0.contains("queued by api trigger \(id) ('hook'): POST /api/pipeline_schedules/\(id)/pipeline_runs/••••") },
                    "\(logged)")
            #expect(!logged.contains { $0.contains(token) })
        }
        #expect(TriggerTokenPaths.masked("/api/pipeline_schedules/7/pipeline_runs/abc") == "/api/pipeline_schedules/7/pipeline_runs/••••")
        #expect(TriggerTokenPaths.masked("/api/pipeline_runs/7") == "/api/pipeline_runs/7")
    }

    @Test func tokensAreRandomHexAndComparedByDigest() {
        let tokens = (0..<200).map { _ in TriggerToken.random() }
        #expect(Set(tokens.map(\.text)).count == 200)
        #expect(tokens.allSatisfy { $0.text.count == 32 && $0.text.allSatisfy(\.isHexDigit) && $0.digest.count == 64 })
        #expect(TriggerToken.matches(tokens[0].text, digest: tokens[0].digest))
        #expect(!TriggerToken.matches(tokens[1].text, digest: tokens[0].digest))
        #expect(!TriggerToken.matches(tokens[0].text, digest: String(tokens[0].digest.dropLast())))
    }
}

/// Log lines kept in memory, as the log handler received them.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }

    struct Handler: LogHandler {
        let lines: LogLines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
                 function: String, line: UInt) {
            lines.append("\(level) \(message) \(metadata ?? [:])")
        }
    }
}
