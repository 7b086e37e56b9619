import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import MageHTTP
import MageTestSupport
import MageHost
@testable import MageServing

/// `/openapi.json` is the contract: its request schemas carry the served model's features, and
/// schemathesis (`--checks all`: bodies the schema allows are accepted, bodies it refuses get a 4xx,
/// every status and content type documented, 405 with `Allow` for methods a path lacks) finds nothing.
@Suite(.serialized) struct OpenAPIContractTests {
    @Test func requestSchemasCarryTheServedModelsFeaturesAndFollowIt() async throws {
        let harness = try ServingHarness()
        try await harness.withService { service, base in
            let (_, before) = try await HTTP.json("GET", base, "/openapi.json")
            #expect(Self.predictRow(before)?["type"] as? String == "object")
            #expect(Self.predictRow(before)?["required"] == nil)

            try await harness.train()
            // The new model loads off the request path: wait until it serves.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await HTTP.json("GET", base, "/health").0 != 200 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let features = try #require(service.follower.current()?.signature.featureNames)
            let (_, after) = try await HTTP.json("GET", base, "/openapi.json")
            let row = try #require(Self.predictRow(after))
            #expect(row["required"] as? [String] == features)
            #expect(row["additionalProperties"] as? Bool == false)
            #expect(Set(((row["properties"] as? [String: Any]) ?? [:]).keys) == Set(features))
        }
    }

    @Test func methodsAPathLacksGet405WithAllowAndUnknownPaths404() async throws {
        let harness = try ServingHarness()
        try await harness.withService { _, base in
            let (status, data, response) = try await Self.raw("DELETE", base, "/predict")
            #expect(status == 405)
            #expect(response.value(forHTTPHeaderField: "Allow") == "POST")
            #expect(String(decoding: data, as: UTF8.self).contains("/predict does not take DELETE"))

            let (getStatus, _, getResponse) = try await Self.raw("PUT", base, "/health")
            #expect(getStatus == 405)
            #expect(getResponse.value(forHTTPHeaderField: "Allow") == "GET")

            let (missing, body, _) = try await Self.raw("GET", base, "/nowhere")
            #expect(missing == 404)
            #expect(String(decoding: body, as: UTF8.self).contains("no route GET /nowhere"))
        }
    }

    @Test func malformedSplitColumnsAndHistoryLimitsAreRefused() async throws {
        let harness = try ServingHarness()
        try await harness.train()
        try await harness.withService { _, base in
            // A column named twice once brought the service down.
            let twice = #"{"dataframe_split": {"columns": ["account_age", "account_age"], "data": [[1, 2]]}}"#
            let (status, body) = try await HTTP.json("POST", base, "/invocations", twice)
            #expect(status == 400)
            #expect((body as? [String: Any])?["error"] as? String == "dataframe_split names the column 'account_age' twice")
            #expect(try await HTTP.json("POST", base, "/invocations", #"{"dataframe_split": {"data": [{"a": 1}]}}"#).0 == 400)
            #expect(try await HTTP.json("POST", base, "/invocations", #"{"dataframe_split": {"data": [], "extra": 1}}"#).0 == 400)
            #expect(try await HTTP.json("GET", base, "/health").0 == 200)

            for bad in ["abc", "-1", "100001", "1&history_limit=2"] {
                let (limitStatus, limitBody) = try await HTTP.json("GET", base, "/lineage?history_limit=\(bad)")
                #expect(limitStatus == 400, "\(bad)")
                #expect(((limitBody as? [String: Any])?["error"] as? String)?.contains("history_limit") == true)
            }
            #expect(try await HTTP.json("GET", base, "/lineage?history_limit=0").0 == 200)
        }
    }

    /// Open, and with a token every route but the probes needs (the token checks and 401 are held to the
    /// document too: schemathesis's ignored_auth check calls secured routes without it).
    @Test(arguments: [nil, APIAccess(token: "contract-token", scope: .all)])
    func schemathesisFindsNoFailureWithEveryCheck(access: APIAccess?) async throws {
        let harness = try ServingHarness()
        try await harness.train()
        try await harness.withService(.init(port: 0, access: access ?? APIAccess())) { _, base in
            let outcome = try await Schemathesis.run(schema: base.appendingPathComponent("openapi.json"),
                                                     headers: access?.token.map { ["Authorization: Bearer \($0)"] } ?? [])
            #expect(!outcome.missing, "schemathesis is missing: run scripts/requirements.sh test (make test does)")
            #expect(outcome.passed, "schemathesis found failures:\n\(outcome.report)")
        }
    }

    static func predictRow(_ document: Any) -> [String: Any]? {
        let paths = (document as? [String: Any])?["paths"] as? [String: Any]
        let predict = (paths?["/predict"] as? [String: Any])?["post"] as? [String: Any]
        let content = ((predict?["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
        return ((content?["schema"] as? [String: Any])?["oneOf"] as? [[String: Any]])?.first
    }

    static func raw(_ method: String, _ base: URL, _ path: String) async throws -> (Int, Data, HTTPURLResponse) {
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        let (data, response) = try await HTTP.session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, data, http)
    }
}
