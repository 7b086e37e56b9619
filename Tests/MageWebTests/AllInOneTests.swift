import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MageHost
import MageTestSupport
import Testing

/// `mage start <project>` with no role: the web server, the dispatcher and the prediction service in one
/// process and one service group.
@Suite struct AllInOneTests {
    @Test func oneProcessServesTheAPIRunsWhatItQueuesAndStopsOnSIGTERM() async throws {
        let harness = try WebHarness()
        let log = try TemporaryFolder.make("all-in-one").appendingPathComponent("mage.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let mage = Process()
        mage.executableURL = WebHarness.buildDirectory.appendingPathComponent("mage")
        mage.arguments = ["start", harness.project.root.path, "--port", "0", "--prediction-port", "0"]
        mage.environment = ProcessInfo.processInfo.environment.merging(["MAGE_PLUGIN_PATH": harness.pluginDirectory.path]) { $1 }
        mage.standardOutput = try FileHandle(forWritingTo: log)
        mage.standardError = mage.standardOutput
        try mage.run()
        defer { if mage.isRunning { kill(mage.processIdentifier, SIGKILL) } }

        func port(of service: String) async throws -> Int? {
            for _ in 0..<600 {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("\(service) of ") }),
                   let port = line.split(separator: ":").last?.split(separator: " ").first.flatMap({ Int($0) }) {
                    return port
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }
        let web = try #require(try await port(of: "web server"), "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let prediction = try #require(try await port(of: "prediction service"))
        let base = URL(string: "http://127.0.0.1:\(web)")!

        let (statusData, _) = try await URLSession.shared.data(from: base.appendingPathComponent("api/statuses"))
        let status = try #require((try JSONSerialization.jsonObject(with: statusData) as? [String: Any])?["statuses"] as? [[String: Any]])
        #expect(status.first?["roles"] as? [String] == ["web_server", "scheduler", "dispatcher", "prediction"])
        #expect(status.first?["scheduler_status"] as? String == "running")
        let (_, ping) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(prediction)/ping")!)
        #expect([200, 503].contains((ping as? HTTPURLResponse)?.statusCode ?? 0), "the prediction service answers (503: no model yet)")

        var request = URLRequest(url: base.appendingPathComponent("api/pipelines/train/pipeline_runs"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"pipeline_run": {}}"#.utf8)
        let (created, _) = try await URLSession.shared.data(for: request)
        let id = Int64(try #require(((try JSONSerialization.jsonObject(with: created) as? [String: Any])?["pipeline_run"] as? [String: Any])?["id"] as? Int))
        let run = try await harness.finished(id)
        #expect(run?.status == .completed)

        kill(mage.processIdentifier, SIGTERM)
        for _ in 0..<300 where mage.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!mage.isRunning)
        #expect(mage.terminationStatus == 0, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }
}
