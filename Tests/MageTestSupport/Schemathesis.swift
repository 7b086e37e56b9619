import Foundation

/// schemathesis (PyPI, installed by `scripts/requirements.sh test`) run against a live server's OpenAPI
/// document with every check, a fixed seed and a bounded number of examples per operation.
public enum Schemathesis {
    public struct Outcome: Sendable {
        public var passed: Bool
        /// The report, each line cut to 300 characters so failures stay readable beside long bodies.
        public var report: String
        public var missing: Bool
    }

    /// 413 counts as a refusal: a batch of `maxItems + 1` rows can be over a byte limit. A valid request
    /// may meet a state that refuses it: 404 for a run that does not exist, 409 for a run already finished.
    static let configuration = """
        [checks.negative_data_rejection]
        expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]

        [checks.positive_data_acceptance]
        expected-statuses = ["2XX", 401, 403, 404, 409]
        """

    /// One worker: with several, hypothesis parses lambda sources on several threads at once, which
    /// CPython 3.11's `ast.parse` does not survive ("AST constructor recursion depth mismatch"), and
    /// schemathesis reports a runtime error though every case passed.
    /// `extraConfiguration` is appended to the shared configuration (per-operation settings, say).
    public static func run(schema: URL, headers: [String] = [], maxExamples: Int = 40,
                           extraConfiguration: String = "") async throws -> Outcome {
        let folder = try TemporaryFolder.make("schemathesis")
        try (configuration + "\n" + extraConfiguration).write(to: folder.appendingPathComponent("schemathesis.toml"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "schemathesis.cli", "run", schema.absoluteString,
                             "--checks", "all", "--seed", "20261203", "--max-examples", String(maxExamples), "--workers", "1",
                             "--request-timeout", "10", "--report-dir", folder.path]
            + headers.flatMap { ["--header", $0] }
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Waited for on a thread of its own: the server under test answers on the test's shared threads.
        let text: String = await withCheckedContinuation { continuation in
            Thread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }.start()
        }
        let report = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.prefix(300) }.joined(separator: "\n")
        return Outcome(passed: process.terminationStatus == 0, report: String(report.suffix(8000)), missing: text.contains("No module named"))
    }
}
