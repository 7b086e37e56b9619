import MageHTTP

/// What answering a request needs of a model's signature, derived once when the version loads instead of
/// on every request: the feature names and their positions, and the probability keys of responses,
/// already rendered as JSON, in the order responses list them (sorted by name).
struct ModelSchema: Sendable {
    /// A key rendered as JSON (`"no_churn":`) and the position of the value it names.
    struct Key: Sendable {
        var json: [UInt8]
        var index: Int

        init(_ name: String, index: Int) {
            var key = JSONWriter(capacity: name.utf8.count + 3)
            key.string(name)
            key.raw(UInt8(ascii: ":"))
            json = key.bytes
            self.index = index
        }
    }

    let featureNames: [String]
    let featurePositions: [String: Int]
    /// The names as UTF-8, to match keys without making Strings.
    let featureNameBytes: [[UInt8]]
    let classes: [JSONValue]
    /// The feature keys sorted by name, as the audit log writes inputs.
    let featureKeys: [Key]
    /// The probability keys sorted by name, each with the class it reports.
    let probabilityKeys: [Key]
    /// Each class rendered as JSON, for `prediction`.
    let classJSON: [[UInt8]]

    init(_ signature: ModelSignature) {
        featureNames = signature.featureNames
        featurePositions = Dictionary(uniqueKeysWithValues: featureNames.enumerated().map { ($1, $0) })
        featureNameBytes = featureNames.map { Array($0.utf8) }
        classes = signature.classes
        featureKeys = featureNames.enumerated().sorted { $0.element < $1.element }.map { Key($1, index: $0) }
        probabilityKeys = signature.probabilityNames.enumerated().sorted { $0.element < $1.element }.map { Key($1, index: $0) }
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
