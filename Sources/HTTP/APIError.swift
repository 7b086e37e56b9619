import Foundation
import Hummingbird
import MageHost

/// A refused request: its status, one message, and each offending field. Every HTTP service of the
/// project answers errors in this one shape: `{"status_code": 400, "error": "...", "errors": [...]}`.
public struct APIError: Error, Sendable, Encodable {
    public struct FieldError: Sendable, Encodable, Equatable {
        public var field: String
        /// The row of a batch, absent for a single object.
        public var row: Int?
        public var error: String

        public init(field: String, row: Int? = nil, error: String) {
            self.field = field
            self.row = row
            self.error = error
        }
    }

    public var status: Int
    public var message: String
    public var fields: [FieldError] = []

    public init(status: Int, message: String, fields: [FieldError] = []) {
        self.status = status
        self.message = message
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey {
        case status = "status_code", message = "error", fields = "errors"
    }

    public static func badRequest(_ message: String) -> APIError { APIError(status: 400, message: message) }
    public static func notFound(_ message: String) -> APIError { APIError(status: 404, message: message) }
    public static func tooLarge(_ message: String) -> APIError { APIError(status: 413, message: message) }
    public static func unsupportedMediaType(_ message: String) -> APIError { APIError(status: 415, message: message) }
    public static func invalid(_ fields: [FieldError]) -> APIError {
        APIError(status: 422, message: "invalid input: " + fields.prefix(10).map { e in
            (e.row.map { "row \($0): " } ?? "") + "\(e.field): \(e.error)"
        }.joined(separator: "; ") + (fields.count > 10 ? "; …" : ""), fields: fields)
    }
    public static func conflict(_ message: String) -> APIError { APIError(status: 409, message: message) }
    public static func unavailable(_ message: String) -> APIError { APIError(status: 503, message: message) }

    public var response: Response { JSONResponse.make(status: status, self) }

    /// Echoed text, shortened and without control characters, so an error never carries a hostile payload.
    public static func printable(_ text: String) -> String {
        let clean = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
        return clean.count > 80 ? String(clean.prefix(80)) + "…" : clean
    }
}

public enum JSONResponse {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(UTCTimestamp(date).text())
        }
        return encoder
    }()

    /// JSON already written (the /predict hot path).
    public static func make(json: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    public static func make<T: Encodable>(status: Int = 200, _ value: T, headers: HTTPFields = [:]) -> Response {
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"cannot encode the response"}"#.utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func text(_ text: String, contentType: String, status: Int = 200) -> Response {
        Response(status: .init(code: status), headers: [.contentType: contentType],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
