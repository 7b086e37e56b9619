import Foundation

/// Mage's `{{ env_var('NAME') }}` in block configuration. The host leaves these templates as written
/// (in the pipeline, in invocation.json); only the process that runs the block replaces them, so a
/// secret kept in the environment is never written down. The value is always text.
extension ConfigValue {
    static var environmentTemplate: Regex<(Substring, Substring)> {
        #/\{\{\s*env_var\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)\s*\}\}/#
    }

    /// Whether the value is exactly one env_var template (such a value holds no secret itself).
    public var isEnvironmentTemplate: Bool {
        if case .string(let text) = self { return text.wholeMatch(of: Self.environmentTemplate) != nil }
        return false
    }

    /// The value with every env_var template replaced by the variable's value from `environment`.
    public func resolvingEnvironment(_ environment: [String: String]) throws -> ConfigValue {
        try mappingStrings { text in
            guard text.contains("{{") else { return .string(text) }
            var result = ""
            var rest = text[...]
            while let match = rest.firstMatch(of: Self.environmentTemplate) {
                guard let value = environment[String(match.1)] else {
                    throw MageError.usage("environment variable '\(match.1)' is used (env_var) but not set in the environment of mage")
                }
                result += rest[..<match.range.lowerBound]
                result += value
                rest = rest[match.range.upperBound...]
            }
            return .string(result + rest)
        }
    }

    /// The names of the runtime variables (`{{ variables('name') }}`) the value uses.
    public var variableReferences: Set<String> {
        switch self {
        case .string(let text):
            guard text.contains("{{") else { return [] }
            return Set(text.matches(of: Self.template).map { String($0.1) })
        case .list(let items):
            return items.reduce(into: []) { $0.formUnion($1.variableReferences) }
        case .map(let entries):
            return entries.values.reduce(into: []) { $0.formUnion($1.variableReferences) }
        default:
            return []
        }
    }

    /// Every piece of text in the value (strings, numbers as written in JSON), for masking it.
    var textLeaves: [String] {
        switch self {
        case .null: []
        case .string(let s): [s]
        case .bool, .int, .double: [jsonText]
        case .list(let items): items.flatMap(\.textLeaves)
        case .map(let entries): entries.values.flatMap(\.textLeaves)
        }
    }
}
