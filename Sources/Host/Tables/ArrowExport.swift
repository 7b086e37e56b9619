import Foundation
import PluginAPI

/// Moves a `Table` into the Arrow C Data Interface. The memory belongs to the exported structs: the
/// receiver calls `release` (on the table or on any child it moved out) and the last release frees it.
extension Table {
    public func exportArrow(into out: UnsafeMutablePointer<mage_table>) {
        let storage = ArrowExportStorage()
        let n = columns.count
        let childSchemas = storage.allocate(ArrowSchema.self, count: n)
        let childArrays = storage.allocate(ArrowArray.self, count: n)
        let schemaPointers = storage.allocate(UnsafeMutablePointer<ArrowSchema>?.self, count: n)
        let arrayPointers = storage.allocate(UnsafeMutablePointer<ArrowArray>?.self, count: n)
        for (i, column) in columns.enumerated() {
            childSchemas[i] = ArrowSchema(
                format: storage.cString(column.values.type.arrowFormat), name: storage.cString(column.name),
                metadata: nil, flags: Int64(ARROW_FLAG_NULLABLE), n_children: 0, children: nil, dictionary: nil,
                release: releaseSchema, private_data: storage.retainedPointer())
            childArrays[i] = column.exportArray(storage: storage)
            schemaPointers[i] = childSchemas + i
            arrayPointers[i] = childArrays + i
        }
        let topBuffers = storage.allocate(UnsafeRawPointer?.self, count: 1)
        topBuffers[0] = nil
        out.pointee.schema = ArrowSchema(
            format: storage.cString("+s"), name: storage.cString(""),
            metadata: metadata.isEmpty ? nil : storage.arrowMetadata(metadata), flags: 0,
            n_children: Int64(n), children: schemaPointers, dictionary: nil,
            release: releaseSchema, private_data: storage.retainedPointer())
        out.pointee.array = ArrowArray(
            length: Int64(rowCount), null_count: 0, offset: 0, n_buffers: 1, n_children: Int64(n),
            buffers: topBuffers, children: arrayPointers, dictionary: nil,
            release: releaseArray, private_data: storage.retainedPointer())
    }
}

extension Column {
    fileprivate func exportArray(storage: ArrowExportStorage) -> ArrowArray {
        let length = count
        var buffers: [UnsafeRawPointer?] = [nil]
        var nullCount = 0
        if let validity {
            nullCount = validity.lazy.filter { !$0 }.count
            if nullCount > 0 { buffers[0] = UnsafeRawPointer(storage.bitmap(validity)) }
        }
        switch values {
        case .float64(let v): buffers.append(UnsafeRawPointer(storage.copy(v)))
        case .int64(let v): buffers.append(UnsafeRawPointer(storage.copy(v)))
        case .bool(let v): buffers.append(UnsafeRawPointer(storage.bitmap(v)))
        case .utf8(let v):
            var offsets = [Int32](); offsets.reserveCapacity(length + 1)
            var bytes = [UInt8]()
            offsets.append(0)
            for s in v {
                bytes.append(contentsOf: s.utf8)
                offsets.append(Int32(bytes.count))
            }
            buffers.append(UnsafeRawPointer(storage.copy(offsets)))
            buffers.append(UnsafeRawPointer(storage.copy(bytes.isEmpty ? [0] : bytes)))
        }
        let bufferArray = storage.allocate(UnsafeRawPointer?.self, count: buffers.count)
        for (i, b) in buffers.enumerated() { bufferArray[i] = b }
        return ArrowArray(
            length: Int64(length), null_count: Int64(nullCount), offset: 0, n_buffers: Int64(buffers.count),
            n_children: 0, buffers: bufferArray, children: nil, dictionary: nil,
            release: releaseArray, private_data: storage.retainedPointer())
    }
}

/// Owns every allocation of one exported table; each exported struct holds one reference.
final class ArrowExportStorage {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { allocations.forEach { free($0) } }

    func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let raw = malloc(max(1, count) * MemoryLayout<T>.stride)!
        allocations.append(raw)
        return raw.bindMemory(to: T.self, capacity: max(1, count))
    }

    func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = allocate(T.self, count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { p.initialize(from: base, count: values.count) }
        }
        return p
    }

    func bitmap(_ flags: [Bool]) -> UnsafeMutablePointer<UInt8> {
        let p = allocate(UInt8.self, count: (flags.count + 7) / 8)
        p.initialize(repeating: 0, count: max(1, (flags.count + 7) / 8))
        for (i, f) in flags.enumerated() where f { p[i >> 3] |= UInt8(1 << (i & 7)) }
        return p
    }

    func cString(_ s: String) -> UnsafePointer<CChar> {
        let p = strdup(s)!
        allocations.append(UnsafeMutableRawPointer(p))
        return UnsafePointer(p)
    }

    /// Arrow's metadata encoding: int32 pair count, then per pair int32 length + bytes of key and value.
    func arrowMetadata(_ pairs: [String: String]) -> UnsafePointer<CChar> {
        var bytes: [UInt8] = []
        func int32(_ n: Int) { withUnsafeBytes(of: Int32(n).littleEndian) { bytes.append(contentsOf: $0) } }
        int32(pairs.count)
        for (key, value) in pairs.sorted(by: { $0.key < $1.key }) {
            int32(key.utf8.count); bytes.append(contentsOf: key.utf8)
            int32(value.utf8.count); bytes.append(contentsOf: value.utf8)
        }
        return UnsafeRawPointer(copy(bytes)).assumingMemoryBound(to: CChar.self)
    }

    func retainedPointer() -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(self).toOpaque()
    }
}

private func releaseSchema(_ schema: UnsafeMutablePointer<ArrowSchema>?) {
    guard let schema, schema.pointee.release != nil else { return }
    for i in 0..<Int(schema.pointee.n_children) {
        if let child = schema.pointee.children[i], let release = child.pointee.release { release(child) }
    }
    Unmanaged<ArrowExportStorage>.fromOpaque(schema.pointee.private_data).release()
    schema.pointee.release = nil
}

private func releaseArray(_ array: UnsafeMutablePointer<ArrowArray>?) {
    guard let array, array.pointee.release != nil else { return }
    for i in 0..<Int(array.pointee.n_children) {
        if let child = array.pointee.children[i], let release = child.pointee.release { release(child) }
    }
    Unmanaged<ArrowExportStorage>.fromOpaque(array.pointee.private_data).release()
    array.pointee.release = nil
}
