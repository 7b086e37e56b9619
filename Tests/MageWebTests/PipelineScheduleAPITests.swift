import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MageHost
import MageHTTP
import Testing
@testable import MageWeb

/// `/api/pipeline_schedules` over a real store: triggers made, read, edited and deleted through the API,
/// and runs asked for through an api trigger's token, executed by a real dispatcher.
@Suite struct PipelineScheduleAPITests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any], "\(String(buffer: response.body))")
    }

    static func schedule(_ response: TestResponse) throws -> [String: Any] {
        try #require(try json(response)["pipeline_schedule"] as? [String: Any])
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
    static let jsonType: HTTPFields = [.contentType: "application/json"]

    static func quick(_ harness: WebHarness) throws {
        try WebHarness.write(pipeline: "quick", """
            variables: {rows: 50, label: none}
            blocks:
            - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, isolation: in_process,
               configuration: {rows: '{{ variables("rows") }}', seed: 1}}
            """, in: harness.project.root)
    }

    @Test func aTriggerIsCreatedListedEditedAndDeleted() async throws {
        let harness = try WebHarness()
        try await harness.server().application().test(.router) { client in
            let daily = #"{"pipeline_schedule": {"name": "nightly", "schedule_interval": "0 2 * * *", "start_time": "2026-12-01 00:00:00", "#
                + #""timezone": "Europe/Berlin", "status": "active", "variables": {"rows": 300}, "sla": 600, "settings": {"timeout": 120}}}"#
            let id = try await client.execute(uri: "/api/pipelines/demo/pipeline_schedules", method: .post, headers: Self.jsonType,
                                              body: Self.body(daily)) { response -> Int in
                #expect(response.status == .created)
                let schedule = try Self.schedule(response)
                let id = try #require(schedule["id"] as? Int)
                #expect(response.headers[.location] == "/api/pipeline_schedules/\(id)")
                #expect(schedule["name"] as? String == "nightly" && schedule["pipeline_uuid"] as? String == "demo")
                #expect(schedule["origin"] as? String == "api" && schedule["schedule_type"] as? String == "time")
                #expect(schedule["schedule_interval"] as? String == "0 2 * * *" && schedule["timezone"] as? String == "Europe/Berlin")
                #expect(schedule["start_time"] as? String == "2026-11-30T23:00:00.000Z")
                #expect(schedule["catch_up"] as? String == "last" && schedule["sla"] as? Double == 600)
                #expect((schedule["settings"] as? [String: Any])?["timeout"] as? Double == 120)
                #expect((schedule["variables"] as? [String: Any])?["rows"] as? Int == 300)
                let next = try #require(schedule["next_run_time"] as? String)
                #expect(next.hasSuffix("T02:00:00+01:00"), "\(next)")
                #expect(schedule["token"] == nil && schedule["pipeline_runs_in_progress"] as? Int == 0)
                return id
            }
            // The other create route names the pipeline in the body.
            let hook = #"{"pipeline_schedule": {"pipeline_uuid": "train", "name": "hook", "schedule_type": "api"}}"#
            try await client.execute(uri: "/api/pipeline_schedules", method: .post, headers: Self.jsonType, body: Self.body(hook)) { response in
                #expect(response.status == .created)
                let answer = try Self.schedule(response)
                #expect(answer["status"] as? String == "inactive", "inactive by default, as in triggers.yaml")
            }
            try await client.execute(uri: "/api/pipeline_schedules", method: .get) { response in
                let list = try Self.json(response)
                #expect((list["pipeline_schedules"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["nightly", "hook"])
                #expect((list["metadata"] as? [String: Any])?["count"] as? Int == 2)
            }
            for uri in ["/api/pipeline_schedules?pipeline_uuid=train", "/api/pipelines/train/pipeline_schedules"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let answer = try Self.json(response)
                    #expect((answer["pipeline_schedules"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["hook"])
                }
            }
            try await client.execute(uri: "/api/pipeline_schedules?_limit=1&_offset=1", method: .get) { response in
                let list = try Self.json(response)
                #expect((list["pipeline_schedules"] as? [[String: Any]])?.count == 1)
                #expect((list["metadata"] as? [String: Any])?["next"] as? Bool == false)
            }
            // Disabling is a merge of one key: the rest of the definition stays.
            try await client.execute(uri: "/api/pipeline_schedules/\(id)", method: .put, headers: Self.jsonType,
                                     body: Self.body(#"{"pipeline_schedule": {"status": "inactive"}}"#)) { response in
                #expect(response.status == .ok)
                let schedule = try Self.schedule(response)
                #expect(schedule["status"] as? String == "inactive" && schedule["next_run_time"] == nil)
                #expect(schedule["schedule_interval"] as? String == "0 2 * * *")
            }
            try await client.execute(uri: "/api/pipeline_schedules/\(id)", method: .put, headers: Self.jsonType,
                                     body: Self.body(#"{"pipeline_schedule": {"schedule_interval": "0 24 * * *", "sla": null}}"#)) { response in
                #expect(response.status == .unprocessableContent)
                let error = try Self.json(response)["error"] as? String
                #expect(error?.contains("pipeline_schedule.schedule_interval: hour: 24 is out of range 0-23") == true, "\(error ?? "")")
            }
            try await client.execute(uri: "/api/pipeline_schedules/\(id)", method: .put, headers: Self.jsonType,
                                     body: Self.body(#"{"pipeline_schedule": {"name": "hook2", "sla": null}}"#)) { response in
                #expect(response.status == .ok)
                let answer = try Self.schedule(response)
                #expect(answer["sla"] == nil, "null removes a key")
            }
            let stored = try #require(try harness.store.scheduleGet(id: Int64(id)))
            #expect(stored.definition.document["sla"] == nil && stored.definition.status == .inactive && stored.name == "hook2")
            try await client.execute(uri: "/api/pipeline_schedules/\(id)", method: .delete) { response in
                #expect(response.status == .ok)
                let answer = try Self.schedule(response)
                #expect(answer["name"] as? String == "hook2")
            }
            try await client.execute(uri: "/api/pipeline_schedules/\(id)", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func aFileTriggerEditedThroughTheAPIKeepsItsOrigin() async throws {
        let harness = try WebHarness()
        try "triggers:\n- {name: daily, schedule_interval: '@daily', start_time: '2026-12-01 00:00:00', status: active}\n"
            .write(to: harness.project.pipelinesDirectory.appendingPathComponent("demo/triggers.yaml"), atomically: true, encoding: .utf8)
        let loaded = TriggerFile.load(harness.project)
        _ = try harness.store.scheduleSyncFile(pipeline: "demo", loaded.definitions, refused: [], at: Date())
        let daily = try #require(try harness.store.scheduleList(pipeline: "demo").first)
        try await harness.server().application().test(.router) { client in
            try await client.execute(uri: "/api/pipeline_schedules/\(daily.id)", method: .put, headers: Self.jsonType,
                                     body: Self.body(#"{"pipeline_schedule": {"status": "inactive"}}"#)) { response in
                #expect(response.status == .ok)
                let answer = try Self.schedule(response)
                #expect(answer["origin"] as? String == "file")
            }
        }
        // The next sync of the unchanged file keeps the edit (the file wins only once its entry changes).
        _ = try harness.store.scheduleSyncFile(pipeline: "demo", TriggerFile.load(harness.project).definitions, refused: [], at: Date())
        #expect(try harness.store.scheduleGet(id: daily.id)?.definition.status == .inactive)
    }

    @Test(arguments: [
        ("POST", "/api/pipelines/nope/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "schedule_type": "api"}}"#, 404, "no pipeline 'nope'"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "schedule_intervall": "@daily"}}"#, 422,
         "pipeline_schedule.schedule_intervall: unknown key"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "schedule_interval": 5}}"#, 422,
         "pipeline_schedule.schedule_interval: "),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "interval": 60}}"#, 422,
         "pipeline_schedule.start_time: missing: an interval counts from start_time"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "schedule_type": "api", "timezone": "Mars/Olympus"}}"#, 422,
         "pipeline_schedule.timezone: 'Mars/Olympus' is not an IANA time zone name"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "schedule_type": "api", "settings": {"x": 1}}}"#, 422,
         "pipeline_schedule.settings.x: unknown key"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "schedule_type": "api", "variables": {"rows": "many"}}}"#, 422,
         "pipeline_schedule.variables.rows: expected a number like its default 200, got text"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": {"name": "taken", "schedule_type": "api"}}"#, 409,
         "pipeline 'demo' already has a trigger named 'taken'"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "pipeline_uuid": "train"}}"#, 400,
         "the path names the pipeline"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": "#, 400, "not valid JSON"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"pipeline_schedule": [1]}"#, 400, "pipeline_schedule must be a JSON object"),
        ("POST", "/api/pipelines/demo/pipeline_schedules", #"{"trigger": {}}"#, 400, "unknown key 'trigger'"),
        ("POST", "/api/pipeline_schedules", #"{"pipeline_schedule": {"name": "a"}}"#, 400, "pipeline_schedule.pipeline_uuid is required"),
        ("POST", "/api/pipeline_schedules", #"{"pipeline_schedule": {"name": "a", "pipeline_uuid": "../x"}}"#, 400,
         "pipeline_schedule.pipeline_uuid must be"),
        ("GET", "/api/pipeline_schedules/abc", "", 400, "pipeline schedule id must be a positive whole number, got 'abc'"),
        ("GET", "/api/pipeline_schedules/999", "", 404, "no pipeline schedule 999"),
        ("GET", "/api/pipelines/nope/pipeline_schedules", "", 404, "no pipeline 'nope'"),
        ("GET", "/api/pipeline_schedules?pipeline_uuid=a&pipeline_uuid=b", "", 400, "query key pipeline_uuid is given 2 times"),
        ("PUT", "/api/pipeline_schedules/1", #"{"pipeline_schedule": {"pipeline_uuid": "train"}}"#, 400, "pipeline_uuid cannot change"),
        ("PUT", "/api/pipeline_schedules/1", #"{"pipeline_schedule": {"status": "paused"}}"#, 422,
         "pipeline_schedule.status: 'paused' is not one of active, inactive"),
        ("PUT", "/api/pipeline_schedules/1", #"{"pipeline_schedule": {"schedule_type": "time"}}"#, 422, "pipeline_schedule.schedule_interval: missing"),
        ("PUT", "/api/pipeline_schedules/999", #"{"pipeline_schedule": {"status": "active"}}"#, 404, "no pipeline schedule 999"),
        ("DELETE", "/api/pipeline_schedules/0", "", 400, "must be a positive whole number"),
    ])
    func badScheduleRequestsAreRefusedNamingTheProblem(method: String, uri: String, body: String, status: Int, message: String) async throws {
        let harness = try WebHarness()
        let taken = try harness.store.scheduleCreate(ScheduleDefinition(pipeline: "demo", name: "taken", status: .inactive, scheduleType: .api,
                                                                        document: ["name": .string("taken"), "schedule_type": .string("api")],
                                                                        origin: .api, fileDigest: nil), at: Date())
        try await harness.server().application().test(.router) { client in
            try await client.execute(uri: uri, method: HTTPRequest.Method(method)!, headers: body.isEmpty ? [:] : Self.jsonType,
                                     body: Self.body(body)) { response in
                #expect(response.status.code == status, "\(String(buffer: response.body))")
                let error = try Self.json(response)["error"] as? String
                #expect(error?.contains(message) == true, "\(error ?? "no error")")
            }
        }
        #expect(try harness.store.scheduleList(pipeline: nil).map(\.id) == [taken.id], "nothing was created")
        #expect(try harness.store.scheduleGet(id: taken.id) == taken, "nothing was changed")
    }

    @Test func hostileBodiesAreRefused() async throws {
        let harness = try WebHarness()
        try await harness.server(access: APIAccess(token: "server-token")).application().test(.router) { client in
            let auth: HTTPFields = [.contentType: "application/json", .authorization: "Bearer server-token"]
            let huge = #"{"pipeline_schedule": {"name": ""# + String(repeating: "x", count: 2 << 20) + #""}}"#
            try await client.execute(uri: "/api/pipelines/demo/pipeline_schedules", method: .post, headers: auth, body: Self.body(huge)) { response in
                #expect(response.status == .contentTooLarge)
            }
            let control = "{\"pipeline_schedule\": {\"name\": \"a\", \"bad\\u001b[31mkey\": 1, \"schedule_type\": \"api\"}}"
            try await client.execute(uri: "/api/pipelines/demo/pipeline_schedules", method: .post, headers: auth, body: Self.body(control)) { response in
                #expect(response.status == .unprocessableContent)
                let error = try #require(try Self.json(response)["error"] as? String)
                #expect(error.contains("pipeline_schedule.bad?[31mkey: unknown key") && !error.contains("\u{1B}"), "\(error)")
            }
            // State-changing routes need the server's token.
            try await client.execute(uri: "/api/pipelines/demo/pipeline_schedules", method: .post, headers: Self.jsonType,
                                     body: Self.body(#"{"pipeline_schedule": {"name": "a", "schedule_type": "api"}}"#)) { response in
                #expect(response.status == .unauthorized)
            }
            for (method, uri) in [(HTTPRequest.Method.put, "/api/pipeline_schedules/1"), (.delete, "/api/pipeline_schedules/1"),
                                  (.post, "/api/pipeline_schedules/1/token")] {
                try await client.execute(uri: uri, method: method, headers: Self.jsonType, body: Self.body(#"{"pipeline_schedule": {}}"#)) { response in
                    #expect(response.status == .unauthorized, "\(method) \(uri)")
                }
            }
        }
        #expect(try harness.store.scheduleList(pipeline: nil).isEmpty)
    }
}
