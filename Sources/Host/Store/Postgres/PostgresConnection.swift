import CLibPQ
import Foundation

/// One libpq connection in text mode: parameters and results as text, the session in UTC, every
/// statement bounded by `statement_timeout`. Not shared between threads; `PostgresStore` pools them.
final class PostgresConnection {
    private let connection: OpaquePointer
    /// Between `BEGIN` and its `COMMIT` or `ROLLBACK` (`transaction`).
    private(set) var inTransaction = false

    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// The connection is gone (the server restarted, the network dropped): open a new one.
        let broken: Bool
    }

    init(url: String, connectTimeout: Int, statementTimeoutMilliseconds: Int) throws {
        let keywords = ["dbname", "connect_timeout", "options", "application_name"]
        let values = [url, String(connectTimeout), "-c statement_timeout=\(statementTimeoutMilliseconds) -c TimeZone=UTC", "swiftmage"]
        var cKeywords: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer(strdup($0)) } + [nil]
        var cValues: [UnsafePointer<CChar>?] = values.map { UnsafePointer(strdup($0)) } + [nil]
        defer {
            for pointer in cKeywords + cValues { free(UnsafeMutablePointer(mutating: pointer)) }
        }
        // expand_dbname: the URL in `dbname` is parsed as a connection string; later keywords win.
        guard let connection = PQconnectdbParams(&cKeywords, &cValues, 1) else {
            throw Failure(description: "cannot allocate a PostgreSQL connection", broken: true)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = Self.oneLine(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw Failure(description: "cannot connect to PostgreSQL: \(reason)", broken: true)
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        self.connection = connection
    }

    deinit { PQfinish(connection) }

    var isBroken: Bool { PQstatus(connection) != CONNECTION_OK }

    /// Whether the server still holds this idle connection, found without sending anything: a server
    /// that shut down has sent its farewell (which libpq reads as a notice) and closed the socket, so
    /// after reading what is pending, a peek at the socket finds its end.
    var isAlive: Bool {
        guard PQconsumeInput(connection) == 1, !isBroken else { return false }
        let socket = PQsocket(connection)
        guard socket >= 0 else { return false }
        var byte: UInt8 = 0
        let peeked = recv(socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return peeked > 0 || (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    }

    /// Runs one statement with `$1…` parameters; returns its rows (none for a command).
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        var copies: [UnsafePointer<CChar>?] = parameters.map { $0.map { UnsafePointer(strdup($0)) } ?? nil }
        defer { for pointer in copies { free(UnsafeMutablePointer(mutating: pointer)) } }
        guard let result = copies.withUnsafeMutableBufferPointer({ values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
        }) else {
            throw PostgresError(message: Self.oneLine(String(cString: PQerrorMessage(connection))), sqlState: nil, broken: isBroken,
                                statement: sql, inTransaction: inTransaction)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return PostgresRows(result)
        default:
            let reason = Self.oneLine(String(cString: PQresultErrorMessage(result)))
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw PostgresError(message: reason, sqlState: state, broken: isBroken, statement: sql, inTransaction: inTransaction)
        }
    }

    /// Runs several statements without parameters (a migration); libpq takes them as one string only so.
    func script(_ sql: String) throws {
        guard let result = PQexec(connection, sql) else {
            throw Failure(description: "PostgreSQL: \(Self.oneLine(String(cString: PQerrorMessage(connection))))", broken: isBroken)
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK else {
            throw PostgresError(message: Self.oneLine(String(cString: PQresultErrorMessage(result))), sqlState: nil, broken: isBroken,
                                statement: sql, inTransaction: inTransaction)
        }
    }

    /// `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body()
            try query("COMMIT")
            return value
        } catch {
            _ = try? query("ROLLBACK")
            throw error
        }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

/// A statement PostgreSQL refused, with its SQLSTATE (`23505`: unique violation).
struct PostgresError: Error, CustomStringConvertible {
    let message: String
    let sqlState: String?
    let broken: Bool
    let statement: String
    let inTransaction: Bool
    var description: String { "PostgreSQL: \(message)" }

    /// The call certainly changed nothing, so it may be made again on a new connection: the server
    /// refused the statement because it is shutting down, crashed or is starting (class 57P: the
    /// transaction was rolled back), or the connection broke on a read outside a transaction or in a
    /// transaction before its `COMMIT` (a server that loses a session rolls its transaction back).
    /// A connection that breaks on `COMMIT` leaves it unknown whether the transaction committed.
    var changedNothing: Bool {
        if sqlState?.hasPrefix("57P") == true { return true }
        guard broken else { return false }
        return inTransaction ? statement != "COMMIT" : (statement == "BEGIN" || statement.hasPrefix("SELECT"))
    }
}

/// The rows of one result, copied out of libpq's memory: text values, nil for NULL.
struct PostgresRows {
    let columns: [String: Int]
    let rows: [[String?]]
    let affected: Int

    init(_ result: OpaquePointer) {
        let fields = Int(PQnfields(result)), count = Int(PQntuples(result))
        var columns: [String: Int] = [:]
        for field in 0..<fields { columns[String(cString: PQfname(result, Int32(field)))] = field }
        self.columns = columns
        rows = (0..<count).map { row in
            (0..<fields).map { field in
                PQgetisnull(result, Int32(row), Int32(field)) != 0 ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(field)))
            }
        }
        affected = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    var first: PostgresRow? { rows.first.map { PostgresRow(columns: columns, values: $0) } }
    var all: [PostgresRow] { rows.map { PostgresRow(columns: columns, values: $0) } }
}

struct PostgresRow {
    let columns: [String: Int]
    let values: [String?]

    func text(_ name: String) -> String? { columns[name].flatMap { values[$0] } }
    func string(_ name: String) -> String { text(name) ?? "" }
    func int64(_ name: String) -> Int64 { text(name).flatMap { Int64($0) } ?? 0 }
    func int(_ name: String) -> Int { Int(int64(name)) }
    func double(_ name: String) -> Double? { text(name).flatMap { Double($0) } }
    func bool(_ name: String) -> Bool { text(name) == "t" }
    func date(_ name: String) -> Date? { text(name).flatMap(PostgresText.date) }
}

/// Values as the text PostgreSQL reads and writes in a UTC session.
enum PostgresText {
    static func date(_ date: Date) -> String {
        var bytes: [UInt8] = []
        UTCTimestamp(date).append(separator: UInt8(ascii: " "), to: &bytes)
        return String(decoding: bytes, as: UTF8.self) + "+00"
    }

    static func date(_ date: Date?) -> String? { date.map { Self.date($0) } }

    /// `2026-12-03 10:40:44.123+00` (fraction optional, up to microseconds), kept to the millisecond as
    /// the SQLite store keeps them.
    static func date(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<from + count] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var milliseconds = 0
        if bytes.count > 19, bytes[19] == UInt8(ascii: ".") {
            var digits = 0, index = 20
            while index < bytes.count, (48...57).contains(bytes[index]) {
                if digits < 3 { milliseconds = milliseconds * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            for _ in digits..<3 where digits < 3 { milliseconds *= 10 }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + Double(milliseconds) / 1000)
    }

    static func bool(_ value: Bool) -> String { value ? "true" : "false" }
}
