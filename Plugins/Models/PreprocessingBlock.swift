import Foundation
import PluginAPI
import PluginKit

/// Seeded stratified train/test split, median imputation and standard scaling, both fitted on the
/// training rows only. The fitted preprocessor travels in the output table's metadata to the model,
/// which stores it in its artifact, so serving applies exactly the same transformation.
enum PreprocessingBlock {
    static let spec = BlockKindSpec(
        name: "churn_preprocessing", type: MAGE_BLOCK_TRANSFORMER,
        description: "stratified split, median imputation and standard scaling fitted on the training split",
        configKeys: [
            ConfigKeySpec("label", MAGE_CONFIG_STRING, "label column (default churn)"),
            ConfigKeySpec("test_size", MAGE_CONFIG_DOUBLE, "share of rows held out for testing (default 0.2)"),
            ConfigKeySpec("seed", MAGE_CONFIG_INT, "seed of the split (default 42)"),
        ],
        run: { ctx, inputs, count, output in PreprocessingBlock.run(BlockCall(ctx), inputs, count, output) })

    static func run(_ call: BlockCall, _ inputs: UnsafePointer<mage_table>?, _ count: Int,
                    _ output: UnsafeMutablePointer<mage_table>?) -> Int32 {
        guard let inputs, count == 1 else { return call.fail("churn_preprocessing needs exactly one upstream table, got \(count)") }
        let label = call.string("label") ?? "churn"
        let testSize = call.double("test_size") ?? 0.2
        let seed = call.int("seed") ?? 42
        guard testSize > 0, testSize < 1 else { return call.fail("test_size must be between 0 and 1, got \(testSize)") }
        do {
            let data = try TableData(InputTable(inputs), label: label).dataset
            let split = try stratifiedSplit(labels: data.labels, testFraction: testSize, seed: UInt64(bitPattern: seed))
            let preprocessor = try Preprocessor.fit(data.subset(rows: split.trainIndices))
            let transformed = try preprocessor.transform(data)
            var splitColumn = [Int64](repeating: 0, count: data.nRows)
            for row in split.testIndices { splitColumn[row] = 1 }

            let out = OutputTable()
            for (f, name) in data.featureNames.enumerated() { out.add(name, doubles: transformed.column(f)) }
            out.add(label, int64s: data.labels.map(Int64.init))
            out.add(TableData.splitColumn, int64s: splitColumn)
            let encoded = String(decoding: try JSONEncoder().encode(preprocessor), as: UTF8.self)
            out.setMetadata(TableData.preprocessorKey, encoded)
            out.setMetadata(TableData.labelKey, label)
            if let problem = out.problem { return call.fail(problem, code: Int32(MAGE_ERROR)) }

            let facet: [String: Any] = [
                "steps": ["stratified_split", "median_imputation", "standard_scaler"],
                "test_size": testSize, "seed": seed, "label": label,
                "train_rows": split.trainIndices.count, "test_rows": split.testIndices.count,
                "features": data.featureNames, "medians": preprocessor.medians, "means": preprocessor.means,
                "scales": preprocessor.scales,
            ]
            _ = call.reportFacet("preprocessing", json: String(decoding: try JSONSerialization.data(
                withJSONObject: facet, options: [.sortedKeys]), as: UTF8.self))
            call.log("split \(split.trainIndices.count) train / \(split.testIndices.count) test (seed \(seed)); imputed and scaled \(data.nFeatures) features")
            return out.finish(into: output)
        } catch {
            return call.fail("\(error)")
        }
    }
}
