import Foundation
import Testing
import MageHost
@testable import MageServing

@Suite(.serialized) struct ModelLoadingTests {
    @Test func aDeployedModelThatCannotLoadSaysSoAndWhy() async throws {
        let harness = try ServingHarness()
        let version = try await harness.train()
        try "{ not a model".write(to: harness.project.root.appendingPathComponent("model_registry/\(version)/model.json"),
                                  atomically: true, encoding: .utf8)
        try await harness.withService { _, base in
            let (status, answer) = try await HTTP.json("POST", base, "/predict", exampleBody)
            #expect(status == 503)
            let message = try #require((answer as? [String: Any])?["error"] as? String)
            #expect(message.hasPrefix("the deployed model \(version) could not be loaded: "), "\(message)")
            #expect(!message.contains("no model is deployed"))
            let (healthStatus, health) = try await HTTP.json("GET", base, "/health")
            #expect(healthStatus == 503)
            let h = try #require(health as? [String: Any])
            #expect((h["message"] as? String)?.hasPrefix("the deployed model \(version) could not be loaded") == true, "\(h)")
            #expect((h["reload_error"] as? [String: Any])?["version"] as? String == version)
            #expect(try await HTTP.json("GET", base, "/ping").0 == 503)
        }
    }

    /// A slow load (here: a model file padded with 6 million numbers the loader must parse and skip,
    /// as a big model would be) does not stall requests: they keep the old model until the swap.
    @Test func aSlowLoadDoesNotStallRequests() async throws {
        let harness = try ServingHarness()
        let old = try await harness.train()
        let new = try await harness.train()
        try harness.registry.promote(old)
        let modelFile = harness.project.root.appendingPathComponent("model_registry/\(new)/model.json")
        let model = try String(contentsOf: modelFile, encoding: .utf8)
        let padding = "{\"padding\": [" + String(repeating: "0,", count: 6_000_000) + "0],"
        try model.replacingCharacters(in: model.range(of: "{")!, with: padding).write(to: modelFile, atomically: true, encoding: .utf8)
        try await harness.withService { service, base in
            let clock = ContinuousClock()
            let promoted = clock.now
            try harness.registry.promote(new)
            var slowest = Duration.zero
            var answeredByOld = 0
            while true {
                let start = clock.now
                let (status, answer) = try await HTTP.json("POST", base, "/predict", exampleBody)
                slowest = max(slowest, clock.now - start)
                #expect(status == 200)
                guard (answer as? [String: Any])?["model_version"] as? String == old else { break }
                answeredByOld += 1
                #expect(clock.now - promoted < .seconds(60))
            }
            let load = clock.now - promoted
            // The load took long enough to tell, and no request waited anywhere near as long.
            #expect(load > .milliseconds(500), "the load took only \(load): the test cannot tell")
            #expect(answeredByOld >= 5, "only \(answeredByOld) requests were answered during the load")
            #expect(slowest * 2 < load, "a request took \(slowest) during a load of \(load)")
            #expect(service.follower.slot.status.failures == 0)
        }
    }
}
