import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// A create or update body in Mage's shape, `{"<singular>": {...}}`: read under the size and type limits,
/// and each key checked against the ones the route accepts, so a misspelt key is named, not ignored.
struct RequestRecord {
    static let maxBodyBytes = 1 << 20

    let fields: [String: ConfigValue]

    static func read(_ request: Request, _ name: String, accepting keys: Set<String>) async throws -> RequestRecord {
        let body = try await BodyReader.bytes(request, limit: maxBodyBytes)
        guard let document = try? JSONDecoder().decode(ConfigValue.self, from: Data(buffer: body)) else {
            throw APIError.badRequest("the body is not valid JSON")
        }
        guard case .map(let top) = document else {
            throw APIError.badRequest("the body must be a JSON object like {\"\(name)\": {...}}, got \(document.typeName)")
        }
        if let extra = top.keys.sorted().first(where: { $0 != name }) {
            throw APIError.badRequest("unknown key '\(APIError.printable(extra))': the body is {\"\(name)\": {...}}")
        }
        guard case .map(let fields)? = top[name] else {
            throw APIError.badRequest("\(name) must be a JSON object, got \(top[name]?.typeName ?? "nothing")")
        }
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw APIError.badRequest("unknown key \(name).\(APIError.printable(unknown)) (accepted: \(keys.sorted().joined(separator: ", ")))")
        }
        return RequestRecord(fields: fields)
    }
}
