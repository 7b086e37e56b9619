import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failure of `csv_file`, already worded for the user ("data.csv: line 7 has 4 fields, the header has 5").
struct CSVFileError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The raw fields of one column, stored back to back, each followed by a NUL byte: utf8 values reach the
/// host as C strings without a copy, and numbers are parsed from the bytes without a String per field.
struct CSVColumnBytes {
    var bytes: [UInt8] = []
    /// Offset in `bytes` of each field; field `i` ends at the NUL just before `starts[i + 1]` (or the end).
    var starts: [Int] = []

    var count: Int { starts.count }
}

/// What `CSVFileReader` read: the header names and each column's raw fields, with the line on which each
/// data record starts (a quoted field may span lines).
struct CSVFileContents {
    var names: [String]
    var columns: [CSVColumnBytes]
    var recordLines: [Int]
}

/// An RFC 4180 reader over a file read in 1 MiB chunks: quoted fields with delimiters, doubled quotes and
/// line breaks inside, records ended by LF, CRLF or CR, an optional UTF-8 byte-order mark, an optional final
/// line break. A blank line is skipped, except in a one-column file, where it is an empty field (a null by
/// default), as in the host's own output.csv. Work and memory are linear in the file's size: each field's
/// bytes are appended once to its column's buffer.
struct CSVFileReader {
    /// The path as the configuration gave it, used to name the file in messages.
    let displayName: String
    let delimiter: UInt8

    private static let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
    private static let chunkSize = 1 << 20

    private enum State {
        case fieldStart  // nothing of the field read yet
        case unquoted
        case quoted
        case quoteInQuoted  // a quote inside a quoted field: the end of the field, or the first of a pair
    }

    // Parser state.
    private var state = State.fieldStart
    private var line = 1  // the physical line being read
    private var recordLine = 1  // the line on which the current record started
    private var fieldLine = 1  // the line on which the current field started
    private var fieldIndex = 0  // index of the current field in its record
    private var recordStarted = false  // the current record has at least one byte
    private var skipLF = false  // the last byte was a CR that ended a record
    private var fieldQuoted = false  // the current field started with a quote
    private var inHeader = true
    private var scratch: [UInt8] = []  // the header's field, or the bytes of fields past the header's count
    private var headerFields: [String] = []
    private var contents = CSVFileContents(names: [], columns: [], recordLines: [])

    init(displayName: String, delimiter: UInt8) {
        self.displayName = displayName
        self.delimiter = delimiter
    }

    /// Reads the whole file. `path` is opened as given: a relative path resolves against the current
    /// working directory.
    static func read(path: String, displayName: String, delimiter: UInt8) throws -> CSVFileContents {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            if code == ENOENT {
                throw CSVFileError("\(displayName): no such file (looked for \(absolute))")
            }
            throw CSVFileError("\(displayName): cannot open \(absolute): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw CSVFileError("\(displayName): is a folder, not a file")
        }
        var reader = CSVFileReader(displayName: displayName, delimiter: delimiter)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var first = true
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw CSVFileError("\(displayName): cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            var chunk = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            if first {
                first = false
                if n >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF {
                    chunk = UnsafeBufferPointer(rebasing: chunk[3...])
                }
            }
            try reader.consume(chunk)
        }
        return try reader.finish()
    }

    // MARK: - The state machine

    mutating func consume(_ chunk: UnsafeBufferPointer<UInt8>) throws {
        var i = 0
        let n = chunk.count
        if skipLF, n > 0 {
            skipLF = false
            if chunk[0] == Self.lf { i = 1 }
        }
        while i < n {
            switch state {
            case .fieldStart:
                let b = chunk[i]
                if !recordStarted { recordStarted = true; recordLine = line }
                fieldLine = line
                beginField()
                fieldQuoted = b == Self.quote
                if b == Self.quote {
                    state = .quoted
                    i += 1
                } else {
                    state = .unquoted  // the byte is read there, delimiter and line breaks included
                }
            case .unquoted:
                // The run of plain bytes up to the next delimiter or line break, appended at once.
                var j = i
                while j < n {
                    let b = chunk[j]
                    if b == delimiter || b == Self.lf || b == Self.cr { break }
                    j += 1
                }
                if j > i { append(UnsafeBufferPointer(rebasing: chunk[i..<j])) }
                i = j
                if i < n {
                    let b = chunk[i]
                    i += 1
                    if b == delimiter {
                        try endField()
                        state = .fieldStart
                    } else {
                        try endRecord()
                        if b == Self.cr {
                            if i < n { if chunk[i] == Self.lf { i += 1 } } else { skipLF = true }
                        }
                    }
                }
            case .quoted:
                var j = i
                while j < n {
                    let b = chunk[j]
                    if b == Self.quote { break }
                    if b == Self.lf { line += 1 }
                    j += 1
                }
                if j > i { append(UnsafeBufferPointer(rebasing: chunk[i..<j])) }
                i = j
                if i < n {
                    i += 1
                    state = .quoteInQuoted
                }
            case .quoteInQuoted:
                let b = chunk[i]
                i += 1
                if b == Self.quote {
                    append(byte: Self.quote)
                    state = .quoted
                } else if b == delimiter {
                    try endField()
                    state = .fieldStart
                } else if b == Self.lf || b == Self.cr {
                    try endRecord()
                    if b == Self.cr {
                        if i < n { if chunk[i] == Self.lf { i += 1 } } else { skipLF = true }
                    }
                } else {
                    throw CSVFileError("\(displayName): line \(line), \(columnLabel(fieldIndex)): text after the closing quote of a quoted field (a quote inside a field must be doubled)")
                }
            }
        }
    }

    mutating func finish() throws -> CSVFileContents {
        switch state {
        case .quoted:
            throw CSVFileError("\(displayName): line \(fieldLine), \(columnLabel(fieldIndex)): the quoted field that starts here is never closed")
        case .unquoted, .quoteInQuoted:
            try endRecord()
        case .fieldStart:
            // After a final delimiter, the record ends with one more empty field.
            if recordStarted {
                beginField()
                try endRecord()
            }
        }
        if inHeader {
            throw CSVFileError("\(displayName): the file is empty; csv_file needs a header row")
        }
        return contents
    }

    // MARK: - Fields and records

    private mutating func beginField() {
        if !inHeader, fieldIndex < contents.columns.count {
            contents.columns[fieldIndex].starts.append(contents.columns[fieldIndex].bytes.count)
        } else {
            scratch.removeAll(keepingCapacity: true)
        }
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if !inHeader, fieldIndex < contents.columns.count {
            contents.columns[fieldIndex].bytes.append(contentsOf: bytes)
        } else if inHeader {
            scratch.append(contentsOf: bytes)
        }  // past the header's count: only counted, never kept
    }

    private mutating func append(byte: UInt8) {
        if !inHeader, fieldIndex < contents.columns.count {
            contents.columns[fieldIndex].bytes.append(byte)
        } else if inHeader {
            scratch.append(byte)
        }
    }

    private mutating func endField() throws {
        if inHeader {
            headerFields.append(String(decoding: scratch, as: UTF8.self))
        } else if fieldIndex < contents.columns.count {
            contents.columns[fieldIndex].bytes.append(0)
        }
        fieldIndex += 1
    }

    private mutating func endRecord() throws {
        if !inHeader, fieldIndex == 0, !fieldQuoted, contents.columns.count > 1,
           let start = contents.columns[0].starts.last, start == contents.columns[0].bytes.count {
            // A blank line holds no record of several columns: skip it. (In a one-column file it is a
            // null, as in the host's own output.csv.)
            contents.columns[0].starts.removeLast()
            recordStarted = false
            state = .fieldStart
            line += 1
            return
        }
        try endField()
        let fields = fieldIndex
        fieldIndex = 0
        recordStarted = false
        state = .fieldStart
        if inHeader {
            try acceptHeader()
        } else {
            let expected = contents.columns.count
            guard fields == expected else {
                throw CSVFileError("\(displayName): line \(recordLine) has \(Self.count(fields, "field")), the header has \(expected)")
            }
            contents.recordLines.append(recordLine)
        }
        line += 1
    }

    private mutating func acceptHeader() throws {
        inHeader = false
        if headerFields == [""] {
            throw CSVFileError("\(displayName): line \(recordLine): the header row is empty")
        }
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (i, field) in headerFields.enumerated() {
            // An empty name (pandas writes one above its index) becomes column_<n>.
            let name = field.isEmpty ? "column_\(i + 1)" : field
            if let earlier = seen[name] {
                throw CSVFileError("\(displayName): line \(recordLine): duplicate column name '\(name)' (columns \(earlier + 1) and \(i + 1))")
            }
            seen[name] = i
            names.append(name)
        }
        contents.names = names
        contents.columns = Array(repeating: CSVColumnBytes(), count: names.count)
        headerFields = []
    }

    private func columnLabel(_ index: Int) -> String {
        index < contents.names.count ? "column '\(contents.names[index])'" : "field \(index + 1)"
    }

    static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
}
