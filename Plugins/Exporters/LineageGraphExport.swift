import Foundation
import PluginAPI
import PluginKit

/// `lineage_graph`: the run as a graph (data version → blocks → model version → deployment), in
/// Graphviz DOT and/or Mermaid.
public enum LineageGraphExport {
    public static let kindName = "lineage_graph"

    static let spec = BlockKindSpec(
        name: kindName, type: MAGE_BLOCK_DATA_EXPORTER,
        description: "draws the run's lineage (data version → blocks → model version → deployment) as DOT and/or Mermaid",
        configKeys: [
            ConfigKeySpec("dot_path", MAGE_CONFIG_STRING, path: true, "Graphviz DOT output file; relative to the project folder"),
            ConfigKeySpec("mermaid_path", MAGE_CONFIG_STRING, path: true, "Mermaid flowchart output file; relative to the project folder"),
        ],
        run: { ctx, _, _, _ in
            ExportCall.run(ctx) { export in
                let dotPath = export.path("dot_path"), mermaidPath = export.path("mermaid_path")
                guard dotPath != nil || mermaidPath != nil else {
                    throw ExportError.invalidInput("lineage_graph needs an output: set 'dot_path', 'mermaid_path' or both")
                }
                let graph = LineageGraph(try export.lineage().document)
                if let dotPath {
                    try FileOutput.writeAtomically(Data(graph.dot().utf8), to: dotPath)
                    export.call.log("wrote the lineage graph (\(graph.nodes.count) nodes) as DOT to \(dotPath)")
                }
                if let mermaidPath {
                    try FileOutput.writeAtomically(Data(graph.mermaid().utf8), to: mermaidPath)
                    export.call.log("wrote the lineage graph (\(graph.nodes.count) nodes) as Mermaid to \(mermaidPath)")
                }
            }
        })
}
