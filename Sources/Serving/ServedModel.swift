import Foundation
import MageHTTP
import MageHost

/// One registered version, loaded through its plugin and ready to serve. Immutable: requests that hold
/// it finish on it even after the slot has moved on, and its plugin handle is freed with the last of them.
public final class ServedModel: Sendable {
    public let version: String
    /// Relative to the project, as in `latest.json`.
    public let path: String
    public let directory: URL
    public let model: LoadedModel
    public let signature: ModelSignature
    /// The signature as requests use it, derived once.
    let schema: ModelSchema
    /// `"v_…"`, rendered once for every response.
    let versionJSON: [UInt8]
    public let blockKind: String
    public let modelType: String?
    /// `lineage.json` of the version (`{}` when absent).
    public let lineage: JSONValue
    public let loadedAt: Date

    init(version: String, path: String, directory: URL, model: LoadedModel, signature: ModelSignature, blockKind: String,
         modelType: String?, lineage: JSONValue, loadedAt: Date) {
        self.version = version
        self.path = path
        self.directory = directory
        self.model = model
        self.signature = signature
        schema = ModelSchema(signature)
        var json = JSONWriter(capacity: version.utf8.count + 2)
        json.string(version)
        versionJSON = json.bytes
        self.blockKind = blockKind
        self.modelType = modelType
        self.lineage = lineage
        self.loadedAt = loadedAt
    }
}

/// Opens a version folder through the plugin whose block kind trained it (`block_kind` in its
/// `metadata.json`), and checks that `signature.json` agrees with what the plugin loaded.
public struct ModelLoader: Sendable {
    public let project: URL
    public let catalog: PluginCatalog

    public init(project: URL, catalog: PluginCatalog) {
        self.project = project
        self.catalog = catalog
    }

    public func load(_ pointer: ModelRegistry.Pointer) throws -> ServedModel {
        let directory = project.appendingPathComponent(pointer.path)
        let metadataFile = directory.appendingPathComponent("metadata.json")
        guard let metadataData = FileManager.default.contents(atPath: metadataFile.path),
              case .object(let metadata) = try JSONValue.parse(metadataData) else {
            throw ServingError.invalidModel("version \(pointer.version) has no readable metadata.json in \(directory.path)")
        }
        guard case .string(let blockKind) = metadata["block_kind"] else {
            throw ServingError.invalidModel("metadata.json of \(pointer.version) names no block_kind")
        }
        let signature = try ModelSignature.read(from: directory.appendingPathComponent("signature.json"))
        let model = try LoadedModel(kind: try catalog.blockKind(named: blockKind), directory: directory)
        guard model.featureCount == signature.features.count else {
            throw ServingError.invalidModel("the plugin loaded \(model.featureCount) features but signature.json lists \(signature.features.count)")
        }
        guard model.classCount == signature.classes.count else {
            throw ServingError.invalidModel("the plugin loaded \(model.classCount) classes but signature.json lists \(signature.classes.count)")
        }
        let lineage = FileManager.default.contents(atPath: directory.appendingPathComponent("lineage.json").path)
            .flatMap { try? JSONValue.parse($0) } ?? .object([:])
        var modelType: String?
        if case .string(let t) = metadata["model_type"] { modelType = t }
        return ServedModel(version: pointer.version, path: pointer.path, directory: directory, model: model,
                           signature: signature, blockKind: blockKind, modelType: modelType, lineage: lineage, loadedAt: Date())
    }
}
