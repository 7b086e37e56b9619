import Foundation
@testable import MageServing
import MageHTTP
import Testing

/// The hand-written JSON of the hot path: what it writes must parse back to what was written.
@Suite struct JSONWriterTests {
    @Test(arguments: ["plain", "", "quote \" and backslash \\", "line\nbreak\ttab\rreturn", "control \u{01}\u{1F}",
                      "ünïcödé ✓ 🎉", "slash / stays"])
    func stringsRoundTrip(_ text: String) throws {
        var json = JSONWriter(capacity: 16)
        json.string(text)
        #expect(try JSONSerialization.jsonObject(with: Data(json.bytes), options: [.fragmentsAllowed]) as? String == text)
    }

    @Test func numbersAsJSONEncoderWritesThem() throws {
        for (value, text) in [(3.0, "3"), (-0.5, "-0.5"), (0.1, "0.1"), (-42.0, "-42"), (.nan, "null"), (.infinity, "null")] {
            var json = JSONWriter(capacity: 8)
            json.number(value)
            #expect(json.text == text, "\(value)")
        }
        for value in [1e15, 2.5e-7, 0.1 + 0.2, -1.7976931348623157e308, 5e-324] {
            var json = JSONWriter(capacity: 8)
            json.number(value)
            #expect(try JSONValue.parse(Data(json.bytes)) == .number(value), "\(json.text)")
        }
    }

    @Test func valuesSortTheirKeys() {
        var json = JSONWriter(capacity: 64)
        json.value(.object(["b": .array([.number(1), .bool(true), .null]), "a": .string("x")]))
        #expect(json.text == #"{"a":"x","b":[1,true,null]}"#)
    }

    @Test func timesAreISO8601UTCWithMilliseconds() {
        for (seconds, text) in [(0.0, "1970-01-01T00:00:00.000Z"), (951_782_400.25, "2000-02-29T00:00:00.250Z"),
                                (1_800_000_000.999, "2027-01-15T08:00:00.999Z")] {
            var json = JSONWriter(capacity: 32)
            json.time(Date(timeIntervalSince1970: seconds))
            #expect(json.text == "\"\(text)\"")
            #expect(json.text == "\"\(ISOTime.format(Date(timeIntervalSince1970: seconds)))\"")
        }
    }

    @Test func contentTypesThatAreJSON() {
        for accepted in ["application/json", "Application/JSON", " application/json ; charset=utf-8", "application/json;charset=UTF-8"] {
            #expect(BodyReader.isJSON(accepted), "\(accepted)")
        }
        for refused in [nil, "", "text/plain", "application/jsonx", "application/json-patch+json", "application/x-www-form-urlencoded",
                        "application/jso", "application\u{0F}json"] {
            #expect(!BodyReader.isJSON(refused), "\(refused ?? "nil")")
        }
    }
}
