import PluginAPI

/// A borrowed view of an input table in the Arrow C Data Interface; valid during the call only.
public struct InputTable {
    public let rowCount: Int
    public let columns: [InputColumn]
    /// The schema's key/value metadata (Arrow's encoding, decoded).
    public let metadata: [String: String]

    public init(_ table: UnsafePointer<mage_table>) {
        let schema = table.pointee.schema, array = table.pointee.array
        rowCount = Int(array.length)
        metadata = schema.metadata.map(InputTable.decodeMetadata) ?? [:]
        let parentOffset = Int(array.offset)
        columns = (0..<Int(min(schema.n_children, array.n_children))).map { i in
            InputColumn(schema: schema.children[i]!.pointee, array: array.children[i]!.pointee,
                        parentOffset: parentOffset, length: Int(array.length))
        }
    }

    public func column(named name: String) -> InputColumn? { columns.first { $0.name == name } }

    /// int32 pair count, then per pair int32 length + bytes of key and of value.
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

public struct InputColumn {
    public let name: String
    /// The Arrow format string: "g" float64, "l" int64, "u" utf8, "b" bool.
    public let format: String
    public let length: Int
    private let array: ArrowArray
    private let offset: Int

    init(schema: ArrowSchema, array: ArrowArray, parentOffset: Int, length: Int) {
        name = schema.name.map { String(cString: $0) } ?? ""
        format = schema.format.map { String(cString: $0) } ?? ""
        self.array = array
        self.offset = Int(array.offset) + parentOffset
        self.length = length
    }

    private func bit(_ buffer: UnsafeRawPointer, _ row: Int) -> Bool {
        let i = offset + row
        return buffer.load(fromByteOffset: i >> 3, as: UInt8.self) & UInt8(1 << (i & 7)) != 0
    }

    public func isValid(_ row: Int) -> Bool {
        guard array.null_count != 0, let validity = array.buffers[0] else { return true }
        return bit(validity, row)
    }

    /// One flag per row (1 = present), or nil when the column has no nulls.
    public var validity: [UInt8]? {
        guard array.null_count != 0, array.buffers[0] != nil else { return nil }
        return (0..<length).map { isValid($0) ? 1 : 0 }
    }

    /// Numeric columns as doubles (int64 converted); nil for other types.
    public func doubles() -> [Double]? {
        switch format {
        case "g":
            let p = array.buffers[1]!.assumingMemoryBound(to: Double.self) + offset
            return Array(UnsafeBufferPointer(start: p, count: length))
        case "l":
            let p = array.buffers[1]!.assumingMemoryBound(to: Int64.self) + offset
            return (0..<length).map { Double(p[$0]) }
        default:
            return nil
        }
    }

    public func int64s() -> [Int64]? {
        guard format == "l" else { return nil }
        let p = array.buffers[1]!.assumingMemoryBound(to: Int64.self) + offset
        return Array(UnsafeBufferPointer(start: p, count: length))
    }

    public func bools() -> [UInt8]? {
        guard format == "b", let data = array.buffers[1] else { return nil }
        return (0..<length).map { bit(data, $0) ? 1 : 0 }
    }

    public func strings() -> [String]? {
        guard format == "u", let offsets = array.buffers[1], let bytes = array.buffers[2] else { return nil }
        let o = offsets.assumingMemoryBound(to: Int32.self) + offset
        let chars = bytes.assumingMemoryBound(to: UInt8.self)
        return (0..<length).map { i in
            String(decoding: UnsafeBufferPointer(start: chars + Int(o[i]), count: Int(o[i + 1] - o[i])), as: UTF8.self)
        }
    }
}
