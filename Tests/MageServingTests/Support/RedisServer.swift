import Foundation
import MageHost
import MageTestSupport

/// A real Redis server for one test: `redis-server` on 127.0.0.1 and a free port, with a password
/// (`requirepass`, so authentication is exercised), no persistence, in its own temporary folder. It can
/// be stopped and started again on the same port, to test reconnection. Stopped when released.
///
/// When `redis-server` cannot be found or started, `start()` throws saying why, and the test fails:
/// these tests never skip.
final class RedisServer: @unchecked Sendable {
    let port: Int
    let password: String
    let folder: URL
    private var process: Process?

    var url: RedisURL { try! RedisURL("redis://:\(password)@127.0.0.1:\(port)/0") }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func start() throws -> RedisServer {
        let server = RedisServer(port: try LoopbackPort.free(), password: "pw-\(UInt64.random(in: 1...UInt64.max))",
                                 folder: try TemporaryFolder.make("redis"))
        try server.start()
        return server
    }

    private init(port: Int, password: String, folder: URL) {
        self.port = port
        self.password = password
        self.folder = folder
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    func start() throws {
        guard let executable = Self.executable() else {
            throw Failure(description: "redis-server is not installed (Debian: apt-get install redis-server)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--bind", "127.0.0.1", "--port", "\(port)", "--requirepass", password, "--save", "",
                             "--appendonly", "no", "--daemonize", "no", "--dir", folder.path,
                             "--logfile", folder.appendingPathComponent("redis.log").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let connection = try? RedisConnection(url), (try? connection.command(["PING"])) == .status("PONG") { return }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        let log = (try? String(contentsOf: folder.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
        stop()
        throw Failure(description: "redis-server did not answer on 127.0.0.1:\(port): \(log.suffix(2000))")
    }

    /// SIGKILL, as a crash would: the server was started from a test thread whose blocked signals it
    /// inherits, so SIGTERM may never reach it; nothing is persisted anyway.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    private static func executable() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"] {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent("redis-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

}
