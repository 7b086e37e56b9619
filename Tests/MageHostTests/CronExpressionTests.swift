import Foundation
import Testing
@testable import MageHost

@Suite struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let lordHowe = TimeZone(identifier: "Australia/Lord_Howe")!

    /// `yyyy-MM-dd HH:mm` in UTC, or with an explicit offset `+02:00` for instants in other zones.
    static func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate,
                                   .withSpaceBetweenDateAndTime, .withTimeZone]
        let withZone = text.count == 16 ? text + ":00Z" : text
        return formatter.date(from: withZone)!
    }

    /// The next `count` fire times as `yyyy-MM-dd HH:mm±hh:mm` in `zone`.
    static func fires(_ expression: String, after start: String, in zone: TimeZone = utc, count: Int = 3) throws -> [String] {
        let cron = try CronExpression(expression)
        var at = instant(start)
        var shown: [String] = []
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mmxxx"
        for _ in 0..<count {
            guard let next = cron.next(after: at, in: zone) else { break }
            shown.append(formatter.string(from: next))
            at = next
        }
        return shown
    }

    static func error(_ expression: String) -> String? {
        do { _ = try CronExpression(expression); return nil }
        catch { return "\(error)" }
    }

    @Test func stepsListsRangesAndStrictlyAfter() throws {
        #expect(try Self.fires("*/15 * * * *", after: "2026-12-03 10:15") == ["2026-12-03 10:30+00:00", "2026-12-03 10:45+00:00", "2026-12-03 11:00+00:00"])
        #expect(try Self.fires("1-10/4 8,20 * * *", after: "2026-12-03 09:00") == ["2026-12-03 20:01+00:00", "2026-12-03 20:05+00:00", "2026-12-03 20:09+00:00"])
        #expect(try Self.fires("50/5 * * * *", after: "2026-12-03 09:00", count: 4) == ["2026-12-03 09:50+00:00", "2026-12-03 09:55+00:00", "2026-12-03 10:50+00:00", "2026-12-03 10:55+00:00"])
        // A one-value range is that value (croniter 7 reads `8-8` as `*`; the reference test avoids them).
        #expect(try Self.fires("0 0 1 8-8 *", after: "2026-12-03 09:00", count: 2) == ["2027-08-01 00:00+00:00", "2028-08-01 00:00+00:00"])
        // Seconds past a fire time are still strictly after it.
        #expect(try Self.fires("0 * * * *", after: "2026-12-03 10:00:30Z", count: 1) == ["2026-12-03 11:00+00:00"])
    }

    @Test func monthEndsAndLeapYears() throws {
        #expect(try Self.fires("0 0 31 * *", after: "2026-01-31 00:00") == ["2026-03-31 00:00+00:00", "2026-05-31 00:00+00:00", "2026-07-31 00:00+00:00"])
        #expect(try Self.fires("0 12 29 2 *", after: "2026-01-01 00:00") == ["2028-02-29 12:00+00:00", "2032-02-29 12:00+00:00", "2036-02-29 12:00+00:00"])
        #expect(try Self.fires("0 0 29 2 *", after: "2096-03-01 00:00", count: 1) == ["2104-02-29 00:00+00:00"])  // 2100 is not a leap year
        #expect(try Self.fires("59 23 28-31 2 *", after: "2028-02-28 23:59") == ["2028-02-29 23:59+00:00", "2029-02-28 23:59+00:00", "2030-02-28 23:59+00:00"])
        #expect(try Self.fires("0 0 1 * *", after: "2026-12-31 23:59") == ["2027-01-01 00:00+00:00", "2027-02-01 00:00+00:00", "2027-03-01 00:00+00:00"])
        #expect(try CronExpression("0 0 30 2 *").next(after: Self.instant("2026-01-01 00:00"), in: Self.utc) == nil)
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreRestricted() throws {
        // 2026-12-03 is a Thursday: the 13th or any Friday.
        #expect(try Self.fires("0 9 13 * FRI", after: "2026-12-03 00:00") == ["2026-12-04 09:00+00:00", "2026-12-11 09:00+00:00", "2026-12-13 09:00+00:00"])
        // Only one restricted: that one decides.
        #expect(try Self.fires("0 9 * * FRI", after: "2026-12-03 00:00", count: 2) == ["2026-12-04 09:00+00:00", "2026-12-11 09:00+00:00"])
        #expect(try Self.fires("0 9 13 * *", after: "2026-12-03 00:00", count: 2) == ["2026-12-13 09:00+00:00", "2027-01-13 09:00+00:00"])
        // croniter: a step restricts (`*/10` is the 1st, 11th, 21st, 31st), so with a weekday it is OR.
        #expect(try Self.fires("0 0 */10 * SUN", after: "2026-12-03 00:00", count: 3) == ["2026-12-06 00:00+00:00", "2026-12-11 00:00+00:00", "2026-12-13 00:00+00:00"])
    }

    @Test func namesSundaySevenAndMacros() throws {
        #expect(try Self.fires("0 0 * JAN,jul mon-Wed", after: "2026-12-03 00:00", count: 4) == ["2027-01-04 00:00+00:00", "2027-01-05 00:00+00:00", "2027-01-06 00:00+00:00", "2027-01-11 00:00+00:00"])
        #expect(try CronExpression("0 0 * * 7").weekdays == CronExpression("0 0 * * 0").weekdays)
        #expect(try Self.fires("0 0 * * 5-7", after: "2026-12-03 00:00") == ["2026-12-04 00:00+00:00", "2026-12-05 00:00+00:00", "2026-12-06 00:00+00:00"])
        #expect(try Self.fires("@hourly", after: "2026-12-03 10:20", count: 1) == ["2026-12-03 11:00+00:00"])
        #expect(try Self.fires("@daily", after: "2026-12-03 10:20", count: 1) == ["2026-12-04 00:00+00:00"])
        #expect(try Self.fires("@weekly", after: "2026-12-03 10:20", count: 1) == ["2026-12-06 00:00+00:00"])
        #expect(try Self.fires("@monthly", after: "2026-12-03 10:20", count: 1) == ["2027-01-01 00:00+00:00"])
        #expect(try Self.fires("@yearly", after: "2026-12-03 10:20", count: 1) == ["2027-01-01 00:00+00:00"])
        #expect(try Self.fires("@annually", after: "2026-12-03 10:20", count: 1) == ["2027-01-01 00:00+00:00"])
    }

    @Test func everyErrorNamesTheFieldAndItsRange() {
        #expect(Self.error("61 * * * *") == "minute: 61 is out of range 0-59")
        #expect(Self.error("0 24 * * *") == "hour: 24 is out of range 0-23")
        #expect(Self.error("0 0 0 * *") == "day-of-month: 0 is out of range 1-31")
        #expect(Self.error("0 0 * 13 *") == "month: 13 is out of range 1-12")
        #expect(Self.error("0 0 * * 8") == "day-of-week: 8 is out of range 0-7")
        #expect(Self.error("0 0 * FOO *") == "month: 'FOO' is not a number 1-12 or a name JAN-DEC")
        #expect(Self.error("0 0 * * funday") == "day-of-week: 'funday' is not a number 0-7 or a name SUN-SAT")
        #expect(Self.error("x * * * *") == "minute: 'x' is not a number 0-59")
        #expect(Self.error("*/0 * * * *") == "minute: step 0 must be at least 1")
        #expect(Self.error("*/x * * * *") == "minute: step 'x' is not a number")
        #expect(Self.error("0 10-2 * * *") == "hour: range 10-2 goes backwards")
        #expect(Self.error("1,,2 * * * *") == "minute: empty list item in '1,,2'")
        #expect(Self.error("1-2-3 * * * *") == "minute: '1-2-3' is not a value or a range")
        #expect(Self.error("1/2/3 * * * *") == "minute: '1/2/3' has more than one '/'")
        #expect(Self.error("* * * *") == "expected 5 fields (minute hour day-of-month month day-of-week), got 4 in '* * * *'")
        #expect(Self.error("@once") == "unknown macro '@once' (known: @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually)")
    }

    @Test func aTimeInADSTGapFiresOnceWhenTheGapEnds() throws {
        // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST. croniter fires 02:30 at 03:00, once.
        #expect(try Self.fires("30 2 * * *", after: "2026-03-28 12:00", in: Self.berlin) == ["2026-03-29 03:00+02:00", "2026-03-30 02:30+02:00", "2026-03-31 02:30+02:00"])
        #expect(try Self.fires("*/30 * * * *", after: "2026-03-29 00:15", in: Self.berlin) == ["2026-03-29 01:30+01:00", "2026-03-29 03:00+02:00", "2026-03-29 03:30+02:00"])
        // Lord Howe moves by 30 minutes: 02:00 becomes 02:30.
        #expect(try Self.fires("0 2 * * *", after: "2026-10-03 01:00", in: Self.lordHowe) == ["2026-10-04 02:30+11:00", "2026-10-05 02:00+11:00", "2026-10-06 02:00+11:00"])
    }

    @Test func aRepeatedHourFiresOnce() throws {
        // Berlin, 2026-10-25: 03:00 CEST goes back to 02:00 CET. croniter fires 02:30 twice; we fire it once.
        #expect(try Self.fires("30 2 * * *", after: "2026-10-24 12:00", in: Self.berlin) == ["2026-10-25 02:30+02:00", "2026-10-26 02:30+01:00", "2026-10-27 02:30+01:00"])
        #expect(try Self.fires("*/30 * * * *", after: "2026-10-24 23:15", in: Self.berlin, count: 5) == ["2026-10-25 01:30+02:00", "2026-10-25 02:00+02:00", "2026-10-25 02:30+02:00", "2026-10-25 03:00+01:00", "2026-10-25 03:30+01:00"])
        // New York, 2026-11-01: 01:00 EDT, then 01:00 EST is not fired again.
        #expect(try Self.fires("0 * * * *", after: "2026-11-01 04:30", in: Self.newYork) == ["2026-11-01 01:00-04:00", "2026-11-01 02:00-05:00", "2026-11-01 03:00-05:00"])
        // Starting inside the second occurrence: 02:30 has fired already at its first.
        #expect(try Self.fires("*/30 * * * *", after: "2026-10-25 01:15", in: Self.berlin, count: 2) == ["2026-10-25 03:00+01:00", "2026-10-25 03:30+01:00"])
    }

    struct ReferenceCase: Decodable {
        let expr: String
        let zone: String
        let start: Int64
        let next: [Int64]?
        let repeated: Bool
        /// A DST gap croniter passed without firing, though the expression matches inside it.
        let gap_end: Int64?
    }

    /// Thousands of random expressions, start times and zones against Python's croniter (fixed seed).
    @Test func agreesWithCroniter() throws {
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("Tests/MageHostTests/Fixtures/cron/croniter_reference.py")
        let (code, out, err) = try TestEnvironment.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, "20261203", "2000"])
        if err.contains("No module named") {
            Issue.record("Python's croniter is missing: run scripts/requirements.sh test (\(err.split(separator: "\n").last ?? ""))")
            return
        }
        #expect(code == 0, "\(err)")
        let cases = try JSONDecoder().decode([ReferenceCase].self, from: Data(out.utf8))
        #expect(cases.count == 2000)
        var compared = 0, gapCases = 0, mismatches: [String] = []
        for reference in cases {
            // croniter fires a repeated wall time twice; our rule (once, at its first occurrence) is tested
            // by hand in aRepeatedHourFiresOnce.
            if reference.repeated { continue }
            let cron = try CronExpression(reference.expr)
            let zone = try #require(TimeZone(identifier: reference.zone))
            var at = Date(timeIntervalSince1970: TimeInterval(reference.start))
            var ours: [Int64] = []
            for _ in 0..<3 {
                guard let next = cron.next(after: at, in: zone) else { break }
                ours.append(Int64(next.timeIntervalSince1970))
                at = next
            }
            compared += 1
            // croniter drops some wall times in a DST gap (`26 * * * *` skips 02:26) and fires others at
            // the gap's end (`30 2 * * *`); we always fire once at the gap's end, the issue's rule. There
            // we expect croniter's times with the gap's end added.
            var expected = reference.next ?? []
            if let gapEnd = reference.gap_end { expected = Array((expected + [gapEnd]).sorted().prefix(3)); gapCases += 1 }
            if ours != expected {
                mismatches.append("\(reference.expr) in \(reference.zone) after \(reference.start): croniter \(reference.next ?? []), ours \(ours)")
            }
        }
        #expect(compared > 1900)
        #expect(gapCases < 20)
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(compared) differ:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    }
}
