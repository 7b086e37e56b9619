import Foundation
import Testing
@testable import MageExporters
import MageTestSupport

/// The lineage graph of the fixture run: data version → blocks → model version → deployment.
@Suite struct LineageGraphTests {
    @Test func theGraphFollowsDataToDeployment() throws {
        let graph = LineageGraph(try ExporterFixtures.lineage())
        let data = "data:data_v_20261129_160211", model = "model:v_20261129_160214", deployment = "deploy:v_20261129_160214"
        #expect(graph.nodes.map(\.id) == [data] + ["make_dataset", "preprocessing", "drift_features", "training", "drift_report",
                                                   "register", "deploy", "export_openlineage"].map { "block:\($0)" } + [model, deployment])
        let edges = graph.edges.map { "\($0.from) -> \($0.to)" }
        #expect(edges == [
            "block:make_dataset -> \(data)",
            "\(data) -> block:preprocessing",
            "\(data) -> block:drift_features",
            "block:preprocessing -> block:training",
            "block:drift_features -> block:drift_report",
            "block:training -> block:register",
            "block:register -> block:deploy",
            "block:deploy -> block:export_openlineage",
            "block:training -> \(model)",
            "\(model) -> \(deployment)",
        ])
        let dataNode = try #require(graph.nodes.first)
        #expect(dataNode.lines[1].hasPrefix("sha256:") && dataNode.lines[1].count == "sha256:".count + 12)
        #expect(dataNode.lines[2] == "1000 rows, 10 features")
        #expect(graph.nodes.first { $0.id == model }?.lines == ["v_20261129_160214", "RandomForestClassifier",
                                                                  "accuracy 0.86, roc_auc 0.91", "deployed"])
        #expect(graph.nodes.last?.lines == ["deployed", "2026-11-29T16:02:15.000Z"])
    }

    @Test func aRegisteredModelIsNotDeployed() throws {
        var object = try ExporterFixtures.lineageObject()
        var models = object["models"] as! [[String: Any]]
        models[0]["status"] = "registered"
        models[0]["deployed_at"] = NSNull()
        object["models"] = models
        let graph = LineageGraph(try ExporterFixtures.document(object))
        #expect(!graph.nodes.contains { $0.kind == .deployment })
        #expect(graph.nodes.last?.lines.last == "registered")
    }

    @Test func dot() throws {
        let dot = LineageGraph(try ExporterFixtures.lineage()).dot()
        #expect(dot.hasPrefix("digraph lineage {\n  graph [rankdir=LR, label=\"mlops_demo / demo_mlops run 7 (running)\""))
        #expect(dot.hasSuffix("}\n"))
        #expect(dot.contains(#""block:training" -> "model:v_20261129_160214";"#))
        #expect(dot.contains(#""model:v_20261129_160214" -> "deploy:v_20261129_160214";"#))
        #expect(dot.contains(##""block:drift_features" [shape=box, style="rounded,filled", fillcolor="#fde2e2", color="#c0392b", label="drift_features\nselect_columns (failed)\n1.42 s"];"##))
        #expect(dot.contains(#""data:data_v_20261129_160211" [shape=cylinder"#))
    }

    @Test func dotEscapesQuotesAndBackslashes() throws {
        var object = try ExporterFixtures.lineageObject()
        var blocks = object["blocks"] as! [[String: Any]]
        blocks[1]["kind"] = #"odd"kind\name"#
        object["blocks"] = blocks
        let dot = LineageGraph(try ExporterFixtures.document(object)).dot()
        #expect(dot.contains(#"label="preprocessing\nodd\"kind\\name (completed)\n0.21 s""#))
    }

    @Test(.enabled(if: ExporterFixtures.isInstalled("dot"), "Graphviz is not installed"))
    func graphvizParsesTheDOT() throws {
        let file = try TemporaryFolder.make("dot").appendingPathComponent("lineage.dot")
        try LineageGraph(try ExporterFixtures.lineage()).dot().write(to: file, atomically: true, encoding: .utf8)
        let (code, output) = try ExporterFixtures.run("dot", ["-Tsvg", "-o", "/dev/null", file.path])
        #expect(code == 0, "\(output)")
    }

    @Test func mermaid() throws {
        let mermaid = LineageGraph(try ExporterFixtures.lineage()).mermaid()
        let lines = mermaid.split(separator: "\n").map(String.init)
        #expect(lines.first == "flowchart LR")
        #expect(lines.contains(#"  data_data_v_20261129_160211[("data_v_20261129_160211<br/>sha256:"#
                               + String(try ExporterFixtures.lineage().datasets[0].hash.dropFirst(7).prefix(12)) + #"<br/>1000 rows, 10 features")]"#))
        #expect(lines.contains(#"  block_training("training<br/>churn_random_forest (completed)<br/>1.87 s")"#))
        #expect(lines.contains(#"  model_v_20261129_160214{{"v_20261129_160214<br/>RandomForestClassifier<br/>accuracy 0.86, roc_auc 0.91<br/>deployed"}}"#))
        #expect(lines.contains(#"  deploy_v_20261129_160214[["deployed<br/>2026-11-29T16:02:15.000Z"]]"#))
        #expect(lines.contains("  block_training --> model_v_20261129_160214"))
        #expect(lines.contains("  model_v_20261129_160214 --> deploy_v_20261129_160214"))
        #expect(lines.contains("  data_data_v_20261129_160211 --> block_preprocessing"))
        #expect(lines.contains("  class block_drift_features,block_drift_report failed"))
    }

    @Test func mermaidIDsAreSafeAndUnique() throws {
        var object = try ExporterFixtures.lineageObject()
        var blocks = object["blocks"] as! [[String: Any]]
        blocks[1]["uuid"] = "make-dataset"  // collides with make_dataset once cleaned
        blocks[1]["kind"] = #"a "quoted" <kind> #1"#
        blocks[3]["upstream"] = ["make-dataset"]
        object["blocks"] = blocks
        let mermaid = LineageGraph(try ExporterFixtures.document(object)).mermaid()
        #expect(mermaid.contains(#"  block_make_dataset_2("make-dataset<br/>a #quot;quoted#quot; #lt;kind#gt; #35;1 (completed)<br/>0.21 s")"#))
        #expect(mermaid.contains("  data_data_v_20261129_160211 --> block_make_dataset_2"))
    }
}
