/// What answering a request needs of a model's signature, derived once when the version loads instead of
/// on every request: the feature names and their positions, and the probability keys of responses,
/// already rendered as JSON, in the order responses list them (sorted by name).
struct ModelSchema: Sendable {
    struct ProbabilityKey: Sendable {
        /// `"no_churn":`
        var json: [UInt8]
        /// The class whose probability it reports.
        var classIndex: Int
    }

    let featureNames: [String]
    let featurePositions: [String: Int]
    /// The names as UTF-8, to match keys without making Strings.
    let featureNameBytes: [[UInt8]]
    let classes: [JSONValue]
    let probabilityKeys: [ProbabilityKey]
    /// Each class rendered as JSON, for `prediction`.
    let classJSON: [[UInt8]]

    init(_ signature: ModelSignature) {
        featureNames = signature.featureNames
        featurePositions = Dictionary(uniqueKeysWithValues: featureNames.enumerated().map { ($1, $0) })
        featureNameBytes = featureNames.map { Array($0.utf8) }
        classes = signature.classes
        probabilityKeys = signature.probabilityNames.enumerated().sorted { $0.element < $1.element }.map { index, name in
            var key = JSONWriter(capacity: name.utf8.count + 3)
            key.string(name)
            key.raw(UInt8(ascii: ":"))
            return ProbabilityKey(json: key.bytes, classIndex: index)
        }
        classJSON = signature.classes.map { value in
            var json = JSONWriter(capacity: 8)
            json.value(value)
            return json.bytes
        }
    }

    /// The position of the feature whose name is these bytes.
    func featurePosition(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        featureNameBytes.firstIndex { $0.count == name.count && $0.withUnsafeBufferPointer { $0.elementsEqual(name) } }
    }
}
