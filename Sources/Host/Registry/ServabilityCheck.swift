import Foundation

/// Registration's proof that the host can serve a model before any pointer moves: its signature reads,
/// its plugin loads the artifacts and predicts one row of the signature's width. The error names what
/// is missing, so a model that would fail in the prediction service is never registered.
enum ServabilityCheck {
    static func verify(_ folder: URL, kind: BlockKind, block: String) throws {
        func refuse(_ problem: String) -> MageError {
            .usage("model block '\(block)' (\(kind.name)) cannot be served, so it is not registered: \(problem)")
        }
        let signature: ModelSignatureFile
        do {
            signature = try ModelSignatureFile.read(in: folder)
        } catch {
            throw refuse((error as? ModelSignatureFile.Problem)?.description ?? "\(error)")
        }
        let model: LoadedModel
        do {
            model = try LoadedModel(kind: kind, directory: folder)
        } catch MageError.blockFailed(_, let reason) {
            throw refuse("load failed: \(reason)")
        }
        guard model.featureCount == signature.features.count else {
            throw refuse("load reports \(model.featureCount) features, \(ModelSignatureFile.fileName) lists \(signature.features.count)")
        }
        guard model.classCount == signature.classes.count else {
            throw refuse("load reports \(model.classCount) classes, \(ModelSignatureFile.fileName) lists \(signature.classes.count)")
        }
        let probabilities: [Double]
        do {
            probabilities = try model.predict(rows: [Double](repeating: 0, count: model.featureCount))
        } catch MageError.blockFailed(_, let reason) {
            throw refuse("predict failed on a row of zeros: \(reason)")
        }
        if let bad = probabilities.firstIndex(where: { !$0.isFinite }) {
            throw refuse("predict left probability \(bad) of \(probabilities.count) \(probabilities[bad].isNaN ? "unwritten or NaN" : "infinite") on a row of zeros")
        }
    }
}
