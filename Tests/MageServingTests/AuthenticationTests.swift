import Foundation
import MageHTTP
import Testing
import MageHost
@testable import MageServing

@Suite(.serialized) struct AuthenticationTests {
    static let token = "s3cret-token"
    static let logBody = #"{"input_features": \#(exampleBody), "prediction": 1, "probability": {"churn": 0.8, "no_churn": 0.2}, "risk_level": "High"}"#

    @Test func withATokenRoutesThatChangeStateNeedIt() async throws {
        let harness = try ServingHarness()
        let version = try await harness.train()
        try await harness.withService(.init(port: 0, access: APIAccess(token: Self.token))) { _, base in
            for (method, path, body) in [("POST", "/reload", nil), ("POST", "/log-prediction", Self.logBody)] {
                let missing = try await HTTP.exchange(method, base, path, body)
                #expect(missing.status == 401, "\(path)")
                #expect(missing.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(path): \(missing.headers)")
                #expect((missing.json as? [String: Any])?["error"] is String)
                let wrong = try await HTTP.exchange(method, base, path, body, headers: ["Authorization": "Bearer \(Self.token)x"])
                #expect(wrong.status == 401)
                #expect(wrong.headers["www-authenticate"]?.contains("invalid_token") == true)
                let short = try await HTTP.exchange(method, base, path, body, headers: ["Authorization": "Bearer s3cret"])
                #expect(short.status == 401)
                let right = try await HTTP.exchange(method, base, path, body, headers: ["Authorization": "Bearer \(Self.token)"])
                #expect(right.status == 200, "\(path): \(right.json)")
            }
            // Only the authenticated log was stored: no forged record.
            #expect(try harness.store.predictionSummary(modelVersion: version, source: .logged).count == 1)
            // Predictions and reads stay open.
            #expect(try await HTTP.exchange("POST", base, "/predict", exampleBody).status == 200)
            #expect(try await HTTP.exchange("POST", base, "/invocations", #"{"instances": [\#(exampleBody)]}"#).status == 200)
            for path in ["/health", "/ping", "/model-info", "/metrics"] {
                #expect(try await HTTP.exchange("GET", base, path).status == 200, "\(path)")
            }
        }
    }

    @Test func scopeAllCoversEveryRouteButTheProbes() async throws {
        let harness = try ServingHarness()
        try await harness.train()
        try await harness.withService(.init(port: 0, access: APIAccess(token: Self.token, scope: .all))) { _, base in
            for path in ["/health", "/ping"] { #expect(try await HTTP.exchange("GET", base, path).status == 200, "\(path)") }
            for (method, path, body) in [("GET", "/model-info", nil), ("GET", "/metrics", nil), ("GET", "/openapi.json", nil),
                                         ("POST", "/predict", exampleBody), ("POST", "/reload", nil)] {
                #expect(try await HTTP.exchange(method, base, path, body).status == 401, "\(path)")
                let right = try await HTTP.exchange(method, base, path, body, headers: ["Authorization": "Bearer \(Self.token)"])
                #expect(right.status == 200, "\(path)")
            }
        }
    }

    @Test func theEnvironmentSetsTheTokenAndItsScope() throws {
        #expect(try APIAccess.fromEnvironment([:]) == APIAccess())
        #expect(try APIAccess.fromEnvironment(["MAGE_API_TOKEN": "t"]) == APIAccess(token: "t", scope: .writes))
        #expect(try APIAccess.fromEnvironment(["MAGE_API_TOKEN": "t", "MAGE_API_AUTH": "all"]) == APIAccess(token: "t", scope: .all))
        #expect(try APIAccess.fromEnvironment(["MAGE_API_TOKEN": "t", "MAGE_API_READ_TOKEN_REQUIRED": "1"]) == APIAccess(token: "t", scope: .all))
        #expect(try APIAccess.fromEnvironment(["MAGE_API_TOKEN": "t", "MAGE_API_READ_TOKEN_REQUIRED": "0"]) == APIAccess(token: "t", scope: .writes))
        #expect(throws: APIAccessError.self) { try APIAccess.fromEnvironment(["MAGE_API_READ_TOKEN_REQUIRED": "1"]) }
        #expect(throws: APIAccessError.self) { try APIAccess.fromEnvironment(["MAGE_API_TOKEN": "t", "MAGE_API_READ_TOKEN_REQUIRED": "yes"]) }
        #expect(throws: APIAccessError.self) {
            try APIAccess.fromEnvironment(["MAGE_API_TOKEN": "t", "MAGE_API_READ_TOKEN_REQUIRED": "1", "MAGE_API_AUTH": "writes"])
        }
        #expect(throws: APIAccessError.self) { try APIAccess.fromEnvironment(["MAGE_API_TOKEN": ""]) }
        #expect(throws: APIAccessError.self) { try APIAccess.fromEnvironment(["MAGE_API_AUTH": "all"]) }
        #expect(throws: APIAccessError.self) { try APIAccess.fromEnvironment(["MAGE_API_TOKEN": "t", "MAGE_API_AUTH": "some"]) }
        #expect(APIAccess().warning(listeningOn: "0.0.0.0")?.contains("MAGE_API_TOKEN") == true)
        #expect(APIAccess().warning(listeningOn: "127.0.0.1") == nil)
        #expect(APIAccess(token: "t").warning(listeningOn: "0.0.0.0") == nil)
    }
}
