import Foundation
import Hummingbird
import HummingbirdTesting
import MageHost
import MageHTTP
import Testing
@testable import MageWeb

@Suite(.serialized) struct ModelAPITests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func modelsAreListedNewestFirstWithLatestAndReadWithTheirDocuments() async throws {
        let harness = try WebHarness()
        for _ in 0..<2 { #expect(try await harness.run("train").status == .completed) }
        let versions = try harness.store.modelVersionList(pipelineRunID: nil, limit: 10).map(\.version)
        try await harness.server().application().test(.router) { client in
            try await client.execute(uri: "/api/models", method: .get) { response in
                let body = try Self.json(response)
                let models = try #require(body["models"] as? [[String: Any]])
                #expect(models.compactMap { $0["version"] as? String } == versions)
                #expect(models.map { $0["latest"] as? Bool } == [true, false])
                #expect((models.first?["metrics"] as? [String: Any])?["roc_auc"] != nil)
                #expect((body["metadata"] as? [String: Any])?["count"] as? Int == 2)
            }
            try await client.execute(uri: "/api/models?_limit=1&_offset=1", method: .get) { response in
                let body = try Self.json(response)
                #expect((body["models"] as? [[String: Any]])?.compactMap { $0["version"] as? String } == [versions[1]])
                #expect((body["metadata"] as? [String: Any])?["next"] as? Bool == false)
            }
            try await client.execute(uri: "/api/models/\(versions[1])", method: .get) { response in
                let model = try #require(try Self.json(response)["model"] as? [String: Any])
                #expect(model["latest"] as? Bool == false)
                #expect((model["hyperparameters"] as? [String: Any])?["n_estimators"] as? Int == 5)
                #expect((model["feature_importance"] as? [String: Any])?.isEmpty == false)
                #expect(((model["lineage"] as? [String: Any])?["data_lineage"] as? [String: Any])?["rows"] as? Int == 300)
            }
            for (uri, status, message) in [("/api/models/v_19990101_000000", 404, "no model version 'v_19990101_000000'"),
                                           ("/api/models/..", 400, "model version must be")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(Int(response.status.code) == status)
                    #expect((try? Self.json(response)["error"] as? String)??.contains(message) == true, "\(uri)")
                }
            }
        }
    }

    @Test func promoteAndRollbackMoveLatestAndNeedTheTokenWhenOneIsSet() async throws {
        let harness = try WebHarness()
        let first = try await harness.run("train")
        #expect(try await harness.run("train").status == .completed)
        let versions = try harness.store.modelVersionList(pipelineRunID: nil, limit: 10).map(\.version)
        #expect(first.status == .completed && versions.count == 2)
        let server = try WebServer(project: harness.project, configuration: WebConfiguration(
            port: 0, pluginDirectories: [harness.pluginDirectory], access: APIAccess(token: "t0ken")))
        let auth: HTTPFields = [.authorization: "Bearer t0ken"]
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/api/models/\(versions[1])/promote", method: .post) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/models/\(versions[1])/promote", method: .post, headers: auth) { response in
                #expect(response.status == .ok)
                let model = try #require(try Self.json(response)["model"] as? [String: Any])
                #expect(model["version"] as? String == versions[1] && model["latest"] as? Bool == true)
            }
            #expect(try ModelRegistry(project: harness.project, store: harness.store).latest()?.version == versions[1])
            try await client.execute(uri: "/api/models/rollback", method: .post, headers: auth) { response in
                let model = try Self.json(response)["model"] as? [String: Any]
                #expect(model?["version"] as? String == versions[0])
            }
            // History: register A, register B, promote A; rollbacks go to B, then A, then there is nothing left.
            try await client.execute(uri: "/api/models/rollback", method: .post, headers: auth) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/models/rollback", method: .post, headers: auth) { response in
                #expect(response.status == .conflict)
                let error = try Self.json(response)["error"] as? String
                #expect(error?.contains("nothing to roll back to") == true)
            }
            try await client.execute(uri: "/api/models/v_19990101_000000/promote", method: .post, headers: auth) { #expect($0.status == .notFound) }
            // The literal path wins over /api/models/{version}, as the router routes it: 405, not a lookup of "rollback".
            try await client.execute(uri: "/api/models/rollback", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
            }
        }
    }

    @Test func theLineageGraphLinksDataRunsModelsAndWhereTheyServe() async throws {
        let harness = try WebHarness()
        for _ in 0..<2 { #expect(try await harness.run("train").status == .completed) }
        let models = try harness.store.modelVersionList(pipelineRunID: nil, limit: 10)
        _ = try ModelRegistry(project: harness.project, store: harness.store).deploy(models[1].version)
        try await harness.server().application().test(.router) { client in
            try await client.execute(uri: "/api/lineage", method: .get) { response in
                let body = try #require(try Self.json(response)["lineage"] as? [String: Any])
                let nodes = try #require(body["nodes"] as? [[String: Any]])
                let edges = try #require(body["edges"] as? [[String: Any]]).map {
                    "\($0["from"] as? String ?? "") -\($0["relation"] as? String ?? "")-> \($0["to"] as? String ?? "")"
                }
                #expect(nodes.filter { $0["type"] as? String == "model" }.count == 2)
                #expect(nodes.filter { $0["type"] as? String == "dataset" }.count == 2)
                for model in models {
                    #expect(edges.contains("run:\(model.pipelineRunID) -trained-> model:\(model.version)"))
                    let data = try harness.store.datasetVersionList(pipelineRunID: model.pipelineRunID, limit: 10)
                    #expect(data.count == 1 && edges.contains("data:\(data[0].version) -used_by-> run:\(model.pipelineRunID)"))
                }
                #expect(edges.contains("model:\(models[0].version) -latest-> latest"))
                #expect(edges.contains("model:\(models[1].version) -deployed-> deployment"))
            }
            try await client.execute(uri: "/api/lineage?_limit=0", method: .get) { #expect($0.status == .badRequest) }
        }
    }
}
