import Hummingbird
import NIOCore
import NIOHTTP1

/// Reads a request body under a service's limits: content type `application/json` (else 415), at most
/// `limit` bytes (else 413), not empty (else 400).
public enum BodyReader {
    /// The body's bytes, after the content type, size and emptiness checks. `optional`: a body with no
    /// bytes is nil, whatever its content type (`curl -X POST -d ''` sends a form type with nothing in it).
    public static func bytes(_ request: Request, limit: Int, optional: Bool = false) async throws(APIError) -> ByteBuffer? {
        let refusedType = APIError.unsupportedMediaType("Content-Type must be application/json, got \(request.headers[.contentType] ?? "none")")
        if !optional, !isJSON(request.headers[.contentType]) { throw refusedType }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw .tooLarge("the body is \(length) bytes; the limit is \(limit)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw .tooLarge("the body is over the limit of \(limit) bytes")
        } catch let error as HTTPParserError {
            throw .badRequest("the body is not valid HTTP (\(error)): the connection is closed")
        } catch {
            throw .badRequest("cannot read the body: \(error)")
        }
        guard buffer.readableBytes > 0 else {
            if optional { return nil }
            throw .badRequest("the body is empty: send a JSON object")
        }
        if optional, !isJSON(request.headers[.contentType]) { throw refusedType }
        return buffer
    }

    /// A body that must be there.
    public static func bytes(_ request: Request, limit: Int) async throws(APIError) -> ByteBuffer {
        guard let buffer = try await bytes(request, limit: limit, optional: false) else {
            throw .badRequest("the body is empty: send a JSON object")
        }
        return buffer
    }


    /// `application/json`, any case, with or without parameters (`; charset=utf-8`).
    public static func isJSON(_ contentType: String?) -> Bool {
        guard var type = contentType?.utf8[...] else { return false }
        if let semicolon = type.firstIndex(of: UInt8(ascii: ";")) { type = type[..<semicolon] }
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        while let first = type.first, blank(first) { type = type.dropFirst() }
        while let last = type.last, blank(last) { type = type.dropLast() }
        let expected = "application/json".utf8
        let lowercase: (UInt8) -> UInt8 = { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
        return type.count == expected.count && zip(type, expected).allSatisfy { lowercase($0) == $1 }
    }
}
