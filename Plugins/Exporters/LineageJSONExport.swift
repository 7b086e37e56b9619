import Foundation
import PluginAPI
import PluginKit

/// `lineage_json`: writes the run's lineage document to a file, pretty-printed with sorted keys.
public enum LineageJSONExport {
    public static let kindName = "lineage_json"

    static let spec = BlockKindSpec(
        name: kindName, type: MAGE_BLOCK_DATA_EXPORTER,
        description: "writes the run's lineage document (swiftmage.lineage.v1) to a JSON file",
        configKeys: [
            ConfigKeySpec("path", MAGE_CONFIG_STRING, required: true, path: true,
                          "output file; relative paths are resolved against the project folder"),
        ],
        run: { ctx, _, _, _ in
            ExportCall.run(ctx) { export in
                let path = try export.requiredPath("path")
                let (raw, document) = try export.lineage()
                let data = try render(raw)
                try FileOutput.writeAtomically(data, to: path)
                export.call.log("wrote the lineage of \(document.pipeline.uuid) run \(document.pipeline.runID) to \(path) (\(data.count) bytes)")
            }
        })

    /// The document as the host wrote it, every key kept, re-encoded with sorted keys and indentation,
    /// ending with a newline. Fails unless it is a `swiftmage.lineage.v1` document.
    public static func render(_ raw: Data) throws -> Data {
        _ = try LineageDocument.decode(raw)
        let value = try JSONDecoder().decode(JSONValue.self, from: raw)
        return try JSONCoding.encode(value, pretty: true) + Data("\n".utf8)
    }
}
