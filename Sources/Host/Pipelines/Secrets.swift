import Foundation

/// Secret configuration values (keys a plugin declares MAGE_CONFIG_SECRET, and any value that uses a
/// runtime variable feeding such a key) live only in memory: the host writes the mask instead, and the
/// block process receives them through its environment, which it clears before any plugin loads.
public enum Secrets {
    public static let mask = "********"
    /// Carries one block's secret values (a JSON object of key → value) from the host to the block process.
    public static let environmentVariable = "MAGE_BLOCK_SECRETS"

    /// The configuration as it may be written down (secret values masked, unless a value is exactly one
    /// env_var template, which holds no secret itself), and the secret values it leaves out.
    public static func split(_ configuration: [String: ConfigValue], sensitive: Set<String>)
        -> (recorded: [String: ConfigValue], secrets: [String: ConfigValue]) {
        var recorded = configuration
        var secrets: [String: ConfigValue] = [:]
        for key in sensitive {
            guard let value = configuration[key], value != .null, !value.isEnvironmentTemplate else { continue }
            recorded[key] = .string(mask)
            secrets[key] = value
        }
        return (recorded, secrets)
    }
}

/// Replaces every known secret text with the mask, in log lines, error messages and facets.
public struct SecretRedactor: Sendable {
    private let secrets: [String]

    public init(_ values: [ConfigValue]) {
        var texts = Set<String>()
        for text in values.flatMap(\.textLeaves) where !text.isEmpty && text != Secrets.mask {
            texts.insert(text)
            // As it appears inside a JSON string (a facet, an error quoting JSON).
            let escaped = ConfigValue.string(text).jsonText.dropFirst().dropLast()
            if !escaped.isEmpty { texts.insert(String(escaped)) }
        }
        secrets = texts.sorted { $0.count > $1.count }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Secrets.mask)
        }
        return result
    }

    public func redact(_ value: ConfigValue) -> ConfigValue {
        value.mappingStrings { .string(redact($0)) }
    }
}
