import Foundation
import Testing
import MageHost
@testable import MageServing

@Suite(.serialized) struct PredictionServiceTests {
    @Test func servesTheSeedAPIAndRefusesBadInput() async throws {
        let harness = try ServingHarness()
        let version = try await harness.train()
        try await harness.withService(.init(port: 0, maxBatchRows: 5)) { service, base in
            let (healthStatus, health) = try await HTTP.json("GET", base, "/health")
            #expect(healthStatus == 200)
            #expect((health as? [String: Any])?["version"] as? String == version)

            let (status, body) = try await HTTP.json("POST", base, "/predict", exampleBody)
            #expect(status == 200)
            let result = try #require(body as? [String: Any])
            #expect(result["model_version"] as? String == version)
            let probability = try #require(result["probability"] as? [String: Double])
            let churn = try #require(probability["churn"]), noChurn = try #require(probability["no_churn"])
            #expect(abs(churn + noChurn - 1) < 1e-9)
            #expect(result["risk_level"] as? String == Predictions.riskLevel(churn))
            #expect(result["prediction"] as? Int == (churn > noChurn ? 1 : 0))

            let (batchStatus, batch) = try await HTTP.json("POST", base, "/predict", "[\(exampleBody), \(exampleBody)]")
            #expect(batchStatus == 200)
            #expect((batch as? [[String: Any]])?.count == 2)

            // Bad input: status and the offending fields.
            let bad: [(String, String?, Int, [String])] = [
                (#"{"account_age": 24}"#, "application/json", 422, ["monthly_charges", "satisfaction_score"]),
                (exampleBody.replacingOccurrences(of: "}", with: #", "extra": 1}"#), "application/json", 422, ["extra"]),
                (exampleBody.replacingOccurrences(of: "24", with: #""24""#), "application/json", 422, ["account_age"]),
                (exampleBody.replacingOccurrences(of: "24", with: "null"), "application/json", 422, ["account_age"]),
                (exampleBody.replacingOccurrences(of: "24", with: "true"), "application/json", 422, ["account_age"]),
                (exampleBody.replacingOccurrences(of: "24", with: #""NaN""#), "application/json", 422, ["account_age"]),
                (exampleBody.replacingOccurrences(of: "24", with: "NaN"), "application/json", 400, []),
                (exampleBody.replacingOccurrences(of: "24", with: "1e999"), "application/json", 400, []),
                ("", "application/json", 400, []),
                ("{", "application/json", 400, []),
                ("42", "application/json", 422, []),
                ("[1, 2]", "application/json", 422, []),
                ("[]", "application/json", 422, []),
                (exampleBody, "text/plain", 415, []),
                (exampleBody, nil, 415, []),
                ("[" + Array(repeating: exampleBody, count: 6).joined(separator: ",") + "]", "application/json", 413, []),
                ("[" + String(repeating: "0,", count: 4_500_000) + "0]", "application/json", 413, []),
            ]
            for (text, contentType, expected, fields) in bad {
                let (code, answer) = try await HTTP.json("POST", base, "/predict", text, contentType: contentType)
                #expect(code == expected, "\(text.prefix(80)) → \(code) \(answer)")
                let error = answer as? [String: Any]
                #expect(error?["error"] is String, "\(text.prefix(80))")
                let named = Set(((error?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
                for field in fields { #expect(named.contains(field), "\(text.prefix(80)): \(named)") }
            }
            #expect(try await HTTP.json("GET", base, "/health").0 == 200)

            // MLflow scoring.
            let features = service.follower.current()!.signature.featureNames
            let values = "[24, 65.5, 1569.5, 3, 4, 12, 0.8, 0.7, 2, 0.6]"
            for payload in [
                #"{"dataframe_split": {"columns": \#(String(decoding: try JSONEncoder().encode(features), as: UTF8.self)), "data": [\#(values)]}}"#,
                #"{"dataframe_records": [\#(exampleBody)]}"#,
                #"{"instances": [\#(exampleBody)]}"#,
                #"{"inputs": [\#(values)]}"#,
            ] {
                let (code, answer) = try await HTTP.json("POST", base, "/invocations", payload)
                #expect(code == 200, "\(payload): \(answer)")
                #expect(((answer as? [String: Any])?["predictions"] as? [Any])?.count == 1)
            }
            #expect(try await HTTP.send("GET", base, "/ping").0 == 200)

            let (_, metrics) = try await HTTP.send("GET", base, "/metrics")
            let text = String(decoding: metrics, as: UTF8.self)
            #expect(text.contains(#"mage_http_requests_total{route="/predict",method="POST",status="200"} 2"#), "\(text)")
            #expect(text.contains(#"mage_model_info{version="\#(version)"} 1"#))

            let (_, info) = try await HTTP.json("GET", base, "/model-info")
            #expect((info as? [String: Any])?["path"] as? String == "model_registry/\(version)")
        }
    }

    @Test func theOpenAPIDocumentListsExactlyTheRoutes() async throws {
        let harness = try ServingHarness()
        try await harness.withService { service, base in
            let routes = Set(service.router().routes.map { "\($0.method.rawValue) \($0.path)" })
            let (_, document) = try await HTTP.json("GET", base, "/openapi.json")
            let paths = try #require((document as? [String: Any])?["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(routes == documented)
        }
    }

    @Test func withoutAModelHealthSaysToRunThePipeline() async throws {
        let harness = try ServingHarness()
        try await harness.withService { _, base in
            let (status, body) = try await HTTP.json("GET", base, "/health")
            #expect(status == 503)
            #expect(((body as? [String: Any])?["message"] as? String)?.contains("run the pipeline") == true)
            #expect(try await HTTP.json("POST", base, "/predict", exampleBody).0 == 503)
            // Training while it runs: the next request is served without a restart.
            let version = try await harness.train()
            let (after, answer) = try await HTTP.json("POST", base, "/predict", exampleBody)
            #expect(after == 200)
            #expect((answer as? [String: Any])?["model_version"] as? String == version)
        }
    }

    @Test func concurrentLogPostsAreAllKept() async throws {
        let harness = try ServingHarness()
        try await harness.train()
        let n = 40
        try await harness.withService { _, base in
            let body = #"{"input_features": \#(exampleBody), "prediction": 1, "probability": {"churn": 0.8, "no_churn": 0.2}, "risk_level": "High", "user_id": "u1"}"#
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<n { group.addTask { (try await HTTP.json("POST", base, "/log-prediction", body).1 as? [String: Any])?["total_predictions"] as? Int ?? -1 } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(counts) == Set(1...n))
            let (_, lineage) = try await HTTP.json("GET", base, "/lineage?history_limit=1000")
            let predictions = ((lineage as? [String: Any])?["lineage"] as? [String: Any])?["predictions"] as? [String: Any]
            #expect(predictions?["count"] as? Int == n)
            #expect((predictions?["history"] as? [Any])?.count == n)
        }
    }

    @Test func theAuditLogIsFlushedOnGracefulShutdown() async throws {
        let harness = try ServingHarness()
        let version = try await harness.train()
        var answers: [String: Any] = [:]
        try await harness.withService(.init(port: 0, auditFlushInterval: .seconds(600))) { _, base in
            for _ in 0..<23 {
                let (code, _) = try await HTTP.json("POST", base, "/predict", exampleBody)
                #expect(code == 200)
            }
            let (code, answer) = try await HTTP.json("POST", base, "/predict", "[\(exampleBody)]")
            #expect(code == 200)
            answers = try #require((answer as? [[String: Any]])?.first)
            let (mlflow, _) = try await HTTP.json("POST", base, "/invocations", #"{"dataframe_records": [\#(exampleBody), \#(exampleBody)]}"#)
            #expect(mlflow == 200)
        }
        // Every answered request is in the store after the graceful shutdown, /invocations included.
        #expect(try harness.store.predictionSummary(modelVersion: version, source: .predict).count == 25)
        let kept = try harness.store.predictionList(modelVersion: version, source: .predict, limit: 25)
        let sent = try #require(try JSONSerialization.jsonObject(with: Data(exampleBody.utf8)) as? [String: Double])
        for (n, record) in kept.enumerated() {
            #expect(record.requestID != nil && record.latencyMilliseconds != nil)
            // Inputs as the client sent them, keys sorted; outputs always an array of /predict's answers.
            let inputs = try JSONSerialization.jsonObject(with: Data(record.inputs.utf8))
            let rows = (inputs as? [[String: Double]]) ?? [(inputs as? [String: Double]) ?? [:]]
            #expect(rows == Array(repeating: sent, count: n == 24 ? 2 : 1))
            #expect(record.inputs.hasPrefix(#"{"account_age":24,"contract_length":12,"#) || record.inputs.hasPrefix(#"[{"account_age":24,"#))
            let outputs = try #require(try JSONSerialization.jsonObject(with: Data(record.outputs.utf8)) as? [[String: Any]])
            #expect(outputs.count == rows.count && outputs.allSatisfy { $0["model_version"] as? String == version && $0["risk_level"] != nil })
        }
        let batchOutputs = try JSONSerialization.jsonObject(with: Data(kept[23].outputs.utf8)) as? [[String: Any]]
        #expect(kept[23].inputs.hasPrefix("["))
        #expect(batchOutputs?.first?["prediction_time"] as? String == answers["prediction_time"] as? String)
    }

    /// Under continuous load, 20 promotes and 20 rollbacks: no failed request, every answer from a
    /// version the pointer named, and once the pointer rests the next answers come from its version.
    /// (Each move is loaded off the request path: a request arriving meanwhile keeps the old model.)
    @Test func followsLatestUnderLoad() async throws {
        let harness = try ServingHarness()
        let a = try await harness.train()
        let b = try await harness.train()
        try await harness.withService { service, base in
            let stop = Locked(false)
            let load = Task {
                try await withThrowingTaskGroup(of: [(Int, String?)].self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            var answers: [(Int, String?)] = []
                            while !stop.current {
                                let (status, body) = try await HTTP.json("POST", base, "/predict", exampleBody)
                                answers.append((status, (body as? [String: Any])?["model_version"] as? String))
                            }
                            return answers
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
            }
            for _ in 0..<20 {
                try await Task.sleep(for: .milliseconds(15))
                try harness.registry.promote(a)
                try await Task.sleep(for: .milliseconds(15))
                _ = try harness.registry.rollback()
            }
            let resting = try #require(try harness.registry.latest()?.version)
            try await waitUntil("the resting version serves") { try await servedVersion(base) == resting }
            for _ in 0..<10 { #expect(try await servedVersion(base) == resting) }
            stop.withLock { $0 = true }
            let answers = try await load.value
            #expect(answers.count > 40)
            #expect(answers.allSatisfy { $0.0 == 200 })
            #expect(Set(answers.compactMap(\.1)) == [a, b])
            #expect(service.follower.slot.status.failures == 0)
        }
    }

    @Test func aModelThatFailsToLoadIsRefusedAndTheOldOneServes() async throws {
        let harness = try ServingHarness()
        let good = try await harness.train()
        let bad = try await harness.train()
        try "{ not a model".write(to: harness.project.root.appendingPathComponent("model_registry/\(bad)/model.json"),
                                  atomically: true, encoding: .utf8)
        try harness.registry.promote(good)
        try await harness.withService { service, base in
            try harness.registry.promote(bad)
            let (status, answer) = try await HTTP.json("POST", base, "/predict", exampleBody)
            #expect(status == 200)
            #expect((answer as? [String: Any])?["model_version"] as? String == good)
            try await waitUntil("the refusal is recorded") { service.follower.slot.status.lastFailure != nil }
            let (_, health) = try await HTTP.json("GET", base, "/health")
            let h = try #require(health as? [String: Any])
            #expect(h["status"] as? String == "degraded")
            #expect(((h["reload_error"] as? [String: Any])?["version"] as? String) == bad)
        }
    }
}
