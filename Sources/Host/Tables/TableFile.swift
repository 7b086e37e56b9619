import Foundation

/// A block's output on disk: `output.csv` (RFC 4180 quoting, LF line ends, header row) beside `output.schema.json`, so pandas,
/// DuckDB or a spreadsheet read the data while the host reads it back with exact types.
///
/// Encoding: float64 in Swift's shortest round-trip form (`nan`, `inf`, `-inf` for the specials), int64 in
/// decimal, bool as `true`/`false`, utf8 quoted when it holds a comma, quote, CR or LF, or is empty. A null
/// is an empty unquoted field; an empty string is `""`.
public enum TableFile {
    public static let dataName = "output.csv"
    public static let schemaName = "output.schema.json"

    public struct Schema: Codable, Equatable, Sendable {
        public var format = "swiftmage.table.v1"
        public var rows: Int
        public var columns: [ColumnSchema]
        public var metadata: [String: String]?
    }

    public struct ColumnSchema: Codable, Equatable, Sendable {
        public var name: String
        public var type: ColumnType
        public var nullable: Bool
    }

    public static func write(_ table: Table, to directory: URL) throws {
        let schema = Schema(rows: table.rowCount, columns: table.columns.map {
            ColumnSchema(name: $0.name, type: $0.values.type, nullable: $0.validity != nil)
        }, metadata: table.metadata.isEmpty ? nil : table.metadata)
        var text = table.columns.map { quoted($0.name) }.joined(separator: ",") + "\n"
        text.reserveCapacity(table.rowCount * table.columns.count * 8)
        for row in 0..<table.rowCount {
            for (i, column) in table.columns.enumerated() {
                if i > 0 { text.append(",") }
                if column.isNull(row) { continue }
                switch column.values {
                case .float64(let v): text.append(v[row].description)
                case .int64(let v): text.append(String(v[row]))
                case .bool(let v): text.append(v[row] ? "true" : "false")
                case .utf8(let v): text.append(v[row].isEmpty ? "\"\"" : quoted(v[row]))
                }
            }
            text.append("\n")
        }
        try AtomicFile.write(Data(text.utf8), to: directory.appendingPathComponent(dataName))
        try AtomicFile.write(try JSON.encode(schema), to: directory.appendingPathComponent(schemaName))
    }

    public static func read(from directory: URL) throws -> Table {
        let schemaURL = directory.appendingPathComponent(schemaName)
        let dataURL = directory.appendingPathComponent(dataName)
        let schema = try JSONDecoder().decode(Schema.self, from: Data(contentsOf: schemaURL))
        if schema.columns.isEmpty { return Table(columns: [], metadata: schema.metadata ?? [:]) }
        let records = try CSVRecords.parse(Data(contentsOf: dataURL), file: dataURL.path)
        guard let header = records.first, header == schema.columns.map(\.name) else {
            throw MageError.corruptData("\(dataURL.path): header does not match \(schemaName)")
        }
        let body = records.dropFirst()
        guard body.count == schema.rows else {
            throw MageError.corruptData("\(dataURL.path): \(body.count) rows, schema says \(schema.rows)")
        }
        var columns: [Column] = []
        for (c, spec) in schema.columns.enumerated() {
            var validity = [Bool](repeating: true, count: schema.rows)
            var fields: [String] = []
            fields.reserveCapacity(schema.rows)
            for (r, record) in body.enumerated() {
                guard record.count == header.count else {
                    throw MageError.corruptData("\(dataURL.path): line \(r + 2) has \(record.count) fields")
                }
                let field = record[c]
                if field == nil { validity[r] = false }
                fields.append(field ?? "")
            }
            let values = try decode(fields, as: spec.type, validity: validity, column: spec.name, file: dataURL.path)
            columns.append(Column(name: spec.name, values: values, validity: spec.nullable ? validity : nil))
        }
        return Table(columns: columns, metadata: schema.metadata ?? [:])
    }

    private static func decode(_ fields: [String], as type: ColumnType, validity: [Bool], column: String,
                               file: String) throws -> ColumnValues {
        func bad(_ row: Int) -> MageError {
            .corruptData("\(file): line \(row + 2), column '\(column)': '\(fields[row])' is not \(type.rawValue)")
        }
        switch type {
        case .float64:
            return .float64(try fields.enumerated().map { r, f in
                guard validity[r] else { return 0 }
                guard let v = Double(f) else { throw bad(r) }
                return v
            })
        case .int64:
            return .int64(try fields.enumerated().map { r, f in
                guard validity[r] else { return 0 }
                guard let v = Int64(f) else { throw bad(r) }
                return v
            })
        case .bool:
            return .bool(try fields.enumerated().map { r, f in
                guard validity[r] else { return false }
                guard f == "true" || f == "false" else { throw bad(r) }
                return f == "true"
            })
        case .utf8:
            return .utf8(fields)
        }
    }

    private static func quoted(_ s: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        guard s.isEmpty || s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            return s
        }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
