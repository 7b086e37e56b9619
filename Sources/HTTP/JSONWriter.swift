import Foundation
import MageHost

/// Writes JSON as UTF-8 bytes for the hot paths (every /predict answer and audit entry, the web API's
/// pages of runs), where Foundation's Codable encoder, or even appending to a `String` scalar by scalar,
/// costs more than the work answered. Keys of generic objects are written sorted, as `JSONResponse` sorts
/// them, and dates as it writes them.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int) { bytes.reserveCapacity(capacity) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Text that is already JSON (punctuation, keys known to need no escaping).
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func raw(_ byte: UInt8) { bytes.append(byte) }

    /// Bytes that are already JSON, such as a key rendered once per model.
    public mutating func raw(_ json: [UInt8]) { bytes.append(contentsOf: json) }

    /// Integral values as integers (as JSONEncoder writes them), others in Swift's shortest round-trip form;
    /// non-finite values, which JSON cannot hold, as null.
    public mutating func number(_ d: Double) {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 {
            bytes.append(contentsOf: String(Int64(d)).utf8)
        } else if d.isFinite {
            bytes.append(contentsOf: d.description.utf8)
        } else {
            raw("null")
        }
    }

    /// Decimal digits written in place, without the `String` that `description` makes.
    public mutating func integer(_ n: some BinaryInteger) {
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(n.magnitude)
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            // Most strings need no escape: copy them whole.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
            } else {
                for byte in utf8 { escape(byte) }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): raw("\\\"")
        case UInt8(ascii: "\\"): raw("\\\\")
        case UInt8(ascii: "\n"): raw("\\n")
        case UInt8(ascii: "\r"): raw("\\r")
        case UInt8(ascii: "\t"): raw("\\t")
        case ..<0x20:
            raw("\\u00")
            bytes.append(Self.hexDigit(byte >> 4))
            bytes.append(Self.hexDigit(byte & 0xF))
        default: bytes.append(byte)
        }
    }

    private static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? UInt8(ascii: "0") + n : UInt8(ascii: "a") + n - 10 }

    /// A date as an ISO 8601 UTC string with milliseconds (`"2026-01-31T09:05:00.123Z"`).
    public mutating func time(_ date: Date) {
        raw(UInt8(ascii: "\""))
        UTCTimestamp(date).append(separator: UInt8(ascii: "T"), to: &bytes)
        raw("Z\"")
    }

    public mutating func value(_ value: ConfigValue) {
        switch value {
        case .null: raw("null")
        case .bool(let b): b ? raw("true") : raw("false")
        case .int(let n): integer(n)
        case .double(let d): number(d)
        case .string(let s): string(s)
        case .list(let items):
            raw(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { raw(UInt8(ascii: ",")) }
                self.value(item)
            }
            raw(UInt8(ascii: "]"))
        case .map(let entries):
            raw(UInt8(ascii: "{"))
            for (i, key) in entries.keys.sorted().enumerated() {
                if i > 0 { raw(UInt8(ascii: ",")) }
                string(key)
                raw(UInt8(ascii: ":"))
                self.value(entries[key]!)
            }
            raw(UInt8(ascii: "}"))
        }
    }
}
