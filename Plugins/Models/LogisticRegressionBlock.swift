import Foundation
import PluginAPI
import PluginKit

/// L2-regularized logistic regression on the standardized features.
enum LogisticRegressionBlock {
    static let spec = BlockKindSpec(
        name: "churn_logistic_regression", type: MAGE_BLOCK_MODEL,
        description: "LogisticRegression with L2 penalty (C 1.0)",
        configKeys: [
            ConfigKeySpec("c", MAGE_CONFIG_DOUBLE, "inverse regularization strength (default 1.0)"),
            ConfigKeySpec("max_iter", MAGE_CONFIG_INT, "iteration limit of the solver (default 100)"),
            ConfigKeySpec("label", MAGE_CONFIG_STRING, "label column (default: from preprocessing)"),
        ],
        train: { ctx, input, _, artifacts in
            let call = BlockCall(ctx)
            return ModelTraining.train(call, input, artifacts) { train, preprocessor in
                var parameters = LogisticRegressionParameters()
                if let v = call.double("c") { parameters.c = v }
                if let v = call.int("max_iter") { parameters.maxIter = Int(v) }
                try parameters.validate()
                let model = try LogisticRegression.fit(train, parameters: parameters)
                let magnitude = model.coefficients.map(abs)
                let total = magnitude.reduce(0, +)
                return ModelTraining.Fitted(
                    model: .logisticRegression(model, preprocessor), modelType: "LogisticRegression",
                    hyperparameters: ["C": parameters.c, "max_iter": parameters.maxIter, "penalty": "l2"],
                    importance: total > 0 ? Dictionary(uniqueKeysWithValues: zip(model.featureNames, magnitude.map { $0 / total })) : [:])
            }
        },
        load: ModelServing.load, predict: ModelServing.predict, freeModel: ModelServing.free)
}
