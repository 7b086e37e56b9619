import Foundation
import PluginAPI
import PluginKit

/// A random forest of Gini trees, scikit-learn's defaults as the seed demo used them.
enum RandomForestBlock {
    static let spec = BlockKindSpec(
        name: "churn_random_forest", type: MAGE_BLOCK_MODEL,
        description: "RandomForestClassifier (n_estimators 100, max_depth 10, max_features sqrt, random_state 42)",
        configKeys: [
            ConfigKeySpec("n_estimators", MAGE_CONFIG_INT, "number of trees (default 100)"),
            ConfigKeySpec("max_depth", MAGE_CONFIG_INT, "deepest split level (default 10)"),
            ConfigKeySpec("min_samples_split", MAGE_CONFIG_INT, "fewest rows a node needs to split (default 2)"),
            ConfigKeySpec("min_samples_leaf", MAGE_CONFIG_INT, "fewest rows in a leaf (default 1)"),
            ConfigKeySpec("max_features", MAGE_CONFIG_JSON, "features tried per split: sqrt, log2, all, a count or a fraction (default sqrt)"),
            ConfigKeySpec("random_state", MAGE_CONFIG_INT, "seed (default 42)"),
            ConfigKeySpec("label", MAGE_CONFIG_STRING, "label column (default: from preprocessing)"),
        ],
        train: { ctx, input, _, artifacts in
            let call = BlockCall(ctx)
            return ModelTraining.train(call, input, artifacts) { train, preprocessor in
                var parameters = RandomForestParameters()
                if let v = call.int("n_estimators") { parameters.nEstimators = Int(v) }
                if let v = call.int("max_depth") { parameters.maxDepth = Int(v) }
                if let v = call.int("min_samples_split") { parameters.minSamplesSplit = Int(v) }
                if let v = call.int("min_samples_leaf") { parameters.minSamplesLeaf = Int(v) }
                if let v = call.int("random_state") { parameters.randomState = UInt64(bitPattern: v) }
                if let json = PluginHost.api.pointee.config_json(ctx, "max_features") {
                    parameters.maxFeatures = try JSONDecoder().decode(MaxFeatures.self, from: Data(String(cString: json).utf8))
                }
                try parameters.validate()
                let forest = try RandomForestClassifier.fit(train, parameters: parameters)
                let hyperparameters = try JSONSerialization.jsonObject(with: JSONEncoder().encode(parameters)) as? [String: Any] ?? [:]
                return ModelTraining.Fitted(
                    model: .randomForest(forest, preprocessor), modelType: "RandomForestClassifier",
                    hyperparameters: hyperparameters,
                    importance: Dictionary(uniqueKeysWithValues: zip(forest.featureNames, forest.featureImportances)))
            }
        },
        load: ModelServing.load, predict: ModelServing.predict, freeModel: ModelServing.free)
}
