import CLibPQ
import Foundation
import PluginAPI
import PluginKit

/// Runs one parameterized SQL query through libpq and returns its result as a table. Parameters are
/// bound as text ($1, $2, ...), never written into the SQL. No password ever reaches a message or the
/// block's log: see `ConnectionSecrets`.
enum PostgresQuery {
    static let defaultURLVariable = "DATABASE_URL"
    static let defaultConnectTimeout = "10"

    static let spec = BlockKindSpec(
        name: "postgres_query", type: MAGE_BLOCK_DATA_LOADER,
        description: "runs one parameterized SQL query on PostgreSQL and returns its rows",
        configKeys: [
            ConfigKeySpec("query", MAGE_CONFIG_STRING, required: true, "one SQL statement; $1, $2, ... are the parameters"),
            ConfigKeySpec("parameters", MAGE_CONFIG_STRING_LIST, "values of $1, $2, ..., bound as text"),
            ConfigKeySpec("url", MAGE_CONFIG_STRING, secret: true,
                          "libpq connection string or postgresql:// URL (default: the variable url_env names); secret: masked in every record"),
            ConfigKeySpec("url_env", MAGE_CONFIG_STRING,
                          "environment variable holding the connection string when url is unset (default DATABASE_URL)"),
        ],
        run: { ctx, _, _, output in PostgresQuery.run(BlockCall(ctx), output) })

    /// Type OIDs of PostgreSQL's built-in types (pg_type.dat), fixed since forever.
    enum TypeOID {
        static let bool: Oid = 16, int8: Oid = 20, int2: Oid = 21, int4: Oid = 23
        static let float4: Oid = 700, float8: Oid = 701, numeric: Oid = 1700
    }

    struct Failure: Error {
        let message: String
        let code: Int32
        init(_ message: String, code: Int32 = Int32(MAGE_ERROR_INVALID_INPUT)) {
            self.message = message
            self.code = code
        }
    }

    static func run(_ call: BlockCall, _ output: UnsafeMutablePointer<mage_table>?) -> Int32 {
        do {
            let (conninfo, source) = try connectionString(call)
            let connection = try Connection(conninfo: conninfo, source: source, call: call)
            defer { connection.close() }
            let started = Date()
            let result = try connection.execute(call.string("query")!, parameters: call.stringList("parameters") ?? [])
            defer { PQclear(result) }
            let summary = try buildTable(result, secrets: connection.secrets, into: output)
            let seconds = Double(Int(Date().timeIntervalSince(started) * 1000)) / 1000
            call.log(connection.secrets.redact("query returned \(summary) in \(seconds) s"))
            return Int32(MAGE_OK)
        } catch let failure as Failure {
            return call.fail(failure.message, code: failure.code)
        } catch {
            return call.fail("\(error)", code: Int32(MAGE_ERROR))
        }
    }

    /// The connection string from `url`, else from the environment variable `url_env` names, with where
    /// it came from (for messages).
    static func connectionString(_ call: BlockCall) throws -> (String, String) {
        if let url = call.string("url") {
            guard !url.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Failure("configuration key 'url' is empty: give a postgresql:// URL or a libpq connection string")
            }
            return (url, "configuration key 'url'")
        }
        let variable = call.string("url_env") ?? defaultURLVariable
        let named = call.string("url_env") == nil ? "" : " (named by 'url_env')"
        guard let value = ProcessInfo.processInfo.environment[variable],
              !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Failure("no database URL: set the configuration key 'url', or the environment variable \(variable)\(named), which is not set or empty")
        }
        return (value, "environment variable \(variable)")
    }

    // MARK: - The result as a table

    /// Moves the result into `output`; returns "N rows × M columns (a int64, ...)".
    static func buildTable(_ result: OpaquePointer, secrets: ConnectionSecrets,
                           into output: UnsafeMutablePointer<mage_table>?) throws -> String {
        let api = PluginHost.api.pointee
        let rows = Int(PQntuples(result)), columns = Int(PQnfields(result))
        guard let builder = api.table_builder_new() else { throw Failure("the host could not create a table builder", code: Int32(MAGE_ERROR)) }
        var finished = false
        defer { if !finished { api.builder_free(builder) } }
        var seen = Set<String>()
        var described: [String] = []
        for c in 0..<columns {
            let column = Int32(c)
            let name = String(cString: PQfname(result, column))
            guard seen.insert(name).inserted else {
                throw Failure("the query returns more than one column named '\(name)'; give them distinct names with AS")
            }
            var validity: [UInt8]?
            for r in 0..<rows where PQgetisnull(result, Int32(r), column) != 0 {
                if validity == nil { validity = [UInt8](repeating: 1, count: rows) }
                validity![r] = 0
            }
            func text(_ r: Int) -> UnsafeMutablePointer<CChar> { PQgetvalue(result, Int32(r), column) }
            let code: Int32
            let type: String
            switch PQftype(result, column) {
            case TypeOID.int2, TypeOID.int4, TypeOID.int8:
                type = "int64"
                let values = (0..<rows).map { r in validity?[r] == 0 ? 0 : Int64(strtoll(text(r), nil, 10)) }
                code = api.builder_add_int64(builder, name, values, validity, Int64(rows))
            case TypeOID.float4, TypeOID.float8, TypeOID.numeric:
                // Text output: "1.5", "NaN", "Infinity", "-Infinity" all read with strtod; a numeric
                // becomes the nearest double.
                type = "float64"
                let values = (0..<rows).map { r in validity?[r] == 0 ? 0 : strtod(text(r), nil) }
                code = api.builder_add_float64(builder, name, values, validity, Int64(rows))
            case TypeOID.bool:
                type = "bool"
                let values = (0..<rows).map { r -> UInt8 in validity?[r] == 0 ? 0 : (text(r).pointee == CChar(UInt8(ascii: "t")) ? 1 : 0) }
                code = api.builder_add_bool(builder, name, values, validity, Int64(rows))
            default:
                // Everything else as PostgreSQL writes it as text; the values are read in place.
                type = "utf8"
                let values: [UnsafePointer<CChar>?] = (0..<rows).map { r in validity?[r] == 0 ? nil : UnsafePointer(text(r)) }
                code = api.builder_add_utf8(builder, name, values, Int64(rows))
            }
            guard code == MAGE_OK else {
                throw Failure("the host refused column '\(name)'", code: Int32(MAGE_ERROR))
            }
            described.append("\(name) \(type)")
        }
        finished = true
        let code = api.builder_finish(builder, output)
        guard code == MAGE_OK else { throw Failure("the host refused the table", code: code) }
        return "\(rows) rows × \(columns) columns (\(described.joined(separator: ", ")))"
    }
}

/// One libpq connection.
final class Connection {
    let secrets: ConnectionSecrets
    private let connection: OpaquePointer
    private let call: BlockCall
    private var notices: Unmanaged<NoticeSink>?

    init(conninfo: String, source: String, call: BlockCall) throws {
        self.call = call
        // Parse first: the options give host, port and user for messages, and the exact password to mask.
        var parseError: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &parseError) else {
            let secrets = ConnectionSecrets(conninfo: conninfo)
            let reason = parseError.map { String(cString: $0) } ?? "out of memory"
            if let parseError { PQfreemem(parseError) }
            throw PostgresQuery.Failure("the connection string from the \(source) is not valid: \(secrets.redact(Self.oneLine(reason)))")
        }
        var keywords: [String] = [], values: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                keywords.append(String(cString: keyword))
                values.append(String(cString: value))
            }
            option += 1
        }
        PQconninfoFree(options)
        func value(_ key: String) -> String? { keywords.firstIndex(of: key).map { values[$0] } }
        secrets = ConnectionSecrets(conninfo: conninfo, parsedPassword: value("password"))
        for (key, fallback) in [("connect_timeout", PostgresQuery.defaultConnectTimeout),
                                ("fallback_application_name", "swiftmage"), ("client_encoding", "UTF8")]
        where value(key) == nil {
            keywords.append(key)
            values.append(fallback)
        }
        let host = value("host") ?? value("hostaddr") ?? "the default socket"
        let port = value("port") ?? "5432"
        let database = value("dbname") ?? value("user") ?? "(default)"
        let user = value("user") ?? "(default)"
        let target = "\(host):\(port), database '\(database)', user '\(user)'"
        call.log(secrets.redact("connecting to PostgreSQL at \(target) (from the \(source))"))

        let cKeywords = keywords.map { UnsafePointer(strdup($0)) } + [nil]
        let cValues = values.map { UnsafePointer(strdup($0)) } + [nil]
        defer {
            cKeywords.forEach { free(UnsafeMutablePointer(mutating: $0)) }
            cValues.forEach { free(UnsafeMutablePointer(mutating: $0)) }
        }
        guard let connection = PQconnectdbParams(cKeywords, cValues, 0) else {
            throw PostgresQuery.Failure("cannot connect to PostgreSQL at \(target): out of memory", code: Int32(MAGE_ERROR_IO))
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = Self.oneLine(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw PostgresQuery.Failure(secrets.redact("cannot connect to PostgreSQL at \(target): \(reason)"),
                                        code: Int32(MAGE_ERROR_IO))
        }
        self.connection = connection
        // Server notices (RAISE NOTICE, warnings) go to the block's log instead of stderr.
        let sink = Unmanaged.passRetained(NoticeSink(call: call, secrets: secrets))
        notices = sink
        PQsetNoticeProcessor(connection, { arg, message in
            guard let arg, let message else { return }
            let sink = Unmanaged<NoticeSink>.fromOpaque(arg).takeUnretainedValue()
            sink.call.log(sink.secrets.redact("server: " + Connection.oneLine(String(cString: message))),
                          level: Int32(MAGE_LOG_WARNING))
        }, sink.toOpaque())
    }

    /// Runs the statement with text parameters; returns a result holding rows (the caller clears it).
    func execute(_ query: String, parameters: [String]) throws -> OpaquePointer {
        let cParameters = parameters.map { UnsafePointer(strdup($0)) }
        defer { cParameters.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        let result = cParameters.withUnsafeBufferPointer { values in
            PQexecParams(connection, query, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
        }
        guard let result else {
            let reason = Self.oneLine(String(cString: PQerrorMessage(connection)))
            throw PostgresQuery.Failure(secrets.redact("query failed: \(reason)"), code: Int32(MAGE_ERROR_IO))
        }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK:
            return result
        case PGRES_COMMAND_OK:
            let status = String(cString: PQcmdStatus(result))
            PQclear(result)
            throw PostgresQuery.Failure("the statement returned no rows to load (\(status)); a data loader needs a query that returns rows, such as SELECT or ... RETURNING")
        case PGRES_EMPTY_QUERY:
            PQclear(result)
            throw PostgresQuery.Failure("the query is empty")
        default:
            let message = Self.serverError(result) ?? Self.oneLine(String(cString: PQerrorMessage(connection)))
            PQclear(result)
            throw PostgresQuery.Failure(secrets.redact("query failed: \(message)"))
        }
    }

    func close() {
        PQfinish(connection)
        notices?.release()
        notices = nil
    }

    /// The server's message, with its SQLSTATE, position, detail and hint.
    private static func serverError(_ result: OpaquePointer) -> String? {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        guard let primary = field("M") else { return nil }
        var text = primary
        var extras: [String] = []
        if let state = field("C") { extras.append("SQLSTATE \(state)") }
        if let position = field("P") { extras.append("at character \(position)") }
        if !extras.isEmpty { text += " (\(extras.joined(separator: ", ")))" }
        if let detail = field("D") { text += "; detail: \(detail)" }
        if let hint = field("H") { text += "; hint: \(hint)" }
        return oneLine(text)
    }

    /// libpq's multi-line messages on one line.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// What the notice processor needs, kept alive for the connection's life.
private final class NoticeSink {
    let call: BlockCall
    let secrets: ConnectionSecrets
    init(call: BlockCall, secrets: ConnectionSecrets) {
        self.call = call
        self.secrets = secrets
    }
}
