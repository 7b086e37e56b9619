import Foundation
import Hummingbird
import MageHTTP
import NIOCore
import NIOHTTP1

/// Parses a JSON body read under the service's limits (`BodyReader`): well-formed, else 400.
enum JSONRequestBody {
    static func json(_ request: Request, limit: Int) async throws(APIError) -> JSONValue {
        try parse(try await BodyReader.bytes(request, limit: limit))
    }

    static func parse(_ buffer: ByteBuffer) throws(APIError) -> JSONValue {
        let parsed = buffer.withUnsafeReadableBytes { raw in
            Result { () throws(JSONParser.Failure) in try JSONParser.parse(raw.bindMemory(to: UInt8.self)) }
        }
        guard case .success(let value) = parsed else { throw .badRequest("the body is not valid JSON") }
        return value
    }

}
