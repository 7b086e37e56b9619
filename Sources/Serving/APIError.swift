import Foundation
import Hummingbird

/// A refused request: its status, one message, and each offending field.
public struct APIError: Error, Sendable, Encodable {
    public struct FieldError: Sendable, Encodable, Equatable {
        public var field: String
        /// The row of a batch, absent for a single object.
        public var row: Int?
        public var error: String
    }

    public var status: Int
    public var message: String
    public var fields: [FieldError] = []

    enum CodingKeys: String, CodingKey {
        case status = "status_code", message = "error", fields = "errors"
    }

    static func badRequest(_ message: String) -> APIError { APIError(status: 400, message: message) }
    static func tooLarge(_ message: String) -> APIError { APIError(status: 413, message: message) }
    static func unsupportedMediaType(_ message: String) -> APIError { APIError(status: 415, message: message) }
    static func invalid(_ fields: [FieldError]) -> APIError {
        APIError(status: 422, message: "invalid input: " + fields.prefix(10).map { e in
            (e.row.map { "row \($0): " } ?? "") + "\(e.field): \(e.error)"
        }.joined(separator: "; ") + (fields.count > 10 ? "; …" : ""), fields: fields)
    }
    static func unavailable(_ message: String) -> APIError { APIError(status: 503, message: message) }

    var response: Response { JSONResponse.make(status: status, self) }
}

enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISOTime.format(date))
        }
        return encoder
    }()

    /// JSON already written (the /predict hot path).
    static func make(json: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    static func make<T: Encodable>(status: Int = 200, _ value: T, headers: HTTPFields = [:]) -> Response {
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"cannot encode the response"}"#.utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ text: String, contentType: String, status: Int = 200) -> Response {
        Response(status: .init(code: status), headers: [.contentType: contentType],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
