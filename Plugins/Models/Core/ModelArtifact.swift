import Foundation

/// A trained model plus the preprocessing it was trained with — what an artifact file holds.
public enum TrainedModel: Sendable {
    case randomForest(RandomForestClassifier, Preprocessor)
    case logisticRegression(LogisticRegression, Preprocessor)

    public var preprocessor: Preprocessor {
        switch self {
        case .randomForest(_, let p), .logisticRegression(_, let p): return p
        }
    }

    public var featureNames: [String] {
        switch self {
        case .randomForest(let m, _): return m.featureNames
        case .logisticRegression(let m, _): return m.featureNames
        }
    }

    public var format: String {
        switch self {
        case .randomForest: return ModelArtifact.randomForestFormat
        case .logisticRegression: return ModelArtifact.logisticRegressionFormat
        }
    }

    /// `[p0, p1]` per row for raw rows (NaN allowed): applies the stored preprocessor, then the model.
    public func predictProbabilities(rawRows: [Double], nRows: Int) throws -> [Double] {
        let rows = try preprocessor.transform(rows: rawRows)
        switch self {
        case .randomForest(let m, _): return try m.predictProbabilities(rows: rows, nRows: nRows)
        case .logisticRegression(let m, _): return try m.predictProbabilities(rows: rows, nRows: nRows)
        }
    }
}

/// Why an artifact was refused. Every case names the offending field so a corrupt file can be
/// diagnosed from the log line alone.
public enum ArtifactError: Error, Equatable, CustomStringConvertible {
    case notJSON(String)
    case unknownFormat(String)
    case missingField(String)
    case invalidField(String, String)
    case featureCountMismatch(field: String, expected: Int, found: Int)
    case invalidTree(tree: Int, String)
    case invalidModel(String)

    public var description: String {
        switch self {
        case .notJSON(let why): return "model artifact is not valid JSON: \(why)"
        case .unknownFormat(let format):
            return "unknown model artifact format '\(format)' (supported: \(ModelArtifact.supportedFormats.joined(separator: ", ")))"
        case .missingField(let path): return "model artifact is missing '\(path)'"
        case .invalidField(let path, let why): return "model artifact field '\(path)' is invalid: \(why)"
        case .featureCountMismatch(let field, let expected, let found):
            return "model artifact feature count mismatch: '\(field)' has \(found) entries, expected \(expected) (one per feature)"
        case .invalidTree(let tree, let why): return "model artifact tree \(tree) is invalid: \(why)"
        case .invalidModel(let why): return "model artifact is invalid: \(why)"
        }
    }
}

/// Reads and writes model artifacts: portable, human-readable JSON documented in FORMAT.md.
///
/// Writing uses sorted keys and shortest round-trip number printing, so equal models give equal
/// bytes. Reading checks the format tag, then every shape and index, so a corrupt or hostile file
/// is refused with an `ArtifactError` instead of crashing or looping the prediction service.
public enum ModelArtifact {
    public static let randomForestFormat = "swiftmage.random_forest.v1"
    public static let logisticRegressionFormat = "swiftmage.logistic_regression.v1"
    public static let supportedFormats = [randomForestFormat, logisticRegressionFormat]

    public static func encode(_ model: TrainedModel) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        switch model {
        case .randomForest(let forest, let preprocessor):
            return try encoder.encode(ForestFile(forest, preprocessor))
        case .logisticRegression(let logistic, let preprocessor):
            return try encoder.encode(LogisticFile(logistic, preprocessor))
        }
    }

    public static func decode(_ data: Data) throws -> TrainedModel {
        let decoder = JSONDecoder()
        let header = try mapping { try decoder.decode(Header.self, from: data) }
        switch header.format {
        case randomForestFormat:
            return try mapping { try decoder.decode(ForestFile.self, from: data) }.model()
        case logisticRegressionFormat:
            return try mapping { try decoder.decode(LogisticFile.self, from: data) }.model()
        default:
            throw ArtifactError.unknownFormat(header.format)
        }
    }

    public static func write(_ model: TrainedModel, to url: URL) throws {
        try encode(model).write(to: url, options: .atomic)
    }

    public static func read(from url: URL) throws -> TrainedModel {
        try decode(Data(contentsOf: url))
    }

    /// Turns decoding errors into `ArtifactError`s that name the JSON path.
    private static func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DecodingError {
            func path(_ keys: [CodingKey], _ last: CodingKey? = nil) -> String {
                let all = keys + (last.map { [$0] } ?? [])
                return all.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                    .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            }
            switch error {
            case .keyNotFound(let key, let context): throw ArtifactError.missingField(path(context.codingPath, key))
            case .valueNotFound(_, let context): throw ArtifactError.missingField(path(context.codingPath))
            case .typeMismatch(let type, let context):
                throw ArtifactError.invalidField(path(context.codingPath), "expected \(type)")
            case .dataCorrupted(let context) where context.codingPath.isEmpty:
                let detail = context.underlyingError.map { " (\($0))" } ?? ""
                throw ArtifactError.notJSON(context.debugDescription + detail)
            case .dataCorrupted(let context):
                throw ArtifactError.invalidField(path(context.codingPath), context.debugDescription)
            @unknown default: throw ArtifactError.invalidModel("\(error)")
            }
        } catch let error as ModelError {
            throw ArtifactError.invalidModel(error.description)
        }
    }

    struct Header: Decodable { let format: String }

    /// Checks the fields shared by both formats.
    static func checkCommon(classes: [Int], featureNames: [String], nFeatures: Int, preprocessor: Preprocessor) throws {
        guard classes == [0, 1] else { throw ArtifactError.invalidField("classes", "must be [0, 1], got \(classes)") }
        guard nFeatures >= 1 else { throw ArtifactError.invalidField("n_features", "must be at least 1, got \(nFeatures)") }
        guard featureNames.count == nFeatures else {
            throw ArtifactError.featureCountMismatch(field: "feature_names", expected: nFeatures, found: featureNames.count)
        }
        for (field, count) in [("preprocessor.medians", preprocessor.medians.count),
                               ("preprocessor.means", preprocessor.means.count),
                               ("preprocessor.scales", preprocessor.scales.count)] where count != nFeatures {
            throw ArtifactError.featureCountMismatch(field: field, expected: nFeatures, found: count)
        }
    }

    struct TreeFile: Codable {
        let feature: [Int32]
        let threshold: [Double]
        let left: [Int32]
        let right: [Int32]
        let value: [Double]
    }

    struct ForestFile: Codable {
        let format: String
        let classes: [Int]
        let featureNames: [String]
        let nFeatures: Int
        let hyperparameters: RandomForestParameters
        let preprocessor: Preprocessor
        let featureImportances: [Double]
        let trees: [TreeFile]

        enum CodingKeys: String, CodingKey {
            case format, classes, featureNames = "feature_names", nFeatures = "n_features", hyperparameters
            case preprocessor, featureImportances = "feature_importances", trees
        }

        init(_ forest: RandomForestClassifier, _ preprocessor: Preprocessor) {
            format = ModelArtifact.randomForestFormat
            classes = [0, 1]
            featureNames = forest.featureNames
            nFeatures = forest.nFeatures
            hyperparameters = forest.parameters
            self.preprocessor = preprocessor
            featureImportances = forest.featureImportances
            trees = forest.trees.map {
                TreeFile(feature: $0.feature, threshold: $0.threshold, left: $0.left, right: $0.right, value: $0.value)
            }
        }

        func model() throws -> TrainedModel {
            try checkCommon(classes: classes, featureNames: featureNames, nFeatures: nFeatures, preprocessor: preprocessor)
            guard featureImportances.count == nFeatures else {
                throw ArtifactError.featureCountMismatch(field: "feature_importances", expected: nFeatures,
                                                         found: featureImportances.count)
            }
            try mapping { try hyperparameters.validate() }
            guard !trees.isEmpty else { throw ArtifactError.invalidField("trees", "a forest needs at least one tree") }
            guard trees.count == hyperparameters.nEstimators else {
                throw ArtifactError.invalidField("trees", "has \(trees.count) trees but n_estimators is \(hyperparameters.nEstimators)")
            }
            let built = try trees.enumerated().map { index, t in
                let tree = DecisionTree(unchecked: t.feature, threshold: t.threshold, left: t.left, right: t.right, value: t.value)
                if let defect = tree.defect(nFeatures: nFeatures) { throw ArtifactError.invalidTree(tree: index, defect.description) }
                return tree
            }
            let forest = try mapping {
                try RandomForestClassifier(parameters: hyperparameters, featureNames: featureNames, trees: built,
                                           featureImportances: featureImportances)
            }
            return .randomForest(forest, preprocessor)
        }
    }

    struct LogisticFile: Codable {
        let format: String
        let classes: [Int]
        let featureNames: [String]
        let nFeatures: Int
        let hyperparameters: LogisticRegressionParameters
        let preprocessor: Preprocessor
        let coefficients: [Double]
        let intercept: Double
        let nIter: Int

        enum CodingKeys: String, CodingKey {
            case format, classes, featureNames = "feature_names", nFeatures = "n_features", hyperparameters
            case preprocessor, coefficients, intercept, nIter = "n_iter"
        }

        init(_ model: LogisticRegression, _ preprocessor: Preprocessor) {
            format = ModelArtifact.logisticRegressionFormat
            classes = [0, 1]
            featureNames = model.featureNames
            nFeatures = model.nFeatures
            hyperparameters = model.parameters
            self.preprocessor = preprocessor
            coefficients = model.coefficients
            intercept = model.intercept
            nIter = model.iterations
        }

        func model() throws -> TrainedModel {
            try checkCommon(classes: classes, featureNames: featureNames, nFeatures: nFeatures, preprocessor: preprocessor)
            try mapping { try hyperparameters.validate() }
            guard coefficients.count == nFeatures else {
                throw ArtifactError.featureCountMismatch(field: "coefficients", expected: nFeatures, found: coefficients.count)
            }
            let model = try mapping {
                try LogisticRegression(parameters: hyperparameters, featureNames: featureNames,
                                       coefficients: coefficients, intercept: intercept, iterations: nIter)
            }
            return .logisticRegression(model, preprocessor)
        }
    }
}
