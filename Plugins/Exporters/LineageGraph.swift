import Foundation

/// The run as a graph: data version → blocks → model version → deployment. Loader blocks point at the
/// data version made from their output, and the blocks downstream of the loader read that version;
/// model blocks point at the model versions registered from them, and a deployed version at its
/// deployment. Rendered as Graphviz DOT or as a Mermaid flowchart.
public struct LineageGraph: Sendable {
    public enum NodeKind: String, Sendable { case dataset, block, model, deployment }

    public struct Node: Sendable, Equatable {
        /// Unique and stable: `data:<version>`, `block:<uuid>`, `model:<version>`, `deploy:<version>`.
        public var id: String
        public var kind: NodeKind
        public var lines: [String]
        /// The block's run status, or the model's registry status.
        public var status: String?
    }

    public struct Edge: Sendable, Equatable, Hashable {
        public var from: String
        public var to: String
    }

    public var title: String
    public var nodes: [Node]
    public var edges: [Edge]

    public init(_ doc: LineageDocument) {
        title = "\(doc.project) / \(doc.pipeline.uuid) run \(doc.pipeline.runID) (\(doc.pipeline.status))"
        var nodes: [Node] = []
        var edges: [Edge] = []
        func link(_ from: String, _ to: String) {
            let edge = Edge(from: from, to: to)
            if !edges.contains(edge) { edges.append(edge) }
        }
        let blockIDs = Set(doc.blocks.map(\.uuid))
        for data in doc.datasets {
            var lines = [data.version, Self.shortHash(data.hash)]
            if let rows = data.rowCount {
                lines.append("\(rows) rows" + (data.featureCount.map { ", \($0) features" } ?? ""))
            }
            nodes.append(Node(id: "data:\(data.version)", kind: .dataset, lines: lines, status: nil))
            if blockIDs.contains(data.block) { link("block:\(data.block)", "data:\(data.version)") }
        }
        for block in doc.blocks {
            var lines = [block.uuid, "\(block.kind) (\(block.status))"]
            if let seconds = block.durationSeconds { lines.append(String(format: "%.2f s", seconds)) }
            nodes.append(Node(id: "block:\(block.uuid)", kind: .block, lines: lines, status: block.status))
            for upstream in block.upstream {
                if let data = doc.dataset(ofBlock: upstream) { link("data:\(data.version)", "block:\(block.uuid)") }
                else if blockIDs.contains(upstream) { link("block:\(upstream)", "block:\(block.uuid)") }
            }
        }
        for model in doc.models {
            var lines = [model.version]
            if let type = model.modelType { lines.append(type) }
            let metrics = (model.metrics ?? [:]).sorted { $0.key < $1.key }.prefix(3).map { "\($0.key) \($0.value.text)" }
            if !metrics.isEmpty { lines.append(metrics.joined(separator: ", ")) }
            lines.append(model.status)
            nodes.append(Node(id: "model:\(model.version)", kind: .model, lines: lines, status: model.status))
            if blockIDs.contains(model.block) { link("block:\(model.block)", "model:\(model.version)") }
            if model.isDeployed {
                nodes.append(Node(id: "deploy:\(model.version)", kind: .deployment,
                                  lines: ["deployed"] + (model.deployedAt.map { [$0.text] } ?? []), status: "deployed"))
                link("model:\(model.version)", "deploy:\(model.version)")
            }
        }
        self.nodes = nodes
        self.edges = edges
    }

    /// `sha256:` and the first 12 hex digits.
    static func shortHash(_ hash: String) -> String {
        guard let colon = hash.firstIndex(of: ":") else { return String(hash.prefix(12)) }
        return String(hash[...colon]) + String(hash[hash.index(after: colon)...].prefix(12))
    }

    static func isFailure(_ status: String?) -> Bool {
        ["failed", "upstream_failed", "cancelled"].contains(status ?? "")
    }

    // MARK: DOT

    public func dot() -> String {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ") + "\""
        }
        func label(_ lines: [String]) -> String {
            "\"" + lines.map { String(quoted($0).dropFirst().dropLast()) }.joined(separator: "\\n") + "\""
        }
        var out = "digraph lineage {\n"
        out += "  graph [rankdir=LR, label=\(quoted(title)), labelloc=t, fontname=\"Helvetica\"];\n"
        out += "  node [fontname=\"Helvetica\", fontsize=10];\n"
        for node in nodes {
            var attributes: [String]
            switch node.kind {
            case .dataset: attributes = ["shape=cylinder", "style=filled", "fillcolor=\"#e8f0fe\""]
            case .block: attributes = ["shape=box", "style=\"rounded,filled\"", "fillcolor=\"#ffffff\""]
            case .model: attributes = ["shape=component", "style=filled", "fillcolor=\"#fff4d6\""]
            case .deployment: attributes = ["shape=doubleoctagon", "style=filled", "fillcolor=\"#dff5e1\""]
            }
            if Self.isFailure(node.status) {
                attributes = attributes.filter { !$0.hasPrefix("fillcolor") } + ["fillcolor=\"#fde2e2\"", "color=\"#c0392b\""]
            }
            out += "  \(quoted(node.id)) [\((attributes + ["label=\(label(node.lines))"]).joined(separator: ", "))];\n"
        }
        for edge in edges { out += "  \(quoted(edge.from)) -> \(quoted(edge.to));\n" }
        return out + "}\n"
    }

    // MARK: Mermaid

    public func mermaid() -> String {
        let ids = mermaidIDs()
        func label(_ lines: [String]) -> String {
            "\"" + lines.map { line in
                line.replacingOccurrences(of: "#", with: "#35;").replacingOccurrences(of: "\"", with: "#quot;")
                    .replacingOccurrences(of: "<", with: "#lt;").replacingOccurrences(of: ">", with: "#gt;")
                    .replacingOccurrences(of: "\n", with: " ")
            }.joined(separator: "<br/>") + "\""
        }
        var out = "flowchart LR\n"
        out += "  %% \(title.replacingOccurrences(of: "\n", with: " "))\n"
        for node in nodes {
            let id = ids[node.id]!, text = label(node.lines)
            switch node.kind {
            case .dataset: out += "  \(id)[(\(text))]\n"
            case .block: out += "  \(id)(\(text))\n"
            case .model: out += "  \(id){{\(text)}}\n"
            case .deployment: out += "  \(id)[[\(text)]]\n"
            }
        }
        for edge in edges { out += "  \(ids[edge.from]!) --> \(ids[edge.to]!)\n" }
        out += "  classDef dataset fill:#e8f0fe,stroke:#4a6fa5\n"
        out += "  classDef model fill:#fff4d6,stroke:#b7950b\n"
        out += "  classDef deployment fill:#dff5e1,stroke:#1e8449\n"
        out += "  classDef failed fill:#fde2e2,stroke:#c0392b\n"
        for kind in [NodeKind.dataset, .model, .deployment] {
            let members = nodes.filter { $0.kind == kind }.map { ids[$0.id]! }
            if !members.isEmpty { out += "  class \(members.joined(separator: ",")) \(kind.rawValue)\n" }
        }
        let failed = nodes.filter { $0.kind == .block && Self.isFailure($0.status) }.map { ids[$0.id]! }
        if !failed.isEmpty { out += "  class \(failed.joined(separator: ",")) failed\n" }
        return out
    }

    /// Mermaid ids: the kind and the name with anything but letters, digits and `_` replaced by `_`,
    /// numbered when two names collide.
    func mermaidIDs() -> [String: String] {
        var ids: [String: String] = [:]
        var taken = Set<String>()
        for node in nodes {
            let name = node.id.split(separator: ":", maxSplits: 1).last.map(String.init) ?? node.id
            let clean = String(name.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_") ? Character(scalar) : "_"
            })
            let prefix = switch node.kind {
            case .dataset: "data"
            case .block: "block"
            case .model: "model"
            case .deployment: "deploy"
            }
            var id = "\(prefix)_\(clean)", n = 2
            while taken.contains(id) {
                id = "\(prefix)_\(clean)_\(n)"
                n += 1
            }
            taken.insert(id)
            ids[node.id] = id
        }
        return ids
    }
}
