import Foundation

/// `signature.json` in a model's artifact folder, written by the host after a successful train: the
/// features `predict` takes, in row order, with their types from the training table, the label and the
/// classes (the label's distinct values, sorted). The prediction service validates requests against it.
public struct ModelSignatureFile: Codable, Sendable, Equatable {
    public static let fileName = "signature.json"
    /// More distinct label values than this is a regression target or an id, not a set of classes.
    static let maxClasses = 1000

    public struct Feature: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
    }

    public var features: [Feature]
    public var label: String?
    public var classes: [ConfigValue]

    /// What the host can say about a trained table's columns, in the signature's terms.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// The signature of a model trained on `table`: `features` in predict's order (nil: every column
    /// but the label, in table order).
    public static func derive(from table: Table, label: String, features: [String]?) throws -> ModelSignatureFile {
        let columns = table.columns.map(\.name)
        guard let labelColumn = table.column(named: label) else {
            throw Problem(description: "the label '\(label)' is not a column of the training table (columns: \(columns.joined(separator: ", ")))")
        }
        let names = features ?? columns.filter { $0 != label }
        guard !names.isEmpty else { throw Problem(description: "the model declares no features") }
        guard Set(names).count == names.count else { throw Problem(description: "the model declares a feature twice") }
        guard !names.contains(label) else { throw Problem(description: "the label '\(label)' is also declared as a feature") }
        var declared: [Feature] = []
        for name in names {
            guard let column = table.column(named: name) else {
                throw Problem(description: "feature '\(name)' is not a column of the training table (columns: \(columns.joined(separator: ", ")))")
            }
            guard column.values.type != .utf8 else {
                throw Problem(description: "feature '\(name)' is a text column; predict takes numbers, so leave it out of the features")
            }
            declared.append(Feature(name: name, type: column.values.type.rawValue))
        }
        return ModelSignatureFile(features: declared, label: label, classes: try classes(of: labelColumn))
    }

    /// The label's distinct non-null values, sorted; booleans as 0 and 1.
    private static func classes(of column: Column) throws -> [ConfigValue] {
        func present(_ row: Int) -> Bool { column.validity?[row] ?? true }
        let classes: [ConfigValue]
        switch column.values {
        case .int64(let v): classes = Set(v.indices.filter(present).map { v[$0] }).sorted().map { .int($0) }
        case .bool(let v): classes = Set(v.indices.filter(present).map { v[$0] ? Int64(1) : 0 }).sorted().map { .int($0) }
        case .float64(let v):
            let values = Set(v.indices.filter(present).map { v[$0] }.filter { !$0.isNaN })
            classes = values.sorted().map { $0 == $0.rounded() && abs($0) < 1e15 ? .int(Int64($0)) : .double($0) }
        case .utf8(let v): classes = Set(v.indices.filter(present).map { v[$0] }).sorted().map { .string($0) }
        }
        guard classes.count >= 2 else {
            throw Problem(description: "the label '\(column.name)' holds \(classes.count) distinct value\(classes.count == 1 ? "" : "s"); a classifier needs at least 2")
        }
        guard classes.count <= maxClasses else {
            throw Problem(description: "the label '\(column.name)' holds more than \(maxClasses) distinct values; is it a label?")
        }
        return classes
    }

    /// The signature of a version folder, or why there is none the host can serve with.
    public static func read(in directory: URL) throws -> ModelSignatureFile {
        let file = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw Problem(description: "no \(fileName): the model's train declared no signature (declare_model_signature, or the kind's label_key)")
        }
        let signature: ModelSignatureFile
        do {
            signature = try JSONDecoder().decode(ModelSignatureFile.self, from: data)
        } catch {
            throw Problem(description: "\(fileName) is not a signature (features, label, classes): \(JSONDecodeProblem.describe(error))")
        }
        guard !signature.features.isEmpty else { throw Problem(description: "\(fileName) lists no features") }
        guard Set(signature.features.map(\.name)).count == signature.features.count else {
            throw Problem(description: "\(fileName) lists a feature twice")
        }
        guard signature.classes.count >= 2 else { throw Problem(description: "\(fileName) lists fewer than 2 classes") }
        return signature
    }

    func write(in directory: URL) throws {
        try AtomicFile.write(try JSON.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }
}

/// A decoding error in a sentence, without Swift's type dump.
enum JSONDecodeProblem {
    static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: "missing key '\(path(context.codingPath + [key]))'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            "wrong type at '\(path(context.codingPath))'"
        case .dataCorrupted(let context)?: context.codingPath.isEmpty ? "not valid JSON" : "bad value at '\(path(context.codingPath))'"
        default: "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
