/// Reading a `ConfigValue` from JSON text by hand: every run read from the store carries its variables as
/// JSON, and `JSONDecoder` (its generic containers, and `ConfigValue.init(from:)` throwing an error for each
/// type it tries) cost more than the rest of reading a page of runs. It gives what `JSONDecoder` gives: an
/// integral number is an `int` when Int64 holds it exactly (`1000`, `1.0`, `1e3`), other numbers `double`.
extension ConfigValue {
    public struct JSONFailure: Error, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    public init(json: String) throws(JSONFailure) {
        var text = json
        self = try text.withUTF8 { bytes in
            var reader = ConfigValueReader(bytes: bytes)
            return Result { () throws(JSONFailure) in try reader.document() }
        }.get()
    }
}

/// A strict RFC 8259 reader (unlike JSONDecoder, it refuses a trailing comma); nesting is limited so a
/// hostile document cannot exhaust the stack.
private struct ConfigValueReader {
    static let maxDepth = 256
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func document() throws(ConfigValue.JSONFailure) -> ConfigValue {
        skipWhitespace()
        let value = try value(depth: 0)
        skipWhitespace()
        guard i == bytes.count else { throw fail("unexpected data after the value") }
        return value
    }

    private func fail(_ reason: String) -> ConfigValue.JSONFailure { .init(offset: i, reason: reason) }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipWhitespace() {
        while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 }
    }

    private mutating func value(depth: Int) throws(ConfigValue.JSONFailure) -> ConfigValue {
        guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        switch current {
        case UInt8(ascii: "{"): return try map(depth: depth)
        case UInt8(ascii: "["): return try list(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case nil: throw fail("unexpected end")
        default: return try number()
        }
    }

    private mutating func literal(_ word: StaticString) throws(ConfigValue.JSONFailure) {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw fail("unexpected end") }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += count
    }

    /// After the opening bracket: values separated by commas up to `close`.
    private mutating func elements(close: UInt8, _ element: (inout Self) throws(ConfigValue.JSONFailure) -> Void)
        throws(ConfigValue.JSONFailure) {
        i += 1
        skipWhitespace()
        if current == close { i += 1; return }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): i += 1
            case close: i += 1; return
            case nil: throw fail("unexpected end")
            default: throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        }
    }

    private mutating func map(depth: Int) throws(ConfigValue.JSONFailure) -> ConfigValue {
        var entries: [String: ConfigValue] = [:]
        try elements(close: UInt8(ascii: "}")) { reader throws(ConfigValue.JSONFailure) in
            guard reader.current == UInt8(ascii: "\"") else { throw reader.fail("expected a key") }
            let key = try reader.string()
            reader.skipWhitespace()
            guard reader.current == UInt8(ascii: ":") else { throw reader.fail("expected ':'") }
            reader.i += 1
            reader.skipWhitespace()
            let value = try reader.value(depth: depth + 1)
            if entries[key] == nil { entries[key] = value }  // the first of a repeated key, as JSONDecoder keeps it
        }
        return .map(entries)
    }

    private mutating func list(depth: Int) throws(ConfigValue.JSONFailure) -> ConfigValue {
        var items: [ConfigValue] = []
        try elements(close: UInt8(ascii: "]")) { reader throws(ConfigValue.JSONFailure) in items.append(try reader.value(depth: depth + 1)) }
        return .list(items)
    }

    private mutating func string() throws(ConfigValue.JSONFailure) -> String {
        i += 1
        let start = i
        // Most strings have no escape: taken whole from the bytes.
        while let b = current, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\"), b >= 0x20 { i += 1 }
        if current == UInt8(ascii: "\"") {
            i += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i - 1]), as: UTF8.self)
        }
        var out = Array(bytes[start..<i])
        while let b = current {
            i += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case ..<0x20: i -= 1; throw fail("control character in a string")
            case UInt8(ascii: "\\"): try escape(into: &out)
            default: out.append(b)
            }
        }
        throw fail("unterminated string")
    }

    /// After a backslash: the character it stands for.
    private mutating func escape(into out: inout [UInt8]) throws(ConfigValue.JSONFailure) {
        guard let b = current else { throw fail("unterminated string") }
        i += 1
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(b)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard current == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") else {
                    throw fail("unpaired surrogate")
                }
                i += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid escape") }
            out.append(contentsOf: String(unicode).utf8)
        default: throw fail("invalid escape")
        }
    }

    private mutating func hex4() throws(ConfigValue.JSONFailure) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Character(Unicode.Scalar(bytes[i])).hexDigitValue else { throw fail("invalid \\u escape") }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }

    /// JSON's number grammar, checked before conversion: no NaN, Infinity, leading zeros or bare dots.
    private mutating func number() throws(ConfigValue.JSONFailure) -> ConfigValue {
        let start = i
        var integral = true
        func digits() -> Int {
            let from = i
            while let b = current, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { i += 1 }
            return i - from
        }
        if current == UInt8(ascii: "-") { i += 1 }
        if current == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { throw fail("invalid value") }
        if current == UInt8(ascii: ".") {
            i += 1
            integral = false
            guard digits() > 0 else { throw fail("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            i += 1
            integral = false
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("invalid number") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if integral, let n = Int64(text) { return .int(n) }
        guard let d = Double(text), d.isFinite else { throw fail("number out of range") }
        if let n = Int64(exactly: d) { return .int(n) }
        return .double(d)
    }
}
