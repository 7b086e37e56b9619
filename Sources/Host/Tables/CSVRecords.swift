import Foundation

/// An RFC 4180 reader. A field is nil when it was empty and unquoted (a null); `""` is an empty string.
enum CSVRecords {
    static func parse(_ data: Data, file: String) throws -> [[String?]] {
        var records: [[String?]] = []
        var record: [String?] = []
        var field: [UInt8] = []
        var quoted = false, inQuotes = false, line = 1
        let bytes = [UInt8](data)
        var i = 0
        func endField() {
            record.append(field.isEmpty && !quoted ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoted = false
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b); i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") {
                guard field.isEmpty else {
                    throw MageError.corruptData("\(file): line \(line): a quote inside an unquoted field")
                }
                inQuotes = true; quoted = true
            } else if b == UInt8(ascii: ",") {
                endField()
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                if b == UInt8(ascii: "\r"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                endField()
                records.append(record)
                record.removeAll(keepingCapacity: true)
                line += 1
            } else {
                field.append(b)
            }
            i += 1
        }
        if inQuotes { throw MageError.corruptData("\(file): line \(line): unterminated quoted field") }
        if !field.isEmpty || quoted || !record.isEmpty {
            endField()
            records.append(record)
        }
        return records
    }
}
