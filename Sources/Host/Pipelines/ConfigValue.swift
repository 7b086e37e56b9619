import Foundation

/// A block configuration value as written in pipeline YAML (or passed as a runtime variable).
public enum ConfigValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([ConfigValue])
    case map([String: ConfigValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int64.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([ConfigValue].self) { self = .list(v) }
        else { self = .map(try c.decode([String: ConfigValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .list(let v): try c.encode(v)
        case .map(let v): try c.encode(v)
        }
    }

    public var objectValue: [String: ConfigValue]? {
        if case .map(let entries) = self { return entries }
        return nil
    }

    public var listValue: [ConfigValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .list: "list"
        case .map: "map"
        }
    }

    public var jsonText: String {
        (try? String(decoding: JSON.encode(self, pretty: false), as: UTF8.self)) ?? "null"
    }

    /// Parses a JSON object of runtime variables (`--runtime-vars`).
    public static func parseObject(json: String) throws -> [String: ConfigValue] {
        guard let variables = (try? ConfigValue(json: json))?.objectValue else {
            throw MageError.usage("runtime variables must be a JSON object, e.g. '{\"rows\": 500}'")
        }
        return variables
    }
}

extension ConfigValue {
    /// Substitutes Mage's `{{ variables('name') }}` templates. A value that is only a template takes the
    /// variable's own type; a template inside a longer string is replaced by the variable's text.
    public func resolvingVariables(_ variables: [String: ConfigValue]) throws -> ConfigValue {
        try mappingStrings { try Self.substitute($0, variables) }
    }

    /// The value with every string in it, at any depth of lists and maps, replaced by `transform`'s result.
    func mappingStrings(_ transform: (String) throws -> ConfigValue) rethrows -> ConfigValue {
        switch self {
        case .string(let text):
            return try transform(text)
        case .list(let items):
            return .list(try items.map { try $0.mappingStrings(transform) })
        case .map(let entries):
            return .map(try entries.mapValues { try $0.mappingStrings(transform) })
        default:
            return self
        }
    }

    static var template: Regex<(Substring, Substring)> {
        #/\{\{\s*variables\(\s*['"]([A-Za-z0-9_\-]+)['"]\s*\)\s*\}\}/#
    }

    private static func substitute(_ text: String, _ variables: [String: ConfigValue]) throws -> ConfigValue {
        guard text.contains("{{") else { return .string(text) }
        func lookup(_ name: Substring) throws -> ConfigValue {
            guard let value = variables[String(name)] else {
                throw MageError.usage("runtime variable '\(name)' is used but not set (pass --runtime-vars)")
            }
            return value
        }
        if let whole = text.wholeMatch(of: template) { return try lookup(whole.1) }
        var result = ""
        var rest = text[...]
        while let match = rest.firstMatch(of: template) {
            result += rest[..<match.range.lowerBound]
            let value = try lookup(match.1)
            if case .string(let s) = value { result += s } else { result += value.jsonText }
            rest = rest[match.range.upperBound...]
        }
        return .string(result + rest)
    }
}
