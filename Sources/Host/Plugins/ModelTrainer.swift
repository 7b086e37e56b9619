import Foundation
import PluginAPI

/// A model block's train through the ABI, and what the host adds to it: `signature.json`, written from
/// the training table's schema and what the model declared, so the model can be registered and served.
enum ModelTrainer {
    /// Calls the plugin's train on `table` (exported at `arrow`); returns its code, or an error code with
    /// the context's error set when the model trained but its signature cannot be written.
    static func train(_ kind: BlockKind, context: BlockContext, table: Table, arrow: UnsafePointer<mage_table>,
                      params: String, artifactDirectory: String) -> Int32 {
        context.beginTraining(on: table)
        let code = kind.functions.train!(context.cPointer, arrow, params, artifactDirectory)
        guard code == MAGE_OK else { return code }
        let folder = URL(fileURLWithPath: artifactDirectory)
        do {
            if let signature = try signature(kind, context: context, table: table) {
                try signature.write(in: folder)
            } else if !FileManager.default.fileExists(atPath: folder.appendingPathComponent(ModelSignatureFile.fileName).path) {
                context.log(.warning, "the model declared no signature (declare_model_signature, or the kind's label_key): it cannot be registered for serving")
            }
            return Int32(MAGE_OK)
        } catch let problem as ModelSignatureFile.Problem {
            context.setError("the model trained, but its signature is wrong: \(problem.description)")
        } catch {
            context.setError("the model trained, but writing \(ModelSignatureFile.fileName) failed: \(error)")
        }
        return Int32(MAGE_ERROR_INVALID_INPUT)
    }

    /// The declared signature, else one from the kind's `label_key`, else nil.
    private static func signature(_ kind: BlockKind, context: BlockContext, table: Table) throws -> ModelSignatureFile? {
        if let declared = context.declaredSignature { return declared }
        guard let key = kind.labelKey else { return nil }
        guard case .string(let label)? = context.configuration[key] else {
            throw ModelSignatureFile.Problem(description: "the configuration key '\(key)' that names the label is not set")
        }
        return try ModelSignatureFile.derive(from: table, label: label, features: nil)
    }
}
