import Foundation
import Hummingbird

/// Reads a JSON body under the service's limits: content type `application/json` (else 415), at most
/// `limit` bytes (else 413), not empty and well-formed (else 400).
enum RequestBody {
    static func json(_ request: Request, limit: Int) async throws(APIError) -> JSONValue {
        let contentType = request.headers[.contentType]?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard contentType == "application/json" else {
            throw .unsupportedMediaType("Content-Type must be application/json, got \(request.headers[.contentType] ?? "none")")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw .tooLarge("the body is \(length) bytes; the limit is \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw .tooLarge("the body is over the limit of \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { throw .badRequest("the body is empty: send a JSON object") }
        do {
            return try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw .badRequest("the body is not valid JSON")
        }
    }
}
