import Foundation
import Yams

/// Reads the project's own YAML files (metadata.yaml, pipeline files) within fixed bounds, so a hostile
/// or broken file is refused in milliseconds, saying what is wrong and where, instead of exhausting time
/// or memory. The document is composed once (aliases shared, not copied) and walked here into
/// `ConfigValue`s in linear time; the walk counts what aliases expand to and stops at the first bound.
public enum ProjectFileReader {
    public static let maxBytes = 1 << 20
    public static let maxDepth = 64
    public static let maxValues = 100_000
    public static let maxAliases = 1_000
    public static let maxAliasedValues = 10_000

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// The file's text; refused when it holds more than `maxBytes` (only that much is ever read).
    public static func text(of url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw Refusal(description: "cannot open the file: \(errnoText())")
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        guard data.count <= maxBytes else {
            throw Refusal(description: "the file is larger than \(maxBytes) bytes (1 MiB), the limit for project files")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Refusal(description: "the file is not UTF-8 text")
        }
        return text
    }

    /// The YAML document in `text` as a value (an empty document is `.null`).
    public static func parse(_ text: String) throws -> ConfigValue {
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: text)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw refusal(error)
        }
        guard let root else { return .null }
        // The parser owns the anchors; it must outlive the walk, which tells aliases apart by them.
        return try withExtendedLifetime(parser) {
            var walk = Walk()
            return try walk.value(root, depth: 1, alias: nil)
        }
    }

    /// libyaml stops at 1,000 levels with a message of its own; say it in the same words as the walk.
    private static func refusal(_ error: YamlError) -> Refusal {
        switch error {
        case .parser(_, let problem, let mark, _) where problem.contains("Maximum nesting level"):
            return Refusal(description: "the nesting is deeper than \(maxDepth) levels at line \(mark.line)")
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return Refusal(description: "not valid YAML at line \(mark.line), column \(mark.column): \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Refusal(description: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) at line \(context.mark.line)")
        default:
            return Refusal(description: "not valid YAML: \(error)")
        }
    }

    private struct Walk {
        var values = 0
        var aliases = 0
        var aliasedValues = 0
        var anchorsSeen = Set<ObjectIdentifier>()

        /// `alias` names the alias being expanded, when the node is reached through one.
        mutating func value(_ node: Node, depth: Int, alias: String?) throws -> ConfigValue {
            let line = node.mark?.line ?? 0
            values += 1
            guard values <= maxValues else {
                throw Refusal(description: "the document holds more than \(maxValues) values (aliases expanded), at line \(line)")
            }
            guard depth <= maxDepth else {
                throw Refusal(description: "the nesting is deeper than \(maxDepth) levels at line \(line)")
            }
            // An anchored node met again is reached through an alias (Yams shares the node): everything
            // under it counts as expansion. Its mark is the anchor's, so messages name the anchor.
            var alias = alias
            if let anchor = node.anchor, !anchorsSeen.insert(ObjectIdentifier(anchor)).inserted {
                if alias == nil {
                    aliases += 1
                    guard aliases <= maxAliases else {
                        throw Refusal(description: "the document uses more than \(maxAliases) aliases (the last of '&\(anchor.rawValue)', anchored at line \(line))")
                    }
                    alias = "'*\(anchor.rawValue)' (anchored at line \(line))"
                }
            }
            if let alias {
                aliasedValues += 1
                guard aliasedValues <= maxAliasedValues else {
                    throw Refusal(description: "aliases expand to more than \(maxAliasedValues) values, while expanding \(alias)")
                }
            }
            switch node {
            case .scalar(let scalar):
                return Self.scalar(scalar, node)
            case .sequence(let sequence):
                var items: [ConfigValue] = []
                items.reserveCapacity(sequence.count)
                for item in sequence { items.append(try value(item, depth: depth + 1, alias: alias)) }
                return .list(items)
            case .mapping(let mapping):
                var entries: [String: ConfigValue] = [:]
                entries.reserveCapacity(mapping.count)
                var merged: [[String: ConfigValue]] = []
                for (key, item) in mapping {
                    guard case .scalar(let name) = key else {
                        throw Refusal(description: "a mapping key at line \(key.mark?.line ?? line) is not a plain value")
                    }
                    let converted = try value(item, depth: depth + 1, alias: alias)
                    if name.string == "<<", key.tag.rawValue == Tag.Name.merge.rawValue {
                        // `<<: *defaults` (or a list of them): keys the mapping does not set itself.
                        let sources = converted.listValue ?? [converted]
                        for source in sources {
                            guard let object = source.objectValue else {
                                throw Refusal(description: "the merge key '<<' at line \(key.mark?.line ?? line) needs a mapping or a list of mappings")
                            }
                            merged.append(object)
                        }
                    } else {
                        entries[name.string] = converted
                    }
                }
                for object in merged { entries.merge(object) { own, _ in own } }
                return .map(entries)
            case .alias:
                throw Refusal(description: "an unresolved alias at line \(line)")
            }
        }

        private static func scalar(_ scalar: Node.Scalar, _ node: Node) -> ConfigValue {
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return Bool.construct(from: scalar).map(ConfigValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return Int.construct(from: scalar).map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return Double.construct(from: scalar).map(ConfigValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        }
    }
}
