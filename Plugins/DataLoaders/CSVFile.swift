import Foundation
import PluginAPI
import PluginKit

/// Reads a CSV file with a header row into a table. Column types are declared in `columns` or inferred
/// from the values: int64 when every value is an integer, else float64 when every value is a number,
/// else bool when every value is true or false, else utf8. `path` is a MAGE_CONFIG_PATH key: the host
/// hands it over absolute and checked to lie inside the project (or a folder under allowed_paths).
enum CSVFile {
    static let spec = BlockKindSpec(
        name: "csv_file", type: MAGE_BLOCK_DATA_LOADER,
        description: "reads a CSV file with a header row; column types declared or inferred",
        configKeys: [
            ConfigKeySpec("path", MAGE_CONFIG_STRING, required: true, path: true,
                          "the CSV file, inside the project (or an allowed path); a relative path resolves against the project folder"),
            ConfigKeySpec("columns", MAGE_CONFIG_JSON,
                          "column name -> type (float64, int64, bool, utf8); other columns are inferred"),
            ConfigKeySpec("delimiter", MAGE_CONFIG_STRING, "the field separator, one ASCII character (default ,)"),
            ConfigKeySpec("null_values", MAGE_CONFIG_STRING_LIST,
                          "fields read as null (default: the empty field)"),
        ],
        run: { ctx, _, _, output in CSVFile.run(BlockCall(ctx), output) })

    enum ColumnType: String, CaseIterable {
        case float64, int64, bool, utf8
    }

    static func run(_ call: BlockCall, _ output: UnsafeMutablePointer<mage_table>?) -> Int32 {
        let path = call.string("path")!  // required: the host validated it before the run
        do {
            let options = try Options(call)
            let started = Date()
            var contents = try CSVFileReader.read(path: path, displayName: path, delimiter: options.delimiter)
            for name in options.declared.keys.sorted() where !contents.names.contains(name) {
                throw CSVFileError("\(path): 'columns' declares '\(name)', which the header does not have (columns: \(contents.names.joined(separator: ", ")))")
            }
            let api = PluginHost.api.pointee
            guard let builder = api.table_builder_new() else {
                return call.fail("the host could not create a table builder", code: Int32(MAGE_ERROR))
            }
            var finished = false
            defer { if !finished { api.builder_free(builder) } }
            var types: [String] = []
            for c in contents.names.indices {
                let name = contents.names[c]
                let converter = ColumnConverter(
                    column: contents.columns[c], name: name, file: path, recordLines: contents.recordLines,
                    nullValues: options.nullValues)
                let declared = options.declared[name]
                let type = declared ?? converter.inferredType()
                types.append("\(name) \(type.rawValue)\(declared == nil ? "" : " (declared)")")
                let code: Int32
                switch type {
                case .int64:
                    let (values, validity) = try converter.int64s()
                    code = api.builder_add_int64(builder, name, values, validity, Int64(values.count))
                case .float64:
                    let (values, validity) = try converter.doubles()
                    code = api.builder_add_float64(builder, name, values, validity, Int64(values.count))
                case .bool:
                    let (values, validity) = try converter.bools()
                    code = api.builder_add_bool(builder, name, values, validity, Int64(values.count))
                case .utf8:
                    code = try converter.withCStrings { pointers in
                        api.builder_add_utf8(builder, name, pointers.baseAddress, Int64(pointers.count))
                    }
                }
                guard code == MAGE_OK else {
                    return call.fail("\(path): the host refused column '\(name)'", code: Int32(MAGE_ERROR))
                }
                contents.columns[c] = CSVColumnBytes()  // free the raw bytes as soon as they are converted
            }
            let rows = contents.recordLines.count
            let seconds = Double(Int(Date().timeIntervalSince(started) * 1000)) / 1000
            call.log("read \(path): \(rows) rows in \(seconds) s; columns: \(types.joined(separator: ", "))")
            finished = true
            let code = api.builder_finish(builder, output)
            return code == MAGE_OK ? code : call.fail("\(path): the host refused the table", code: code)
        } catch let error as CSVFileError {
            return call.fail(error.message)
        } catch {
            return call.fail("\(path): \(error)", code: Int32(MAGE_ERROR_IO))
        }
    }

    /// The configuration other than `path`, checked.
    struct Options {
        var delimiter = UInt8(ascii: ",")
        var nullValues: [[UInt8]] = [[]]
        var declared: [String: ColumnType] = [:]

        init(_ call: BlockCall) throws {
            if let text = call.string("delimiter") {
                let bytes = Array(text.utf8)
                guard bytes.count == 1, bytes[0] < 0x80, bytes[0] != UInt8(ascii: "\""),
                      bytes[0] != UInt8(ascii: "\n"), bytes[0] != UInt8(ascii: "\r") else {
                    throw CSVFileError("configuration key 'delimiter' must be one ASCII character other than a quote or a line break, got \"\(text)\"")
                }
                delimiter = bytes[0]
            }
            if let list = call.stringList("null_values") { nullValues = list.map { Array($0.utf8) } }
            if let json = PluginHost.api.pointee.config_json(call.context, "columns").map({ String(cString: $0) }) {
                let known = ColumnType.allCases.map(\.rawValue).joined(separator: ", ")
                guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]),
                      let map = object as? [String: Any] else {
                    throw CSVFileError("configuration key 'columns' must be an object of column name: type (\(known)), got \(json)")
                }
                for (name, value) in map {
                    guard let text = value as? String, let type = ColumnType(rawValue: text) else {
                        let shown = (value as? String).map { "'\($0)'" } ?? "\(value)"
                        throw CSVFileError("configuration key 'columns': column '\(name)' has unknown type \(shown) (known: \(known))")
                    }
                    declared[name] = type
                }
            }
        }
    }
}

/// Turns one column's raw fields into typed values, reading numbers straight from the bytes.
struct ColumnConverter {
    let column: CSVColumnBytes
    let name: String
    let file: String
    let recordLines: [Int]
    let nullValues: [[UInt8]]

    /// Calls `body` with each field (`nil` for a null), giving its index.
    private func forEachField(_ body: (Int, UnsafeBufferPointer<UInt8>?) throws -> Void) rethrows {
        let onlyEmptyIsNull = nullValues == [[]]
        let count = column.count
        try column.bytes.withUnsafeBufferPointer { all in
            try column.starts.withUnsafeBufferPointer { starts in
                for i in 0..<count {
                    let start = starts[i]
                    let end = (i + 1 < count ? starts[i + 1] : all.count) - 1  // the field's NUL
                    let f = UnsafeBufferPointer(start: all.baseAddress! + start, count: end - start)
                    let isNull = onlyEmptyIsNull ? end == start : nullValues.contains { $0.elementsEqual(f) }
                    try body(i, isNull ? nil : f)
                }
            }
        }
    }

    func inferredType() -> CSVFile.ColumnType {
        var canInt = true, canDouble = true, canBool = true, sawValue = false
        forEachField { _, f in
            guard let f, canInt || canDouble || canBool else { return }
            sawValue = true
            if canInt, FieldParser.int64(f) == nil { canInt = false }
            if !canInt, canDouble, FieldParser.double(f) == nil { canDouble = false }
            if canBool, FieldParser.bool(f) == nil { canBool = false }
        }
        // A column without a single value has nothing to infer from: utf8, unless declared.
        guard sawValue else { return .utf8 }
        return canInt ? .int64 : canDouble ? .float64 : canBool ? .bool : .utf8
    }

    private func bad(_ i: Int, _ f: UnsafeBufferPointer<UInt8>, _ type: CSVFile.ColumnType) -> CSVFileError {
        var text = String(decoding: f, as: UTF8.self)
        if text.count > 60 { text = String(text.prefix(57)) + "..." }
        return CSVFileError("\(file): line \(recordLines[i]), column '\(name)': '\(text)' is not \(type.rawValue)")
    }

    private func typed<T>(_ type: CSVFile.ColumnType, zero: T,
                          _ parse: (UnsafeBufferPointer<UInt8>) -> T?) throws -> ([T], [UInt8]?) {
        var values = [T](repeating: zero, count: column.count)
        var validity: [UInt8]?
        try forEachField { i, f in
            guard let f else {
                if validity == nil { validity = [UInt8](repeating: 1, count: column.count) }
                validity![i] = 0
                return
            }
            guard let value = parse(f) else { throw bad(i, f, type) }
            values[i] = value
        }
        return (values, validity)
    }

    func int64s() throws -> ([Int64], [UInt8]?) { try typed(.int64, zero: 0, FieldParser.int64) }
    func doubles() throws -> ([Double], [UInt8]?) { try typed(.float64, zero: 0, FieldParser.double) }
    func bools() throws -> ([UInt8], [UInt8]?) { try typed(.bool, zero: 0) { FieldParser.bool($0).map { $0 ? 1 : 0 } } }

    /// The fields as C strings pointing into the column's own bytes (each field ends in a NUL), nulls as NULL.
    func withCStrings<R>(_ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) throws -> R {
        var pointers = [UnsafePointer<CChar>?](repeating: nil, count: column.count)
        guard column.count > 0 else { return pointers.withUnsafeBufferPointer(body) }
        return try column.bytes.withUnsafeBufferPointer { all in
            let base = UnsafeRawPointer(all.baseAddress!).assumingMemoryBound(to: CChar.self)
            try forEachField { i, f in
                guard let f else { return }
                if memchr(f.baseAddress!, 0, f.count) != nil {
                    throw CSVFileError("\(file): line \(recordLines[i]), column '\(name)': the value contains a NUL byte, which text cannot hold")
                }
                pointers[i] = base + column.starts[i]
            }
            return pointers.withUnsafeBufferPointer(body)
        }
    }
}

/// Parses one field's bytes, without making a String.
enum FieldParser {
    /// Decimal digits with an optional sign; nil when it is anything else or does not fit in 64 bits.
    static func int64(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if let first = f.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            i = 1
        }
        guard i < f.count else { return nil }
        var value: Int64 = 0
        while i < f.count {
            let d = f[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            // Accumulate negatively so that Int64.min fits.
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            value = s
            i += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// A decimal number (`12`, `-0.5`, `.5`, `1e-3`, `6.02E+23`) or `nan`, `inf`, `infinity` in any case,
    /// with an optional sign; nil for anything else (spaces, hexadecimal, a comma as decimal separator).
    static func double(_ f: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !f.isEmpty, f.count < 400 else { return nil }
        let n = f.count
        var i = 0
        if f[0] == UInt8(ascii: "-") || f[0] == UInt8(ascii: "+") { i = 1 }
        let integralStart = i
        while i < n, f[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        var digits = i - integralStart
        if i < n, f[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < n, f[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            digits += i - fractionStart
        }
        if digits == 0 {
            // Not a decimal number: maybe one of the words.
            let word = UnsafeBufferPointer(rebasing: f[integralStart...])
            guard equalsIgnoringCase(word, "nan") || equalsIgnoringCase(word, "inf")
                || equalsIgnoringCase(word, "infinity") else { return nil }
        } else if i < n {
            guard f[i] == UInt8(ascii: "e") || f[i] == UInt8(ascii: "E") else { return nil }
            i += 1
            if i < n, f[i] == UInt8(ascii: "-") || f[i] == UInt8(ascii: "+") { i += 1 }
            let exponentStart = i
            while i < n, f[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            guard i > exponentStart, i == n else { return nil }
        }
        // The grammar is checked; strtod does the correctly rounded conversion. It needs a NUL-terminated
        // string: copy the (short) field onto the stack. mage never calls setlocale, so the decimal
        // separator is the C locale's ".".
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: f.count + 1) { buffer in
            for k in 0..<f.count { buffer[k] = CChar(bitPattern: f[k]) }
            buffer[f.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }

    /// `true` or `false`, in any case.
    static func bool(_ f: UnsafeBufferPointer<UInt8>) -> Bool? {
        if equalsIgnoringCase(f, "true") { return true }
        if equalsIgnoringCase(f, "false") { return false }
        return nil
    }

    /// Whether the bytes spell `word` (lowercase ASCII letters) in any case.
    static func equalsIgnoringCase(_ f: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard f.count == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<f.count where f[k] | 0x20 != w[k] { return false }
        return true
    }
}
