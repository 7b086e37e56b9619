import Foundation

/// Keeps database passwords out of every message and log line: a libpq connection string (a
/// `postgresql://user:password@host/db` URL or `key=value` pairs) is never printed as it is, and any text
/// that may quote one (libpq's own messages) passes through `redact` first.
struct ConnectionSecrets {
    static let mask = "********"

    /// Literal secrets to mask wherever they appear, longest first.
    private(set) var secrets: [String] = []

    init(conninfo: String, parsedPassword: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var found = Self.passwords(in: conninfo)
        if let parsedPassword { found.append(parsedPassword) }
        if let fromEnvironment = environment["PGPASSWORD"] { found.append(fromEnvironment) }
        secrets = Array(Set(found.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    /// `text` with the value of every `password=` pair, the password of every URL, and every literal
    /// secret replaced by the mask.
    func redact(_ text: String) -> String {
        var result = Self.redactSyntax(text)
        for secret in secrets { result = result.replacingOccurrences(of: secret, with: Self.mask) }
        return result
    }

    // MARK: - Masking by syntax

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    private static func isWordByte(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b &- UInt8(ascii: "0") < 10 || b == UInt8(ascii: "_")
    }

    /// Masks `password = value` (value quoted with '...' or running to the next space) and the password
    /// of `scheme://user:password@` in any text.
    static func redactSyntax(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var ranges: [Range<Int>] = []
        forEachPasswordValue(bytes) { start in
            var j = start
            if j < bytes.count, bytes[j] == UInt8(ascii: "'") {
                j += 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "'") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                j = min(j + 1, bytes.count)
            } else {
                while j < bytes.count, !isSpace(bytes[j]) { j += 1 }
            }
            if j > start { ranges.append(start..<j) }
            return j
        }
        let separator = Array("://".utf8)
        var i = 0
        while i + separator.count <= bytes.count {
            guard bytes[i..<(i + separator.count)].elementsEqual(separator) else { i += 1; continue }
            let authorityStart = i + separator.count
            var end = authorityStart
            while end < bytes.count, !isSpace(bytes[end]) { end += 1 }
            // The userinfo ends at the last @ before the next space; its password follows the first colon.
            if let at = bytes[authorityStart..<end].lastIndex(of: UInt8(ascii: "@")),
               let colon = bytes[authorityStart..<at].firstIndex(of: UInt8(ascii: ":")), colon + 1 < at {
                ranges.append((colon + 1)..<at)
            }
            i = end
        }
        guard !ranges.isEmpty else { return text }
        for range in ranges.sorted(by: { $0.lowerBound > $1.lowerBound }) {
            bytes.replaceSubrange(range, with: Array(mask.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Finding the password without libpq

    /// The password in a connection string, as written and decoded, found leniently so that it can be
    /// masked even in a string that libpq rejects.
    static func passwords(in conninfo: String) -> [String] {
        var found: [String] = []
        let bytes = Array(conninfo.utf8)
        if let separator = conninfo.range(of: "://") {
            let rest = conninfo[separator.upperBound...]
            let authority = rest.prefix { $0 != "?" && !$0.isWhitespace }
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                let raw = String(authority[authority.index(after: colon)..<at])
                found.append(raw)
                if let decoded = raw.removingPercentEncoding { found.append(decoded) }
            }
        }
        // password=value pairs: key/value strings, and URL query parameters (up to the next &).
        forEachPasswordValue(bytes) { start in
            var j = start
            var value: [UInt8] = []
            var raw: [UInt8] = []
            if j < bytes.count, bytes[j] == UInt8(ascii: "'") {
                j += 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "'") {
                    if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count { j += 1 }
                    value.append(bytes[j])
                    j += 1
                }
            } else {
                let start = j
                while j < bytes.count, !isSpace(bytes[j]) {
                    if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count { j += 1 }
                    value.append(bytes[j])
                    j += 1
                }
                raw = Array(bytes[start..<j])
            }
            found.append(String(decoding: value, as: UTF8.self))
            if !raw.isEmpty {
                found.append(String(decoding: raw, as: UTF8.self))
                // In a URL query, the value stops at the next parameter.
                let parameter = String(decoding: raw.prefix { $0 != UInt8(ascii: "&") }, as: UTF8.self)
                found.append(parameter)
                if let decoded = parameter.removingPercentEncoding { found.append(decoded) }
            }
            return j
        }
        return found
    }

    /// Finds each `password = value` (the keyword matched whole and case-insensitively, spaces allowed
    /// around `=`) and hands the value's first byte to `consume`, which returns where the scan goes on.
    private static func forEachPasswordValue(_ bytes: [UInt8], _ consume: (Int) -> Int) {
        let keyword = Array("password".utf8)
        var i = 0
        while i + keyword.count <= bytes.count {
            let matches = (0..<keyword.count).allSatisfy { bytes[i + $0] | 0x20 == keyword[$0] }
            guard matches, i == 0 || !isWordByte(bytes[i - 1]) else { i += 1; continue }
            var j = i + keyword.count
            while j < bytes.count, isSpace(bytes[j]) { j += 1 }
            guard j < bytes.count, bytes[j] == UInt8(ascii: "=") else { i += 1; continue }
            j += 1
            while j < bytes.count, isSpace(bytes[j]) { j += 1 }
            i = consume(j)
        }
    }
}
