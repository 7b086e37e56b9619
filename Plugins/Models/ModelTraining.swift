import Foundation
import PluginAPI
import PluginKit

/// What both classifiers share: reading the preprocessed table, evaluating on the held-out rows,
/// writing the artifact and the facets the registry and lineage read.
enum ModelTraining {
    static let artifactName = "model.json"

    struct Fitted {
        var model: TrainedModel
        var modelType: String
        var hyperparameters: [String: Any]
        /// Feature name → importance, when the model has one.
        var importance: [String: Double]
    }

    static func train(_ call: BlockCall, _ input: UnsafePointer<mage_table>?, _ artifactDirectory: UnsafePointer<CChar>?,
                      fit: (Dataset, Preprocessor) throws -> Fitted) -> Int32 {
        guard let input, let artifactDirectory else { return call.fail("the host passed no input table or artifact folder") }
        let table = InputTable(input)
        let label = call.string("label") ?? table.metadata[TableData.labelKey] ?? "churn"
        guard let encoded = table.metadata[TableData.preprocessorKey] else {
            return call.fail("the input has no fitted preprocessing: put a churn_preprocessing block upstream of this model")
        }
        do {
            let preprocessor = try JSONDecoder().decode(Preprocessor.self, from: Data(encoded.utf8))
            let data = try TableData(table, label: label)
            guard let split = data.split else { return call.fail("the input has no '\(TableData.splitColumn)' column from churn_preprocessing") }
            let train = data.dataset.subset(rows: split.indices.filter { split[$0] == 0 })
            let test = data.dataset.subset(rows: split.indices.filter { split[$0] == 1 })
            guard train.nRows > 0, test.nRows > 0 else { return call.fail("both the training and the test split need rows") }
            let fitted = try fit(train, preprocessor)
            let report = try evaluate(fitted.model, on: test)

            let folder = URL(fileURLWithPath: String(cString: artifactDirectory))
            try ModelArtifact.write(fitted.model, to: folder.appendingPathComponent(artifactName))
            // predict takes the raw features in this order; the host writes signature.json from it.
            guard call.declareSignature(label: label, features: data.dataset.featureNames) else {
                return Int32(MAGE_ERROR_INVALID_INPUT)
            }

            var metrics: [String: Any] = [
                "accuracy": report.accuracy, "precision": report.precision, "recall": report.recall, "f1": report.f1,
                "confusion_matrix": report.confusionMatrix, "test_rows": test.nRows, "train_rows": train.nRows,
            ]
            if let auc = report.rocAUC { metrics["roc_auc"] = auc }
            facet(call, "metrics", metrics)
            facet(call, "model", ["model_type": fitted.modelType, "hyperparameters": fitted.hyperparameters, "label": label])
            if !fitted.importance.isEmpty { facet(call, "feature_importance", fitted.importance) }
            call.log(String(format: "trained %@ on %d rows; test accuracy %.4f, ROC AUC %.4f",
                            fitted.modelType, train.nRows, report.accuracy, report.rocAUC ?? .nan))
            return Int32(MAGE_OK)
        } catch {
            return call.fail("\(error)")
        }
    }

    /// Scores the held-out rows, which are already preprocessed.
    private static func evaluate(_ model: TrainedModel, on test: Dataset) throws -> ClassificationReport {
        let probabilities: [Double]
        switch model {
        case .randomForest(let m, _): probabilities = try m.predictProbabilities(rows: test.features, nRows: test.nRows)
        case .logisticRegression(let m, _): probabilities = try m.predictProbabilities(rows: test.features, nRows: test.nRows)
        }
        return ClassificationReport(labels: test.labels, positiveProbabilities: Metrics.positiveProbabilities(probabilities))
    }

    private static func facet(_ call: BlockCall, _ name: String, _ value: [String: Any]) {
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
            _ = call.reportFacet(name, json: String(decoding: data, as: UTF8.self))
        }
    }
}

/// load / predict / free for both classifiers: the artifact says which model it holds.
enum ModelServing {
    /// A loaded model; immutable, so concurrent predicts need no lock.
    final class Handle {
        let model: TrainedModel
        init(_ model: TrainedModel) { self.model = model }
    }

    static let load: mage_model_load_fn = { ctx, directory, handle, nFeatures, nClasses in
        let call = BlockCall(ctx)
        guard let directory, let handle else { return call.fail("load needs an artifact folder and a handle slot") }
        do {
            let url = URL(fileURLWithPath: String(cString: directory)).appendingPathComponent(ModelTraining.artifactName)
            let model = try ModelArtifact.read(from: url)
            handle.pointee = Unmanaged.passRetained(Handle(model)).toOpaque()
            nFeatures?.pointee = model.featureNames.count
            nClasses?.pointee = 2
            return Int32(MAGE_OK)
        } catch {
            return call.fail("\(error)", code: Int32(MAGE_ERROR_IO))
        }
    }

    static let predict: mage_model_predict_fn = { ctx, handle, rows, nRows, probabilities in
        guard let handle, let probabilities, rows != nil || nRows == 0 else {
            return BlockCall(ctx).fail("predict needs a handle, rows and an output buffer")
        }
        let model = Unmanaged<Handle>.fromOpaque(handle).takeUnretainedValue().model
        let width = model.featureNames.count
        do {
            let raw = nRows == 0 ? [] : Array(UnsafeBufferPointer(start: rows, count: nRows * width))
            let result = try model.predictProbabilities(rawRows: raw, nRows: nRows)
            result.withUnsafeBufferPointer { probabilities.update(from: $0.baseAddress!, count: result.count) }
            return Int32(MAGE_OK)
        } catch {
            return BlockCall(ctx).fail("\(error)")
        }
    }

    static let free: mage_model_free_fn = { handle in
        if let handle { Unmanaged<Handle>.fromOpaque(handle).release() }
    }
}
