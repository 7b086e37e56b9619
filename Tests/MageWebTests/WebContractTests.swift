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
    /// as 404 is for a pipeline that does not exist. Only this operation is allowed it.
    static let variablesArePerPipeline = """
        [[operations]]
        include-name = "POST /api/pipelines/{uuid}/pipeline_runs"
        checks.positive_data_acceptance.expected-statuses = ["2XX", 401, 403, 404, 409, 422]
        """

    /// With a token for the routes that change state, so the ignored_auth check calls them without it.
    @Test func schemathesisFindsNoFailureWithEveryCheck() async throws {
        let harness = try WebHarness()
        _ = try await harness.runDemo()
        for _ in 0..<2 { _ = try await harness.run("train") }
        try await harness.withLiveServer(access: APIAccess(token: "web-contract")) { base in
            let outcome = try await Schemathesis.run(schema: base.appendingPathComponent("api/openapi.json"),
                                                     headers: ["Authorization: Bearer web-contract"], maxExamples: 25,
                                                     extraConfiguration: Self.variablesArePerPipeline)
            #expect(!outcome.missing, "schemathesis is missing: run scripts/requirements.sh test (make test does)")
            #expect(outcome.passed, "schemathesis found failures:\n\(outcome.report)")
        }
    }
}
