import Crypto
import Foundation

/// SHA-256 over the canonical encoding of a table (docs/LINEAGE.md): schema and values, independent
/// of how the table was stored, so identical data has the identical hash on any machine.
public enum CanonicalTableHash {
    public static func hash(_ table: Table) -> String {
        var hasher = SHA256()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        func flush() {
            hasher.update(data: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        func u64(_ n: UInt64) { withUnsafeBytes(of: n.littleEndian) { buffer.append(contentsOf: $0) } }
        func bytes<S: Sequence>(_ s: S) where S.Element == UInt8 {
            buffer.append(contentsOf: s)
            if buffer.count > 1 << 16 { flush() }
        }
        bytes("swiftmage.table.v1\n".utf8)
        u64(UInt64(table.columns.count))
        u64(UInt64(table.rowCount))
        for column in table.columns {
            u64(UInt64(column.name.utf8.count))
            bytes(column.name.utf8)
            bytes(column.values.type.arrowFormat.utf8)
            for row in 0..<column.count {
                if column.isNull(row) {
                    buffer.append(0)
                    continue
                }
                buffer.append(1)
                switch column.values {
                case .float64(let v):
                    let x = v[row]
                    u64(x.isNaN ? 0x7FF8_0000_0000_0000 : (x == 0 ? 0 : x.bitPattern))
                case .int64(let v): u64(UInt64(bitPattern: v[row]))
                case .bool(let v): buffer.append(v[row] ? 1 : 0)
                case .utf8(let v):
                    u64(UInt64(v[row].utf8.count))
                    buffer.append(contentsOf: v[row].utf8)
                }
                if buffer.count > 1 << 16 { flush() }
            }
        }
        flush()
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
