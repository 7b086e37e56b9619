import Foundation

/// Errors the host reports to people: each names what failed and, where one exists, what to do.
public enum MageError: Error, CustomStringConvertible, Equatable {
    case invalidProject(String)
    case invalidPipeline([ValidationProblem])
    case pluginRefused(path: String, reason: String)
    case unknownBlockKind(String)
    case blockFailed(block: String, reason: String)
    case corruptData(String)
    case io(String)
    case usage(String)

    public var description: String {
        switch self {
        case .invalidProject(let m), .corruptData(let m), .io(let m), .usage(let m): m
        case .invalidPipeline(let problems): problems.map(\.description).joined(separator: "\n")
        case .pluginRefused(let path, let reason): "\(path): \(reason)"
        case .unknownBlockKind(let name): "no loaded plugin provides block kind '\(name)'"
        case .blockFailed(let block, let reason): "block '\(block)' failed: \(reason)"
        }
    }

    /// One line for any error: ours as written, Foundation's as its localized description.
    public static func describe(_ error: Error) -> String {
        if let mage = error as? MageError { return mage.description }
        if error is DecodingError { return "\(error)" }
        return (error as NSError).localizedDescription
    }

    /// What a person can do next, when there is something.
    public var hint: String? {
        switch self {
        case .invalidProject: "create one with `mage init <path>`"
        case .invalidPipeline: "fix the pipeline's metadata.yaml and run again"
        case .unknownBlockKind: "`mage plugins list` shows the loaded block kinds and the refused libraries"
        default: nil
        }
    }
}

/// One problem found while validating a pipeline: the file, the block (when there is one) and what is wrong.
public struct ValidationProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var block: String?
    public var message: String

    public init(file: String, block: String?, message: String) {
        self.file = file
        self.block = block
        self.message = message
    }

    public var description: String {
        block.map { "\(file): block '\($0)': \(message)" } ?? "\(file): \(message)"
    }
}
