import Foundation
import MageHTTP
import MageHost

/// Names and ids taken from a request path or query, checked before they reach a file path or a query.
enum ResourceName {
    /// A pipeline, block or model version name, by the project's own rule (`PipelineLoader.isSafeIdentifier`).
    static func identifier(_ text: String?, _ what: String) throws -> String {
        guard let text, PipelineLoader.isSafeIdentifier(text) else {
            throw APIError.badRequest("\(what) must be 1 to 128 letters, digits, '_', '-' or '.' (not '.' or '..'), got '\(APIError.printable(text ?? ""))'")
        }
        return text
    }

    static func runID(_ text: String?, _ what: String = "pipeline run id") throws -> Int64 {
        guard let text, let id = Int64(text), id > 0 else {
            throw APIError.badRequest("\(what) must be a positive whole number, got '\(APIError.printable(text ?? ""))'")
        }
        return id
    }
}
