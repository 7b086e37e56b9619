import Foundation

/// A date's UTC fields to the millisecond, from `gmtime_r`, written out digit by digit: the dates of every
/// response and audit row, where a DateFormatter per value cost more than the rest of the work.
public struct UTCTimestamp: Sendable {
    public let year, month, day, hour, minute, second, millisecond: Int

    public init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        millisecond = min(999, Int((interval - Double(seconds)) * 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
    }

    /// `yyyy-MM-dd<separator>HH:mm:ss.SSS` as UTF-8.
    public func append(separator: UInt8, to bytes: inout [UInt8]) {
        Self.digits(year, 4, &bytes); bytes.append(UInt8(ascii: "-"))
        Self.digits(month, 2, &bytes); bytes.append(UInt8(ascii: "-"))
        Self.digits(day, 2, &bytes); bytes.append(separator)
        Self.digits(hour, 2, &bytes); bytes.append(UInt8(ascii: ":"))
        Self.digits(minute, 2, &bytes); bytes.append(UInt8(ascii: ":"))
        Self.digits(second, 2, &bytes); bytes.append(UInt8(ascii: "."))
        Self.digits(millisecond, 3, &bytes)
    }

    /// `value` zero-padded to `width` digits (value < 10^width).
    private static func digits(_ value: Int, _ width: Int, _ bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `2026-01-31T09:05:00.123Z` (ISO 8601), or with `separator: " "` and no zone, as GRDB stores dates.
    public func text(separator: UInt8 = UInt8(ascii: "T"), zone: Bool = true) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(separator: separator, to: &bytes)
        if zone { bytes.append(UInt8(ascii: "Z")) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
