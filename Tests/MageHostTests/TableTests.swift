import Foundation
import PluginAPI
import Testing
@testable import MageHost
import MageTestSupport

@Suite struct TableTests {
    static let sample = Table(columns: [
        Column(name: "x", values: .float64([1.5, .nan, -0.0, 1e300, .infinity]), validity: [true, true, false, true, true]),
        Column(name: "n", values: .int64([1, -2, .max, .min, 0])),
        Column(name: "ok", values: .bool([true, false, true, false, true]), validity: [true, true, true, false, true]),
        Column(name: "s, \"quoted\"", values: .utf8(["a", "", "comma, here", "line\r\nbreak", "ünïcode"]),
               validity: [true, true, true, true, false]),
    ])

    @Test func roundTripsThroughTheArrowCDataInterface() throws {
        var exported = mage_table()
        Self.sample.exportArrow(into: &exported)
        #expect(exported.schema.n_children == 4)
        #expect(String(cString: exported.schema.children[3]!.pointee.format) == "u")
        #expect(exported.array.children[0]!.pointee.null_count == 1)
        let back = try withUnsafePointer(to: &exported) { try Table(arrow: $0) }
        exported.array.release(&exported.array)
        exported.schema.release(&exported.schema)
        #expect(exported.array.release == nil && exported.schema.release == nil)
        Self.expectSame(back, Self.sample)
    }

    @Test func metadataTravelsThroughArrowAndTheTableFile() throws {
        let table = Table(columns: [Column(name: "v", values: .int64([1]))],
                          metadata: ["swiftmage.preprocessor": "{\"means\": [0.5]}", "ünï": ""])
        var exported = mage_table()
        table.exportArrow(into: &exported)
        let back = try withUnsafePointer(to: &exported) { try Table(arrow: $0) }
        exported.array.release(&exported.array)
        exported.schema.release(&exported.schema)
        #expect(back.metadata == table.metadata)
        let directory = try TemporaryFolder.make()
        try TableFile.write(table, to: directory)
        #expect(try TableFile.read(from: directory).metadata == table.metadata)
    }

    @Test func aMovedChildOutlivesItsParent() throws {
        var exported = mage_table()
        Table(columns: [Column(name: "v", values: .int64([7, 8, 9]))]).exportArrow(into: &exported)
        var moved = exported.array.children[0]!.pointee
        exported.array.children[0]!.pointee.release = nil
        exported.array.release(&exported.array)
        #expect(moved.buffers[1]!.assumingMemoryBound(to: Int64.self)[2] == 9)
        moved.release(&moved)
        exported.schema.release(&exported.schema)
    }

    @Test func refusesUnsupportedArrowFormats() throws {
        var exported = mage_table()
        Table(columns: [Column(name: "v", values: .int64([1]))]).exportArrow(into: &exported)
        defer {
            exported.array.release(&exported.array)
            exported.schema.release(&exported.schema)
        }
        let original = exported.schema.children[0]!.pointee.format
        exported.schema.children[0]!.pointee.format = UnsafePointer(strdup("i"))
        defer {
            free(UnsafeMutableRawPointer(mutating: exported.schema.children[0]!.pointee.format))
            exported.schema.children[0]!.pointee.format = original
        }
        #expect(throws: ArrowImportError.self) { try withUnsafePointer(to: &exported) { try Table(arrow: $0) } }
    }

    @Test func roundTripsThroughTheTableFile() throws {
        let directory = try TemporaryFolder.make()
        try TableFile.write(Self.sample, to: directory)
        Self.expectSame(try TableFile.read(from: directory), Self.sample)
        let csv = try String(contentsOf: directory.appendingPathComponent(TableFile.dataName), encoding: .utf8)
        #expect(csv.hasPrefix("x,n,ok,\"s, \"\"quoted\"\"\"\n1.5,1,true,a\nnan,-2,false,\"\"\n"))
    }

    @Test func roundTripsATableWithNoColumns() throws {
        let directory = try TemporaryFolder.make()
        try TableFile.write(Table(columns: []), to: directory)
        #expect(try TableFile.read(from: directory) == Table(columns: []))
    }

    @Test func refusesATableFileWhoseRowsDisagreeWithItsSchema() throws {
        let directory = try TemporaryFolder.make()
        try TableFile.write(Table(columns: [Column(name: "v", values: .int64([1, 2]))]), to: directory)
        try "v\n1\nnot-a-number\n".write(to: directory.appendingPathComponent(TableFile.dataName), atomically: true, encoding: .utf8)
        #expect { try TableFile.read(from: directory) } throws: { error in
            "\(error)".contains("line 3, column 'v': 'not-a-number' is not int64")
        }
    }

    /// Equality that treats NaN as equal to NaN and ignores values under nulls.
    static func expectSame(_ a: Table, _ b: Table) {
        #expect(a.columns.map(\.name) == b.columns.map(\.name))
        for (x, y) in zip(a.columns, b.columns) {
            #expect(x.validity == y.validity, "validity of \(x.name)")
            for row in 0..<x.count where !y.isNull(row) {
                switch (x.values, y.values) {
                case (.float64(let p), .float64(let q)):
                    #expect(p[row] == q[row] || (p[row].isNaN && q[row].isNaN), "\(x.name)[\(row)]")
                case (.int64(let p), .int64(let q)): #expect(p[row] == q[row])
                case (.bool(let p), .bool(let q)): #expect(p[row] == q[row])
                case (.utf8(let p), .utf8(let q)): #expect(p[row] == q[row])
                default: Issue.record("column \(x.name) changed type")
                }
            }
        }
    }
}
