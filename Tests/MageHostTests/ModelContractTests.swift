import Foundation
import Testing
@testable import MageHost

/// The model contract through real plugins: the host writes signature.json from the training table and
/// what the model declared, and registration refuses a model the host cannot serve, saying why.
@Suite struct ModelContractTests {
    static func pipeline(model: String, configuration: String = "{}") -> String {
        """
        blocks:
        - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 200, seed: 3}}
        - {uuid: training, type: model, plugin: \(model), upstream_blocks: [make_dataset], configuration: \(configuration)}
        - {uuid: registry, type: data_exporter, plugin: c_register, upstream_blocks: [training]}
        """
    }

    static func harness(_ pipelines: [String: String]) throws -> ExecutorTests.Harness {
        try ExecutorTests.Harness(pipelines: pipelines, fixtures: ["c_model", "c_unservable", "c_registry", "abi_1_1_model"],
                                  swift: ["MageDataLoaders"])
    }

    static let churnFeatures = [
        "account_age", "monthly_charges", "total_charges", "num_services", "customer_service_calls",
        "contract_length", "payment_method_score", "usage_frequency", "support_tickets", "satisfaction_score",
    ]

    @Test(arguments: [
        ("c_no_signature", "no signature.json: the model's train declared no signature (declare_model_signature, or the kind's label_key)"),
        ("c_load_fails", "load failed: cannot load ARTIFACTS: c_unservable: model.txt was written by a newer version of this plugin"),
        ("c_load_too_wide", "load reports 11 features, signature.json lists 10"),
        ("c_predict_fails", "predict failed on a row of zeros: c_unservable: predict has no trees to walk"),
        ("c_predict_one_output", "predict left probability 1 of 2 unwritten or NaN on a row of zeros"),
    ])
    func registrationRefusesAModelTheHostCannotServe(model: String, problem: String) async throws {
        let harness = try Self.harness(["p": Self.pipeline(model: model)])
        let summary = try await harness.run("p")
        #expect(ExecutorTests.block(summary, "training").status == .completed, "it trains without complaint")
        let artifacts = harness.project.blockRunDirectory(pipeline: "p", runID: summary.run.id, block: "training")
            .appendingPathComponent("artifacts")
        let expected = "register_model: model block 'training' (\(model)) cannot be served, so it is not registered: "
            + problem.replacingOccurrences(of: "ARTIFACTS", with: artifacts.path)
        #expect(ExecutorTests.block(summary, "registry").error == expected)
        // Nothing moved: no version, no pointer, no staging folder, no event.
        let registry = ModelRegistry(project: harness.project, store: harness.store)
        #expect(try registry.latest() == nil)
        #expect(try harness.store.modelVersionList(pipelineRunID: nil, limit: 10).isEmpty)
        #expect(try harness.store.registryEventList().isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: registry.root.path)) ?? []).isEmpty)
    }

    @Test func theHostWritesTheSignatureAModelDeclared() async throws {
        let harness = try Self.harness(["p": Self.pipeline(model: "c_base_rate")])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")
        let latest = try #require(try ModelRegistry(project: harness.project, store: harness.store).latest())
        let signature = try ModelSignatureFile.read(in: harness.project.root.appendingPathComponent(latest.path))
        #expect(signature.features.map(\.name) == Self.churnFeatures, "every column but the label, in table order")
        #expect(signature.features.allSatisfy { $0.type == "float64" })
        #expect(signature.label == "churn")
        #expect(signature.classes == [.int(0), .int(1)])
    }

    @Test func theKindsLabelKeyIsEnoughForASignature() async throws {
        let harness = try Self.harness([
            "p": Self.pipeline(model: "c_label_key", configuration: "{label_column: churn}"),
            "unset": Self.pipeline(model: "c_label_key"),
        ])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")
        let latest = try #require(try ModelRegistry(project: harness.project, store: harness.store).latest())
        let signature = try ModelSignatureFile.read(in: harness.project.root.appendingPathComponent(latest.path))
        #expect(signature.features.map(\.name) == Self.churnFeatures && signature.label == "churn")

        let unset = try await harness.run("unset")
        #expect(ExecutorTests.block(unset, "training").error
                == "the model trained, but its signature is wrong: the configuration key 'label_column' that names the label is not set")
    }

    @Test func aSignatureNamingAMissingColumnFailsTraining() async throws {
        let harness = try Self.harness(["p": Self.pipeline(model: "c_declares_unknown_feature")])
        let summary = try await harness.run("p")
        let error = try #require(ExecutorTests.block(summary, "training").error)
        #expect(error.hasPrefix("declare_model_signature: feature 'tenure' is not a column of the training table (columns: account_age, "))
    }

    @Test func aPluginThatWritesItsOwnSignatureUnderABI1_1StillRegisters() async throws {
        let harness = try Self.harness(["p": Self.pipeline(model: "c_abi_1_1_model")])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")
        let latest = try #require(try ModelRegistry(project: harness.project, store: harness.store).latest())
        let signature = try ModelSignatureFile.read(in: harness.project.root.appendingPathComponent(latest.path))
        #expect(signature.features.count == 10)
    }

    @Test func aSignatureThatIsNotOneIsNamedPrecisely() throws {
        let folder = try TestEnvironment.project(pipelines: [:]).root
        try Data(#"{"features": [{"name": "x"}], "classes": [0, 1]}"#.utf8)
            .write(to: folder.appendingPathComponent("signature.json"))
        #expect {
            try ModelSignatureFile.read(in: folder)
        } throws: { error in
            "\(error)" == "signature.json is not a signature (features, label, classes): missing key 'features.[0].type'"
        }
    }
    @Test func derivedColumnKeepsTheUpstreamSchemaMetadata() async throws {
        let harness = try ExecutorTests.Harness(pipelines: ["p": """
            blocks:
            - {uuid: make_dataset, type: data_loader, plugin: churn_synthetic, configuration: {rows: 100}}
            - {uuid: preprocessing, type: transformer, plugin: churn_preprocessing, upstream_blocks: [make_dataset]}
            - uuid: ratio
              type: transformer
              plugin: derived_column
              upstream_blocks: [preprocessing]
              configuration: {function: ratio, arguments: [total_charges, account_age], column: charges_per_month}
            """], fixtures: ["c_features"], swift: ["MageDataLoaders", "MageModels", "MageTransformers"])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")
        let upstream = try harness.output(summary, "preprocessing").metadata
        #expect(upstream["swiftmage.preprocessor"] != nil)
        #expect(try harness.output(summary, "ratio").metadata == upstream)
    }

    @Test func mageRunShowsWholeNumberImportances() throws {
        let project = try LoaderTestSupport.projectWithDataLoaders(pipelines: [
            "p": Self.pipeline(model: "c_label_key", configuration: "{label_column: churn}")
                .replacingOccurrences(of: "\n- {uuid: registry, type: data_exporter, plugin: c_register, upstream_blocks: [training]}", with: ""),
        ])
        try TestEnvironment.install(try TestEnvironment.fixture("c_unservable"), into: project.root.appendingPathComponent("plugins"))
        let (code, stdout, stderr) = try LoaderTestSupport.runMage(["run", project.root.path, "p"], in: project.root)
        #expect(code == 0, "\(stdout)\n\(stderr)")
        #expect(stdout.contains("top features: account_age 3.000, monthly_charges 1.000"), "\(stdout)")
    }
}
