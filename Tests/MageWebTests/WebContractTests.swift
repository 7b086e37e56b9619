import Foundation
import MageHTTP
import MageHost
import MageTestSupport
import Testing
@testable import MageWeb

/// `/api/openapi.json` is the web API's contract: its operations are the router's routes, and
/// schemathesis with every check finds nothing against a project with real runs and models.
@Suite(.serialized) struct WebContractTests {
    @Test func theDocumentListsExactlyTheRoutes() throws {
        // The API's routes: the UI's pages and files (`/`, `/ui/<file>`) are not part of the contract.
        let routes = Set(try WebHarness().server().router().routes.filter { $0.path.description.hasPrefix("/api/") }
            .map { "\($0.method.rawValue) \($0.path)" })
        #expect(WebAPIDocument.routes == routes)
    }

    /// The document cannot say which variables each pipeline declares (one operation serves every
    /// pipeline), so a body valid by its schema may name a variable the pipeline does not have: 422,
    /// as 404 is for a pipeline that does not exist. Only these operations are allowed it.
    /// A trigger's definition is the same: its schedule text (a cron expression), its `start_time` and the
    /// combination of its keys are checked as triggers.yaml's are, which a schema cannot say.
    static let variablesArePerPipeline = [
        "POST /api/pipelines/{uuid}/pipeline_runs",
        "POST /api/pipelines/{uuid}/pipeline_schedules", "POST /api/pipeline_schedules", "PUT /api/pipeline_schedules/{id}",
        "POST /api/pipeline_schedules/{id}/api_trigger", "POST /api/pipeline_schedules/{id}/pipeline_runs/{token}",
    ].map { operation in
        """
        [[operations]]
        include-name = "\(operation)"
        checks.positive_data_acceptance.expected-statuses = ["2XX", 401, 403, 404, 409, 422]
        """
    }.joined(separator: "\n\n")

    /// With a token for the routes that change state, so the ignored_auth check calls them without it.
    @Test func schemathesisFindsNoFailureWithEveryCheck() async throws {
        let harness = try WebHarness()
        _ = try await harness.runDemo()
        for _ in 0..<2 { _ = try await harness.run("train") }
        // Triggers of both kinds, one with a token.
        for document: [String: ConfigValue] in [["name": .string("hook"), "schedule_type": .string("api"), "status": .string("active")],
                                                ["name": .string("daily"), "schedule_interval": .string("@daily")]] {
            let trigger = try TriggerFile.trigger(.map(document), pipeline: "train").get()
            let schedule = try harness.store.scheduleCreate(ScheduleDefinition(trigger: trigger, document: document, origin: .api), at: Date())
            if trigger.scheduleType == .api { _ = try TriggerToken.rotate(harness.store, id: schedule.id) }
        }
        try await harness.withLiveServer(access: APIAccess(token: "web-contract")) { base in
            let outcome = try await Schemathesis.run(schema: base.appendingPathComponent("api/openapi.json"),
                                                     headers: ["Authorization: Bearer web-contract"], maxExamples: 25,
                                                     extraConfiguration: Self.variablesArePerPipeline)
            #expect(!outcome.missing, "schemathesis is missing: run scripts/requirements.sh test (make test does)")
            #expect(outcome.passed, "schemathesis found failures:\n\(outcome.report)")
        }
    }
}
