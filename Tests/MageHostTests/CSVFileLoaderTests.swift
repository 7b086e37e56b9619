import Foundation
import Testing
@testable import MageHost
import MageTestSupport

/// The `csv_file` data loader of MageDataLoaders, run like any block: the built plugin through dlopen, in
/// a child `mage` process, its table read back from the run folder.
@Suite struct CSVFileLoaderTests {
    typealias Harness = ExecutorTests.Harness

    static func column(_ table: Table, _ name: String) throws -> Column {
        try #require(table.column(named: name), "no column '\(name)' in \(table.columns.map(\.name))")
    }

    @Test func infersTypesAndReadsQuotedFieldsNullsCRLFAndDeclaredTypes() async throws {
        // Canonical (the host hands the plugin the resolved path, which its messages quote).
        let folder = URL(fileURLWithPath: try ProjectPaths.canonical(TemporaryFolder.make("csv").path))
        // CRLF records; a quoted field with the delimiter, one with doubled quotes, one with a line break.
        // (LF inside the quotes: the host's output.csv writer leaves a value holding CRLF unquoted.)
        let people = try LoaderTestSupport.write(
            "id,score,active,name,zip,mixed,empty\r\n"
                + "1,1.5,true,\"Smith, John\",02134,1,\r\n"
                + "2,-2,FALSE,\"say \"\"hi\"\"\",10001,x,\r\n"
                + "-3,1e3,false,\"two\nlines\",00501,,\r\n"
                + ",,,,,2,\r\n",
            "people.csv", in: folder)
        // Another delimiter, declared types, more than one null word, a blank line, no final line break.
        let measures = try LoaderTestSupport.write("a;b;c\n1;NA;x\n\n2;3.5;NA", "measures.csv", in: folder)
        // In a one-column file, a blank line is a null (as in the host's output.csv).
        let single = try LoaderTestSupport.write("v\n1\n\n3\n", "single.csv", in: folder)
        // A byte-order mark, a quoted empty string, number words.
        let edges = try LoaderTestSupport.write("\u{FEFF}p,q,r,s\n1,,\"\",-Infinity\n2,3,z,.5\n", "edges.csv", in: folder)
        let headerOnly = try LoaderTestSupport.write("x,y\n", "header_only.csv", in: folder)
        // The file ends right after a delimiter: the last field is empty.
        let tail = try LoaderTestSupport.write("a,b\n1,", "tail.csv", in: folder)
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - uuid: people
              type: data_loader
              plugin: csv_file
              configuration: {path: '\(people)', columns: {zip: utf8}}
            - uuid: measures
              type: data_loader
              plugin: csv_file
              configuration: {path: '\(measures)', delimiter: ';', null_values: ['NA', ''], columns: {a: float64}}
            - {uuid: edges, type: data_loader, plugin: csv_file, configuration: {path: '\(edges)'}}
            - {uuid: single, type: data_loader, plugin: csv_file, configuration: {path: '\(single)'}}
            - {uuid: tail, type: data_loader, plugin: csv_file, configuration: {path: '\(tail)'}}
            - {uuid: header_only, type: data_loader, plugin: csv_file, configuration: {path: '\(headerOnly)'}}
            """], fixtures: [], swift: ["MageDataLoaders"], allowedPaths: [folder.path])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .completed, "\(summary.blocks.map { "\($0.block): \($0.error ?? "")" })")

        let table = try harness.output(summary, "people")
        #expect(table.columns.map(\.name) == ["id", "score", "active", "name", "zip", "mixed", "empty"])
        let present = [true, true, true, false]
        #expect(try Self.column(table, "id") == Column(name: "id", values: .int64([1, 2, -3, 0]), validity: present))
        #expect(try Self.column(table, "score") == Column(name: "score", values: .float64([1.5, -2, 1000, 0]), validity: present))
        #expect(try Self.column(table, "active") == Column(name: "active", values: .bool([true, false, false, false]), validity: present))
        #expect(try Self.column(table, "name") == Column(
            name: "name", values: .utf8(["Smith, John", "say \"hi\"", "two\nlines", ""]), validity: present))
        #expect(try Self.column(table, "zip") == Column(name: "zip", values: .utf8(["02134", "10001", "00501", ""]), validity: present))
        #expect(try Self.column(table, "mixed") == Column(
            name: "mixed", values: .utf8(["1", "x", "", "2"]), validity: [true, true, false, true]))
        #expect(try Self.column(table, "empty") == Column(
            name: "empty", values: .utf8(["", "", "", ""]), validity: [false, false, false, false]))
        let log = try LoaderTestSupport.log(summary, "people")
        #expect(log.contains("read \(people): 4 rows"))
        #expect(log.contains("zip utf8 (declared)"))

        let measured = try harness.output(summary, "measures")
        #expect(try Self.column(measured, "a") == Column(name: "a", values: .float64([1, 2])))
        #expect(try Self.column(measured, "b") == Column(name: "b", values: .float64([0, 3.5]), validity: [false, true]))
        #expect(try Self.column(measured, "c") == Column(name: "c", values: .utf8(["x", ""]), validity: [true, false]))

        let edged = try harness.output(summary, "edges")
        #expect(edged.columns.map(\.name) == ["p", "q", "r", "s"])
        #expect(try Self.column(edged, "s") == Column(name: "s", values: .float64([-.infinity, 0.5])))
        #expect(try Self.column(edged, "q") == Column(name: "q", values: .int64([0, 3]), validity: [false, true]))
        // With the default null_values, the empty string is a null whether quoted or not.
        #expect(try Self.column(edged, "r") == Column(name: "r", values: .utf8(["", "z"]), validity: [false, true]))

        #expect(try harness.output(summary, "single").columns == [Column(name: "v", values: .int64([1, 0, 3]), validity: [true, false, true])])

        #expect(try harness.output(summary, "tail").columns == [
            Column(name: "a", values: .int64([1])), Column(name: "b", values: .utf8([""]), validity: [false])])

        let empty = try harness.output(summary, "header_only")
        #expect(empty.columns.map(\.name) == ["x", "y"])
        #expect(empty.rowCount == 0)
    }

    @Test func eachBadFileFailsItsBlockWithAMessageNamingFileLineAndColumn() async throws {
        // Canonical (the host hands the plugin the resolved path, which its messages quote).
        let folder = URL(fileURLWithPath: try ProjectPaths.canonical(TemporaryFolder.make("csv").path))
        func file(_ name: String, _ text: String) throws -> String { try LoaderTestSupport.write(text, name, in: folder) }
        let ragged = try file("ragged.csv", "a,b,c,d,e\n" + String(repeating: "1,2,3,4,5\n", count: 5) + "1,2,3,4\n")
        let wide = try file("wide.csv", "a,b\n1,2,3\n")
        let badInt = try file("bad_int.csv", "name,age\nann,31\nbob,abc\n")
        let multiline = try file("multiline.csv", "name,age\n\"x\ny\",1\nbob,abc\n")
        let crlfRagged = try file("crlf_ragged.csv", "a,b\r\n1,2\r\n3\r\n")
        let badFloat = try file("bad_float.csv", "x\n1.5\n\"2,5\"\n")
        let unterminated = try file("unterminated.csv", "a,b\n1,2\n3,\"open\n4,5\n")
        let afterQuote = try file("after_quote.csv", "a,b\n\"x\"y,1\n")
        let empty = try file("empty.csv", "")
        let blankHeader = try file("blank_header.csv", "\n1\n")
        let duplicate = try file("duplicate.csv", "a,b,a\n1,2,3\n")
        let valid = try file("valid.csv", "a,b\n1,2\n")
        let missing = folder.appendingPathComponent("missing.csv").path
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: ragged, type: data_loader, plugin: csv_file, configuration: {path: '\(ragged)'}}
            - {uuid: wide, type: data_loader, plugin: csv_file, configuration: {path: '\(wide)'}}
            - {uuid: bad_int, type: data_loader, plugin: csv_file, configuration: {path: '\(badInt)', columns: {age: int64}}}
            - {uuid: multiline, type: data_loader, plugin: csv_file, configuration: {path: '\(multiline)', columns: {age: int64}}}
            - {uuid: crlf_ragged, type: data_loader, plugin: csv_file, configuration: {path: '\(crlfRagged)'}}
            - {uuid: bad_float, type: data_loader, plugin: csv_file, configuration: {path: '\(badFloat)', columns: {x: float64}}}
            - {uuid: unterminated, type: data_loader, plugin: csv_file, configuration: {path: '\(unterminated)'}}
            - {uuid: after_quote, type: data_loader, plugin: csv_file, configuration: {path: '\(afterQuote)'}}
            - {uuid: empty, type: data_loader, plugin: csv_file, configuration: {path: '\(empty)'}}
            - {uuid: blank_header, type: data_loader, plugin: csv_file, configuration: {path: '\(blankHeader)'}}
            - {uuid: duplicate, type: data_loader, plugin: csv_file, configuration: {path: '\(duplicate)'}}
            - {uuid: missing, type: data_loader, plugin: csv_file, configuration: {path: '\(missing)'}}
            - {uuid: undeclared, type: data_loader, plugin: csv_file, configuration: {path: '\(valid)', columns: {zz: int64}}}
            - {uuid: unknown_type, type: data_loader, plugin: csv_file, configuration: {path: '\(valid)', columns: {a: integer}}}
            - {uuid: delimiter, type: data_loader, plugin: csv_file, configuration: {path: '\(valid)', delimiter: '::'}}
            """], fixtures: [], swift: ["MageDataLoaders"], allowedPaths: [folder.path])
        let summary = try await harness.run("p")
        #expect(summary.run.status == .failed)
        let expected: [String: String] = [
            "ragged": "\(ragged): line 7 has 4 fields, the header has 5",
            "wide": "\(wide): line 2 has 3 fields, the header has 2",
            "bad_int": "\(badInt): line 3, column 'age': 'abc' is not int64",
            "multiline": "\(multiline): line 4, column 'age': 'abc' is not int64",
            "crlf_ragged": "\(crlfRagged): line 3 has 1 field, the header has 2",
            "bad_float": "\(badFloat): line 3, column 'x': '2,5' is not float64",
            "unterminated": "\(unterminated): line 3, column 'b': the quoted field that starts here is never closed",
            "after_quote": "\(afterQuote): line 2, column 'a': text after the closing quote of a quoted field (a quote inside a field must be doubled)",
            "empty": "\(empty): the file is empty; csv_file needs a header row",
            "blank_header": "\(blankHeader): line 1: the header row is empty",
            "duplicate": "\(duplicate): line 1: duplicate column name 'a' (columns 1 and 3)",
            "missing": "\(missing): no such file (looked for \(missing))",
            "undeclared": "\(valid): 'columns' declares 'zz', which the header does not have (columns: a, b)",
            "unknown_type": "configuration key 'columns': column 'a' has unknown type 'integer' (known: float64, int64, bool, utf8)",
            "delimiter": "configuration key 'delimiter' must be one ASCII character other than a quote or a line break, got \"::\"",
        ]
        for (block, message) in expected {
            let record = try LoaderTestSupport.requireBlock(summary, block)
            #expect(record.status == .failed, "\(block)")
            #expect(record.error == message, "\(block)")
        }
    }

    @Test func aRelativePathResolvesAgainstTheProjectRoot() throws {
        let project = try LoaderTestSupport.projectWithDataLoaders(pipelines: ["p": """
            blocks:
            - {uuid: load, type: data_loader, plugin: csv_file, configuration: {path: data/input.csv}}
            """])
        let data = project.root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        _ = try LoaderTestSupport.write("k,v\na,1\nb,2\n", "input.csv", in: data)
        let (code, out, err) = try LoaderTestSupport.runMage(["run", ".", "p"], in: project.root)
        #expect(code == 0, "\(out)\(err)")
        #expect(out.contains("load  completed"))
        let table = try TableFile.read(from: project.root.appendingPathComponent(".mage_data/pipelines/p/runs/1/load"))
        #expect(table.column(named: "v")?.values == .int64([1, 2]))

        // From another working directory the same relative path still names the project's file.
        let elsewhere = try TemporaryFolder.make("cwd")
        let (again, againOut, againErr) = try LoaderTestSupport.runMage(["run", project.root.path, "p"], in: elsewhere)
        #expect(again == 0, "\(againOut)\(againErr)")
        #expect(try TableFile.read(from: project.root.appendingPathComponent(".mage_data/pipelines/p/runs/2/load"))
            .column(named: "v")?.values == .int64([1, 2]))
    }

    @Test func aLargeFileReadsInLinearTime() async throws {
        // 100,000 rows × 4 columns (about 3 MB), with quoted fields: a reader that is quadratic in rows
        // or fields would take hours; this one takes about a second even in a debug build.
        // Canonical (the host hands the plugin the resolved path, which its messages quote).
        let folder = URL(fileURLWithPath: try ProjectPaths.canonical(TemporaryFolder.make("csv").path))
        var text = "id,x,flag,label\n"
        text.reserveCapacity(3_500_000)
        for i in 0..<100_000 { text += "\(i),\(Double(i) / 8),\(i % 3 == 0),\"row \(i), ok\"\n" }
        let path = try LoaderTestSupport.write(text, "large.csv", in: folder)
        let harness = try Harness(pipelines: ["p": """
            blocks:
            - {uuid: large, type: data_loader, plugin: csv_file, configuration: {path: '\(path)'}}
            """], fixtures: [], swift: ["MageDataLoaders"], allowedPaths: [folder.path])
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: harness.project.root)
        }
        let summary = try await harness.run("p")
        let record = try LoaderTestSupport.requireBlock(summary, "large")
        #expect(record.status == .completed, "\(record.error ?? "")")
        let log = try LoaderTestSupport.log(summary, "large")
        #expect(log.contains("read \(path): 100000 rows in "))
        #expect(log.contains("columns: id int64, x float64, flag bool, label utf8"))
        // The loader's own time (the host then writes output.csv), with a bound for a loaded machine.
        let seconds = log.split(separator: "\n").first { $0.contains("100000 rows in ") }
            .flatMap { $0.components(separatedBy: "rows in ").last?.split(separator: " ").first }
            .flatMap { Double($0) }
        #expect(try #require(seconds) < 30)
    }
}
