import Foundation
import Testing
@testable import MageServing

@Suite struct JSONParserTests {
    @Test func parsesWhatJSONAllows() throws {
        let text = #" {"a": [1, -0.5, 2e3, 1E-2, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00", "o": {}} "#
        #expect(try JSONValue.parse(Data(text.utf8)) == .object([
            "a": .array([.number(1), .number(-0.5), .number(2000), .number(0.01), .bool(true), .bool(false), .null]),
            "s": .string("q\"\\/\né😀"), "o": .object([:]),
        ]))
    }

    @Test(arguments: ["", "NaN", "Infinity", "-Infinity", "01", "1.", ".5", "+1", "1e400", "[1,]", "{\"a\":1,}", "{\"a\" 1}",
                      "\"\\ud800\"", "\"tab\there\"", "[1] x", "{'a': 1}", "nul", String(repeating: "[", count: 300)])
    func refusesWhatJSONDoesNot(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONValue.parse(Data(text.utf8)) }
    }
}
