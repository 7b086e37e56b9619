import Foundation
import PluginAPI

/// A model opened through its plugin's `load`, served through `predict`, released with `free_model`:
/// the host knows no model type. Immutable once loaded, so many threads may predict at once.
public final class LoadedModel: @unchecked Sendable {
    public let kind: BlockKind
    public let directory: URL
    /// `directory.path`, kept: URL computes it anew on every read.
    private let directoryPath: String
    public let featureCount: Int
    public let classCount: Int
    private let handle: UnsafeMutableRawPointer

    public init(kind: BlockKind, directory: URL) throws {
        guard kind.type == .model else { throw MageError.usage("'\(kind.name)' is a \(kind.type.rawValue), not a model") }
        let context = BlockContext(blockUUID: "load", configuration: [:], artifactDirectory: directory.path,
                                   functions: [:], log: { _, _ in })
        var handle: UnsafeMutableRawPointer?
        var features = 0, classes = 0
        let code = kind.functions.load!(context.cPointer, directory.path, &handle, &features, &classes)
        guard code == MAGE_OK, let handle else {
            throw MageError.blockFailed(block: kind.name, reason: "cannot load \(directory.path): \(context.errorMessage ?? "load returned \(code)")")
        }
        guard features > 0, classes > 0 else {
            kind.functions.freeModel!(handle)
            throw MageError.blockFailed(block: kind.name, reason: "load reported \(features) features and \(classes) classes")
        }
        self.kind = kind
        self.directory = directory
        directoryPath = directory.path
        self.handle = handle
        featureCount = features
        classCount = classes
    }

    deinit { kind.functions.freeModel!(handle) }

    /// Class probabilities, row-major (`rows.count / featureCount` × `classCount`).
    public func predict(rows: [Double]) throws -> [Double] {
        guard rows.count % featureCount == 0 else {
            throw MageError.usage("\(rows.count) values do not make rows of \(featureCount) features")
        }
        let n = rows.count / featureCount
        // NaN until written: a probability the plugin leaves unwritten shows instead of passing for 0.
        var probabilities = [Double](repeating: .nan, count: n * classCount)
        let context = BlockContext(blockUUID: "predict", configuration: [:], artifactDirectory: directoryPath,
                                   functions: [:], log: { _, _ in })
        let code = rows.withUnsafeBufferPointer { input in
            probabilities.withUnsafeMutableBufferPointer { output in
                kind.functions.predict!(context.cPointer, handle, input.baseAddress, n, output.baseAddress)
            }
        }
        guard code == MAGE_OK else {
            throw MageError.blockFailed(block: kind.name, reason: context.errorMessage ?? "predict returned \(code)")
        }
        return probabilities
    }
}
