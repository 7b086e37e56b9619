import Foundation

/// Checks runtime variables against the pipeline's declared ones before a run is queued: each must be
/// declared, and of its default's kind (a number for a number, text for text…); a declared `null`
/// default takes anything. A run queued with a wrong variable would only fail later, in a block.
public enum RuntimeVariables {
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let variable: String
        public let message: String
        public var description: String { "variable '\(variable)': \(message)" }
    }

    public static func problems(_ runtime: [String: ConfigValue], declared: [String: ConfigValue]) -> [Problem] {
        runtime.keys.sorted().compactMap { name in
            guard let value = runtime[name] else { return nil }
            guard let expected = declared[name] else {
                let names = declared.keys.sorted()
                return Problem(variable: name, message: "the pipeline declares no such variable (declared: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
            }
            // A variable that feeds a secret key would be written to the store, which keeps values masked.
            if expected == .string(Secrets.mask) {
                return Problem(variable: name, message: "it feeds a secret configuration key; pass secrets with env_var, not run variables")
            }
            guard expected != .null, kind(value) != kind(expected) else { return nil }
            return Problem(variable: name, message: "expected \(kind(expected)) like its default \(expected.jsonText), got \(kind(value))")
        }
    }

    /// Whole and fractional numbers are one kind: JSON does not tell 3 from 3.0.
    private static func kind(_ value: ConfigValue) -> String {
        switch value {
        case .int, .double: "a number"
        case .string: "text"
        case .bool: "true or false"
        case .list: "a list"
        case .map: "a mapping"
        case .null: "null"
        }
    }
}
