import Foundation
import Hummingbird
import MageHTTP
import MageHost

/// A create or update body in Mage's shape, `{"<singular>": {...}}`: read under the size and type limits,
/// and each key checked against the ones the route accepts, so a misspelt key is named, not ignored.
struct RequestRecord {
    static let maxBodyBytes = 1 << 20

    let fields: [String: ConfigValue]

    /// `keys` nil: any key, for a record whose own validation names unknown keys (a trigger's).
    static func read(_ request: Request, _ name: String, accepting keys: Set<String>?) async throws -> RequestRecord {
        let body = try await BodyReader.bytes(request, limit: maxBodyBytes)
        return try parse(body, name, accepting: keys)
    }

    /// A body that may be left out: nil when the request has no bytes, whatever its content type.
    static func readOptional(_ request: Request, _ name: String, accepting keys: Set<String>?) async throws -> RequestRecord? {
        guard let body = try await BodyReader.bytes(request, limit: maxBodyBytes, optional: true) else { return nil }
        return try parse(body, name, accepting: keys)
    }

    private static func parse(_ body: ByteBuffer, _ name: String, accepting keys: Set<String>?) throws -> RequestRecord {
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
        if let keys, let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw APIError.badRequest("unknown key \(name).\(APIError.printable(unknown)) (accepted: \(keys.sorted().joined(separator: ", ")))")
        }
        return RequestRecord(fields: fields)
    }
}
