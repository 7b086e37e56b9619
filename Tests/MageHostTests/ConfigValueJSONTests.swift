import Foundation
import MageHost
import Testing

/// The hand-written JSON reader of `ConfigValue` (runs' variables) gives what `JSONDecoder` gives, and
/// refuses what it refuses, but for the trailing comma JSONDecoder takes.
@Suite struct ConfigValueJSONTests {
    static func decoded(_ json: String) -> ConfigValue? {
        try? JSONDecoder().decode(ConfigValue.self, from: Data(json.utf8))
    }

    @Test(arguments: [
        #"{"rows":1000,"seed":42}"#, "{}", "[]", " [ 1 , 2 ] ", "null", "true", "false", "0", "-0", "12", "-7",
        "1.0", "1.5", "-0.25", "1e3", "2.5E-3", "1E+2", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "123456789012345678901234", "1e300", "0.1",
        #""plain""#, #""""#, #""quote \" backslash \\ slash \/ \b\f\n\r\t""#, #""\u00e9t\u00C9 \ud83c\udf89""#,
        #""ünïcödé ✓ 🎉""#, #"{"nested":{"list":[1,"two",null,[false]],"x":{"y":{}}},"a":""}"#,
        #"{"dup":1,"dup":2}"#,
    ])
    func readsWhatJSONDecoderReads(_ json: String) throws {
        let expected = try #require(Self.decoded(json), "JSONDecoder refuses \(json)")
        #expect(try ConfigValue(json: json) == expected, "\(json)")
    }

    @Test(arguments: [
        "", " ", "{", "[1 2]", #"{"a"}"#, "{1:2}", "01", "1.", ".5", "-", "+1", "1e", "NaN",
        "Infinity", "1e400", "tru", "nul", #""unterminated"#, "\"tab\there\"", #""\x""#, #""\u12""#, #""\ud83c""#,
        #""\ud83cx""#, "[1] 2", "'single'",
    ])
    func refusesWhatIsNotJSON(_ json: String) {
        #expect(Self.decoded(json) == nil, "JSONDecoder takes \(json)")
        #expect(throws: ConfigValue.JSONFailure.self, "\(json)") { try ConfigValue(json: json) }
    }

    @Test(arguments: ["[1,]", #"{"a":1,}"#])
    func trailingCommasAreNotJSON(_ json: String) {
        #expect(Self.decoded(json) != nil, "JSONDecoder now refuses \(json)")
        #expect(throws: ConfigValue.JSONFailure.self, "\(json)") { try ConfigValue(json: json) }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: ConfigValue.JSONFailure.self) { try ConfigValue(json: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try ConfigValue(json: fine) }
    }
}
