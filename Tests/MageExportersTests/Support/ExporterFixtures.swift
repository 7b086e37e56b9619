import Foundation
@testable import MageExporters
import MageTestSupport

/// The repository's fixtures and small process helpers for the exporter tests.
enum ExporterFixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/MageExportersTests/Fixtures")
    static let openLineageSpec = fixtures.appendingPathComponent("openlineage")
    static let validator = fixtures.appendingPathComponent("validate_openlineage.py")
    static let receiver = fixtures.appendingPathComponent("lineage_receiver.py")
    /// The lineage document fixture (docs/LINEAGE.md), shared with the host's tests.
    static let lineageFile = repositoryRoot.appendingPathComponent("Tests/MageHostTests/Fixtures/lineage/run_with_failed_block.json")

    static func lineageData() throws -> Data { try Data(contentsOf: lineageFile) }
    static func lineage() throws -> LineageDocument { try LineageDocument.decode(try lineageData()) }

    /// The fixture as a mutable JSON object, to derive variants (a finished run, a cancelled one, …).
    static func lineageObject() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try lineageData()) as! [String: Any]
    }

    static func document(_ object: [String: Any]) throws -> LineageDocument {
        try LineageDocument.decode(try JSONSerialization.data(withJSONObject: object))
    }

    /// Runs a program found on PATH; returns exit code and the combined output.
    static func run(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static func isInstalled(_ program: String) -> Bool {
        (try? run("sh", ["-c", "command -v \(program)"]).0) == 0
    }

    /// Validates NDJSON events with the OpenLineage schemas (validate_openlineage.py).
    static func validate(lines: [String]) throws -> (valid: Bool, report: String) {
        let file = try TemporaryFolder.make("ol-events").appendingPathComponent("events.ndjson")
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: file)
        let (code, report) = try run("python3", [validator.path, openLineageSpec.path, file.path])
        if code == 2 { throw ExportError.io("the validator could not run (pip install jsonschema): \(report)") }
        return (code == 0, report)
    }
}

/// The test HTTP receiver (lineage_receiver.py) on 127.0.0.1, recording what it is sent.
final class LineageReceiver {
    let process = Process()
    let record: URL
    let port: Int
    private let input = Pipe()

    struct Request: Decodable {
        let method: String
        let path: String
        let content_type: String?
        let authorization: String?
        let body: String
    }

    init(status: Int = 201) throws {
        record = try TemporaryFolder.make("receiver").appendingPathComponent("requests.ndjson")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ExporterFixtures.receiver.path, record.path, String(status)]
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw ExportError.io("the test receiver did not start")
        }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func requests() throws -> [Request] {
        guard let data = try? Data(contentsOf: record) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Request.self, from: Data($0.utf8))
        }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}
