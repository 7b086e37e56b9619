import Foundation

/// `signature.json`, written by the host beside the model's artifacts after train (docs/PLUGINS.md): the
/// features a model takes, in order, its label and its classes. The service validates every request against it.
public struct ModelSignature: Sendable, Codable, Equatable {
    public struct Feature: Sendable, Codable, Equatable {
        public var name: String
        public var type: String
    }

    public var features: [Feature]
    public var label: String?
    public var classes: [JSONValue]

    public var featureNames: [String] { features.map(\.name) }

    /// Names of the class probabilities in responses: `no_<label>` and `<label>` for a binary model with
    /// classes 0 and 1 (the seed's `no_churn`, `churn`), else each class as text.
    public var probabilityNames: [String] {
        if classes == [.number(0), .number(1)], let label { return ["no_\(label)", label] }
        return classes.map { value in
            switch value {
            case .string(let s): s
            case .number(let d) where d == d.rounded(): String(Int64(d))
            default: String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
            }
        }
    }

    public static func read(from file: URL) throws -> ModelSignature {
        let signature = try JSONDecoder().decode(ModelSignature.self, from: Data(contentsOf: file))
        guard !signature.features.isEmpty else { throw ServingError.invalidModel("signature.json lists no features") }
        guard Set(signature.featureNames).count == signature.features.count else {
            throw ServingError.invalidModel("signature.json lists a feature twice")
        }
        guard signature.classes.count >= 2 else { throw ServingError.invalidModel("signature.json lists fewer than 2 classes") }
        return signature
    }
}

public enum ServingError: Error, CustomStringConvertible {
    case invalidModel(String)
    case noModel(String)

    public var description: String {
        switch self {
        case .invalidModel(let s): s
        case .noModel(let s): s
        }
    }
}
