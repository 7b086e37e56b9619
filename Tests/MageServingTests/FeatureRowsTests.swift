import Foundation
import MageHTTP
import Hummingbird
import MageHTTP
@testable import MageServing
import Testing

/// The direct reading of `/predict` bodies must give exactly what the general way gives, and leave every
/// other body to the general way.
@Suite struct FeatureRowsTests {
    static let schema = ModelSchema(ModelSignature(
        features: ["a", "b", "customer_service_calls"].map { .init(name: $0, type: "float64") }, label: "churn",
        classes: [.number(0), .number(1)]))

    static func direct(_ body: String, maxRows: Int = 3) -> PredictionRequest? {
        var text = body
        return text.withUTF8 { FeatureRows.read($0, schema: schema, maxRows: maxRows) }
    }

    static func general(_ body: String, maxRows: Int = 3) -> Result<PredictionRequest, APIError> {
        Result { () throws(APIError) in
            try PredictionRequest.decode(try JSONRequestBody.parse(ByteBuffer(string: body)), schema: schema, maxRows: maxRows)
        }
    }

    @Test(arguments: [
        #"{"a": 1, "b": 2.5, "customer_service_calls": -3e2}"#,
        #"{"customer_service_calls":0,"b":-0.0,"a":1E+3}"#,
        " \n{ \"b\" :\t7 , \"a\" : 8 , \"customer_service_calls\" : 9 }\r\n",
        #"[{"a": 1, "b": 2, "customer_service_calls": 3}, {"customer_service_calls": 4, "b": 5, "a": 6.25}]"#,
        #"[{"a": 1, "b": 2, "customer_service_calls": 3},{"a": 1, "b": 2, "customer_service_calls": 3},{"a": 1, "b": 2, "customer_service_calls": 3}]"#,
    ])
    func readsTheCommonShapeAsTheGeneralWayDoes(_ body: String) throws {
        let direct = try #require(Self.direct(body))
        let general = try Self.general(body).get()
        #expect(direct.values.map(\.bitPattern) == general.values.map(\.bitPattern))
        #expect(direct.rowCount == general.rowCount && direct.isBatch == general.isBatch)
    }

    @Test(arguments: [
        #"{"a": 1, "b": 2}"#,                                                    // missing
        #"{"a": 1, "b": 2, "customer_service_calls": 3, "d": 4}"#,              // unknown
        #"{"a": 1, "a": 2, "b": 2, "customer_service_calls": 3}"#,              // repeated
        #"{"\u0061": 1, "b": 2, "customer_service_calls": 3}"#,                 // escaped key
        #"{"a": "1", "b": 2, "customer_service_calls": 3}"#,                    // string
        #"{"a": null, "b": 2, "customer_service_calls": 3}"#,                   // null
        #"{"a": true, "b": 2, "customer_service_calls": 3}"#,                   // boolean
        #"{"a": [1], "b": 2, "customer_service_calls": 3}"#,                    // nested
        #"{"a": 1e999, "b": 2, "customer_service_calls": 3}"#,                  // out of range
        #"{"a": 01, "b": 2, "customer_service_calls": 3}"#,                     // leading zero
        #"{"a": 1, "b": 2, "customer_service_calls": 3,}"#,                     // trailing comma
        #"{"a": 1, "b": 2, "customer_service_calls": 3} x"#,                    // trailing data
        #"{"a": 1, "b": 2, "customer_service_calls": 3"#,                       // unterminated
        "[]", "{}", "42", #""a""#, "[1, 2]",
        #"[{"a": 1, "b": 2, "customer_service_calls": 3}, 5]"#,                 // a row that is not an object
        String(repeating: #"{"a": 1, "b": 2, "customer_service_calls": 3},"#, count: 4).dropLast().description.wrappedInBrackets, // over maxRows
    ])
    func leavesEverythingElseToTheGeneralWay(_ body: String) {
        #expect(Self.direct(body) == nil)
    }
}

private extension String {
    var wrappedInBrackets: String { "[" + self + "]" }
}
