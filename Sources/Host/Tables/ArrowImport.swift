import PluginAPI

public struct ArrowImportError: Error, CustomStringConvertible {
    public let description: String
}

/// Reads a table from the Arrow C Data Interface, copying the values; the caller still owns (and
/// releases) the structs.
extension Table {
    public init(arrow table: UnsafePointer<mage_table>) throws {
        let schema = table.pointee.schema
        let array = table.pointee.array
        guard schema.release != nil, array.release != nil else {
            throw ArrowImportError(description: "the table was already released")
        }
        let format = schema.format.map { String(cString: $0) } ?? ""
        guard format == "+s" else {
            throw ArrowImportError(description: "a table must be a struct array (format \"+s\"), got \"\(format)\"")
        }
        guard schema.n_children == array.n_children else {
            throw ArrowImportError(description:
                "schema has \(schema.n_children) columns but the array has \(array.n_children)")
        }
        let length = Int(array.length)
        let parentOffset = Int(array.offset)
        var columns: [Column] = []
        for i in 0..<Int(schema.n_children) {
            guard let childSchema = schema.children[i], let childArray = array.children[i] else {
                throw ArrowImportError(description: "column \(i) is missing")
            }
            columns.append(try Column(schema: childSchema.pointee, array: childArray.pointee,
                                      length: length, parentOffset: parentOffset))
        }
        self.init(columns: columns, metadata: schema.metadata.map(Self.decodeMetadata) ?? [:])
    }

    /// Arrow's metadata encoding (native-endian int32 counts and lengths, as the C interface states).
    static func decodeMetadata(_ pointer: UnsafePointer<CChar>) -> [String: String] {
        let raw = UnsafeRawPointer(pointer)
        var offset = 0
        func int32() -> Int {
            defer { offset += 4 }
            return Int(raw.loadUnaligned(fromByteOffset: offset, as: Int32.self))
        }
        func string() -> String {
            let length = int32()
            defer { offset += length }
            return String(decoding: UnsafeRawBufferPointer(start: raw + offset, count: length), as: UTF8.self)
        }
        var pairs: [String: String] = [:]
        for _ in 0..<max(0, int32()) {
            let key = string()
            pairs[key] = string()
        }
        return pairs
    }
}

extension Column {
    init(schema: ArrowSchema, array: ArrowArray, length: Int, parentOffset: Int) throws {
        let name = schema.name.map { String(cString: $0) } ?? ""
        let format = schema.format.map { String(cString: $0) } ?? ""
        guard let type = ColumnType(arrowFormat: format) else {
            throw ArrowImportError(description:
                "column '\(name)' has Arrow format \"\(format)\"; supported: g (float64), l (int64), b (bool), u (utf8)")
        }
        guard Int(array.length) >= length + parentOffset else {
            throw ArrowImportError(description: "column '\(name)' has \(array.length) values, the table \(length)")
        }
        let expectedBuffers = type == .utf8 ? 3 : 2
        guard array.n_buffers == expectedBuffers else {
            throw ArrowImportError(description:
                "column '\(name)' (\(type.rawValue)) has \(array.n_buffers) buffers, expected \(expectedBuffers)")
        }
        let offset = Int(array.offset) + parentOffset
        func bit(_ bitmap: UnsafeRawPointer, _ i: Int) -> Bool {
            bitmap.load(fromByteOffset: (offset + i) >> 3, as: UInt8.self) & UInt8(1 << ((offset + i) & 7)) != 0
        }
        var validity: [Bool]? = nil
        if array.null_count != 0, let bitmap = array.buffers[0] {
            validity = (0..<length).map { bit(bitmap, $0) }
        }
        guard let data = array.buffers[1] else {
            throw ArrowImportError(description: "column '\(name)' has no data buffer")
        }
        let values: ColumnValues
        switch type {
        case .float64:
            values = .float64(Array(UnsafeBufferPointer(
                start: data.assumingMemoryBound(to: Double.self) + offset, count: length)))
        case .int64:
            values = .int64(Array(UnsafeBufferPointer(
                start: data.assumingMemoryBound(to: Int64.self) + offset, count: length)))
        case .bool:
            values = .bool((0..<length).map { bit(data, $0) })
        case .utf8:
            guard let bytes = array.buffers[2] else {
                throw ArrowImportError(description: "column '\(name)' has no string data buffer")
            }
            let offsets = data.assumingMemoryBound(to: Int32.self) + offset
            let chars = bytes.assumingMemoryBound(to: UInt8.self)
            values = .utf8((0..<length).map { i in
                let start = Int(offsets[i]), end = Int(offsets[i + 1])
                return String(decoding: UnsafeBufferPointer(start: chars + start, count: end - start), as: UTF8.self)
            })
        }
        self.init(name: name, values: values, validity: validity)
    }
}
