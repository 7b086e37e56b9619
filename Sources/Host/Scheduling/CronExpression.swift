import Foundation

/// A 5-field cron expression (minute hour day-of-month month day-of-week) parsed once into one bitset per
/// field, so `next(after:in:)` is integer work: civil-date arithmetic on the wall clock, then one time
/// zone lookup or two to turn the wall time into an instant.
///
/// Semantics (croniter's, checked against it in the tests):
/// - `*`, lists `1,5`, ranges `1-5`, steps `*/15`, `1-10/2` and `5/15` (from 5 to the field's end), month
///   names `JAN`…`DEC`, weekday names `SUN`…`SAT`; weekday 7 is Sunday. Macros `@hourly @daily @midnight
///   @weekly @monthly @yearly @annually`.
/// - When day-of-month and day-of-week are both restricted, a day matches either (OR); otherwise both must.
///   A day field is unrestricted when it is `*`, or covers every value while the other day field is
///   written with a `*` (croniter's rule: `*/2` restricts, `1-31` with a weekday list is OR).
/// - DST: a wall time that does not exist (a gap) fires once at the first instant after the gap; a wall
///   time that exists twice (a repeated hour) fires once, at its first occurrence.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let source: String
    let minutes: UInt64    // bits 0-59
    let hours: UInt32      // bits 0-23
    let daysOfMonth: UInt32 // bits 1-31
    let months: UInt16     // bits 1-12
    let weekdays: UInt8    // bits 0-6, Sunday = 0
    let daysOfMonthRestricted: Bool
    let weekdaysRestricted: Bool

    public var description: String { source }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    static let macros: [String: String] = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]

    public init(_ text: String) throws {
        source = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            guard let macro = Self.macros[trimmed.lowercased()] else {
                throw ParseError(description: "unknown macro '\(trimmed)' (known: @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually)")
            }
            expanded = macro
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "expected 5 fields (minute hour day-of-month month day-of-week), got \(fields.count) in '\(text)'")
        }
        minutes = try Field.minute.parse(fields[0])
        hours = UInt32(try Field.hour.parse(fields[1]))
        daysOfMonth = UInt32(try Field.dayOfMonth.parse(fields[2]))
        months = UInt16(try Field.month.parse(fields[3]))
        let weekdayBits = try Field.dayOfWeek.parse(fields[4])
        weekdays = UInt8((weekdayBits | (weekdayBits >> 7)) & 0x7F)  // 7 is Sunday
        let allDays: UInt32 = 0xFFFF_FFFE
        daysOfMonthRestricted = !(fields[2] == "*" || (daysOfMonth == allDays && fields[4].contains("*")))
        weekdaysRestricted = !(fields[4] == "*" || (weekdays == 0x7F && fields[2].contains("*")))
    }

    enum Field: String {
        case minute, hour, dayOfMonth = "day-of-month", month, dayOfWeek = "day-of-week"

        var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        var names: [String] {
            switch self {
            case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
            default: []
            }
        }

        func fail(_ problem: String) -> ParseError {
            ParseError(description: "\(rawValue): \(problem)")
        }

        func value(_ text: Substring) throws -> Int {
            if let number = Int(text) {
                guard range.contains(number) else {
                    throw fail("\(number) is out of range \(range.lowerBound)-\(range.upperBound)")
                }
                return number
            }
            if let index = names.firstIndex(of: text.uppercased()) {
                return index + (self == .month ? 1 : 0)
            }
            let hint = names.isEmpty ? "a number \(range.lowerBound)-\(range.upperBound)"
                : "a number \(range.lowerBound)-\(range.upperBound) or a name \(names.first!)-\(names.last!)"
            throw fail("'\(text)' is not \(hint)")
        }

        /// The field's values as bits; each comma-separated part is `*`, a value or a range, with an
        /// optional `/step`.
        func parse(_ text: String) throws -> UInt64 {
            var bits: UInt64 = 0
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard !part.isEmpty else { throw fail("empty list item in '\(text)'") }
                let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
                guard pieces.count <= 2 else { throw fail("'\(part)' has more than one '/'") }
                var step = 1
                if pieces.count == 2 {
                    guard let parsed = Int(pieces[1]) else { throw fail("step '\(pieces[1])' is not a number") }
                    guard parsed > 0 else { throw fail("step \(parsed) must be at least 1") }
                    step = parsed
                }
                var low: Int, high: Int
                if pieces[0] == "*" {
                    low = range.lowerBound
                    high = self == .dayOfWeek ? 6 : range.upperBound
                } else {
                    let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false)
                    guard bounds.count <= 2, !bounds.contains(where: \.isEmpty) else {
                        throw fail("'\(pieces[0])' is not a value or a range")
                    }
                    low = try value(bounds[0])
                    high = bounds.count == 2 ? try value(bounds[1]) : (pieces.count == 2 ? range.upperBound : low)
                    guard low <= high else { throw fail("range \(pieces[0]) goes backwards") }
                }
                for v in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(v) }
            }
            return bits
        }
    }

    /// The first fire time strictly after `instant`, on the wall clock of `timeZone`. Nil when the
    /// expression never fires (`0 0 30 2 *`) within the next 28 years (a full leap-year cycle of weekdays).
    public func next(after instant: Date, in timeZone: TimeZone) -> Date? {
        let after = Int64(instant.timeIntervalSince1970.rounded(.down))
        var wall = Self.wallMinute(after + Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(after))))) + 60
        let limit = wall + 28 * 366 * 86_400
        while wall <= limit {
            guard let match = nextWall(from: wall, limit: limit) else { return nil }
            switch Self.instant(forWall: match, in: timeZone) {
            case .exact(let seconds) where seconds > after:
                return Date(timeIntervalSince1970: TimeInterval(seconds))
            case .gapEnd(let seconds) where seconds > after:
                return Date(timeIntervalSince1970: TimeInterval(seconds))
            default:
                // The first occurrence of a repeated wall time is already past: it has fired.
                wall = match + 60
            }
        }
        return nil
    }

    static func wallMinute(_ seconds: Int64) -> Int64 {
        seconds - ((seconds % 60) + 60) % 60
    }

    /// The first matching wall-clock minute at or after `start` (seconds since 1970 read as local time).
    func nextWall(from start: Int64, limit: Int64) -> Int64? {
        var days = Self.floorDiv(start, 86_400)
        var minuteOfDay = Int((start - days * 86_400) / 60)
        var (year, month, day) = Civil.date(fromDays: days)
        while days * 86_400 <= limit {
            if months & (1 << UInt16(month)) == 0 {
                (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
                day = 1; minuteOfDay = 0
                days = Civil.days(year: year, month: month, day: 1)
                continue
            }
            if day > Civil.daysIn(year: year, month: month) {
                (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
                day = 1; minuteOfDay = 0
                continue
            }
            if dayMatches(day: day, weekday: Civil.weekday(days: days)), let minute = nextMinute(atOrAfter: minuteOfDay) {
                return days * 86_400 + Int64(minute) * 60
            }
            day += 1; days += 1; minuteOfDay = 0
        }
        return nil
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        let domMatch = daysOfMonth & (1 << UInt32(day)) != 0
        let dowMatch = weekdays & (1 << UInt8(weekday)) != 0
        if daysOfMonthRestricted && weekdaysRestricted { return domMatch || dowMatch }
        return domMatch && dowMatch
    }

    /// The first minute of the day at or after `minuteOfDay` whose hour and minute match.
    func nextMinute(atOrAfter minuteOfDay: Int) -> Int? {
        var hour = minuteOfDay / 60
        var minute = minuteOfDay % 60
        while hour < 24 {
            if hours & (1 << UInt32(hour)) != 0 {
                let remaining = minutes >> UInt64(minute)
                if remaining != 0 { return hour * 60 + minute + remaining.trailingZeroBitCount }
            }
            hour += 1; minute = 0
        }
        return nil
    }

    enum Resolution: Equatable {
        /// The wall time's instant; its first occurrence when the wall time is repeated.
        case exact(Int64)
        /// The wall time falls in a gap: the instant the gap ends.
        case gapEnd(Int64)
    }

    /// The instant of a wall-clock time in `timeZone`. Offsets are looked up a day either side, wider
    /// than any transition, so both readings of a repeated hour and both sides of a gap are seen.
    static func instant(forWall wall: Int64, in timeZone: TimeZone) -> Resolution {
        func offset(_ seconds: Int64) -> Int64 {
            Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
        let before = offset(wall - 86_400), after = offset(wall + 86_400)
        let early = wall - max(before, after), late = wall - min(before, after)
        if offset(early) == wall - early { return .exact(early) }
        if offset(late) == wall - late { return .exact(late) }
        // Nothing reads as `wall`: a gap (the clock jumps from `before` to the larger `after`). The
        // transition lies between the two readings; find its first second.
        var low = wall - after, high = wall - before  // offset(low) == before, offset(high) == after
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(middle) == before { low = middle } else { high = middle }
        }
        return .gapEnd(high)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after Howard Hinnant's
/// `days_from_civil`.
enum Civil {
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// 0 = Sunday; 1970-01-01 was a Thursday.
    static func weekday(days: Int64) -> Int {
        Int(((days + 4) % 7 + 7) % 7)
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
