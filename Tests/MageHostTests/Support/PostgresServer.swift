import Foundation
import MageTestSupport
import Synchronization

/// A real PostgreSQL server for the tests, started on first use, once per test process (a lazily
/// initialized static, so concurrent tests wait for the one start), and stopped when the process exits.
///
/// - Its cluster lives in a fresh `swiftmage-pg-XXXXXX` folder in the temporary folder: `data/` (made by
///   `initdb`), `socket/`, `server.log`, `pwfile`, and `owner.pid` (this test process).
/// - Every connection needs a password (`initdb -A scram-sha-256`, superuser `mage`, a random password),
///   so the redaction tests check a real secret.
/// - It listens on 127.0.0.1 only, on a free port, with its socket in its own folder.
/// - Run as root (as CI is), `initdb`, `pg_ctl` and the server run as the `postgres` user through
///   `runuser`, since PostgreSQL refuses to run as root; otherwise as the current user.
/// - Teardown: an `atexit` handler sends the postmaster SIGQUIT (immediate shutdown) and deletes the
///   folder. A test process that dies without exiting leaves both behind; the next start removes any
///   such folder whose `owner.pid` is no longer alive, stopping its server first.
///
/// When PostgreSQL cannot be found or started, `shared()` throws a message saying why, and the test
/// fails: these tests never skip.
final class PostgresServer: Sendable {
    let port: Int
    let user = "mage"
    let password: String
    let database = "postgres"
    let binDirectory: URL
    let folder: URL

    var url: String { url(password: password) }

    func url(password: String) -> String { "postgresql://\(user):\(password)@127.0.0.1:\(port)/\(database)" }

    static func shared() throws -> PostgresServer { try started.get() }

    /// A server of its own, for a test that stops or restarts it (the shared one serves the other
    /// tests meanwhile); stopped when the process exits, as the shared one is.
    static func privateServer() throws -> PostgresServer { try start() }

    private static let started = Result<PostgresServer, any Error> { try PostgresServer.start() }

    private init(port: Int, password: String, binDirectory: URL, folder: URL) {
        self.port = port
        self.password = password
        self.binDirectory = binDirectory
        self.folder = folder
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs SQL with psql as `mage`; throws with psql's output when it fails.
    @discardableResult
    func psql(_ sql: String) throws -> String {
        let (code, out, err) = try Self.run(binDirectory.appendingPathComponent("psql"), [
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database,
            "-c", sql,
        ], environment: ["PGPASSWORD": password])
        guard code == 0 else { throw Failure(description: "psql failed (\(code)): \(err)\(out)") }
        return out
    }

    /// `pg_ctl restart -m fast`: the server ends every session (their transactions roll back) and
    /// starts again on the same port; returns once it accepts connections.
    /// Also starts a stopped server again, with the options it last ran with (`postmaster.opts`).
    func restart() throws { try pgctl("restart") }

    /// `pg_ctl stop -m fast`.
    func stop() throws { try pgctl("stop") }

    private func pgctl(_ command: String) throws {
        let data = folder.appendingPathComponent("data")
        let pgctl = binDirectory.appendingPathComponent("pg_ctl")
        let arguments = ["-D", data.path, "-l", folder.appendingPathComponent("server.log").path, "-m", "fast", "-w", "-t", "60", command]
        let (code, out, err) = geteuid() == 0
            ? try Self.run(try Self.runuser(), ["-u", "postgres", "--", pgctl.path] + arguments, directory: folder)
            : try Self.run(pgctl, arguments, directory: folder)
        guard code == 0 else { throw Failure(description: "pg_ctl \(command) failed (\(code)): \(err)\(out)") }
    }

    // MARK: - Start

    private static let folderPrefix = "swiftmage-pg-"

    private static func start() throws -> PostgresServer {
        let bin = try findBinaries()
        removeAbandonedClusters()
        let asRoot = geteuid() == 0
        var owner: (uid: uid_t, gid: gid_t)?
        if asRoot {
            guard let entry = getpwnam("postgres") else {
                throw Failure(description: "running as root, but there is no 'postgres' user to run PostgreSQL as: install the Debian package postgresql (.ci/run does)")
            }
            owner = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
        var template = Array("\(NSTemporaryDirectory())/\(folderPrefix)XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed: \(String(cString: strerror(errno)))") }
        let folder = URL(fileURLWithPath: String(cString: made))
        try "\(getpid())\n".write(to: folder.appendingPathComponent("owner.pid"), atomically: true, encoding: .utf8)
        let password = "pw-" + (0..<12).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let pwfile = folder.appendingPathComponent("pwfile"), socketFolder = folder.appendingPathComponent("socket")
        try "\(password)\n".write(to: pwfile, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: socketFolder, withIntermediateDirectories: false)
        if let owner {
            for path in [folder, pwfile, socketFolder] { chown(path.path, owner.uid, owner.gid) }
        }
        chmod(pwfile.path, 0o600)
        let data = folder.appendingPathComponent("data"), log = folder.appendingPathComponent("server.log")

        func asPostgres(_ program: String, _ arguments: [String]) throws -> (Int32, String) {
            let executable = bin.appendingPathComponent(program)
            let (code, out, err) = asRoot
                ? try run(try runuser(), ["-u", "postgres", "--", executable.path] + arguments, directory: folder)
                : try run(executable, arguments, directory: folder)
            return (code, out + err)
        }

        let (initCode, initOutput) = try asPostgres("initdb", [
            "-D", data.path, "-A", "scram-sha-256", "--pwfile=\(pwfile.path)", "-U", "mage", "-E", "UTF8",
            "--locale=C", "--no-sync",
        ])
        guard initCode == 0 else {
            throw Failure(description: "initdb failed (exit \(initCode)) in \(data.path):\n\(initOutput)")
        }
        // A free port can be taken between the check and the bind: try a few.
        var lastOutput = ""
        for _ in 0..<3 {
            let port = try LoopbackPort.free()
            let options = "-p \(port) -k \(socketFolder.path) -c listen_addresses=127.0.0.1 -c fsync=off "
                + "-c synchronous_commit=off -c full_page_writes=off"
            let (code, output) = try asPostgres("pg_ctl", ["-D", data.path, "-l", log.path, "-o", options, "-w", "-t", "60", "start"])
            if code == 0 {
                registerStop(folder: folder)
                let server = PostgresServer(port: port, password: password, binDirectory: bin, folder: folder)
                try server.createFixtures()
                return server
            }
            let serverLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            lastOutput = output + serverLog
            guard serverLog.contains("could not bind") || serverLog.contains("already in use") else { break }
        }
        throw Failure(description: "pg_ctl start failed for \(data.path):\n\(lastOutput)")
    }

    /// Tables the tests read.
    private func createFixtures() throws {
        try psql("""
            CREATE TABLE loader_types (
                i integer, b bigint, s smallint, d double precision, r real, n numeric, f boolean, t text,
                ts timestamp);
            INSERT INTO loader_types VALUES
                (1, 9000000000, 7, 1.5, 0.25, 12345.678901, true, 'one', '2024-03-01 12:34:56'),
                (2, -9000000000, -7, -2.25, 1.5, -0.5, false, 'two, with "quotes"', '1999-12-31 23:59:59'),
                (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            """)
    }

    /// The folder of initdb, pg_ctl and psql: from PATH (through symlinks), else the newest
    /// /usr/lib/postgresql/<version>/bin, where Debian's postgresql package puts them.
    private static func findBinaries() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        var candidates: [URL] = []
        for folder in path.split(separator: ":") {
            let initdb = URL(fileURLWithPath: String(folder)).appendingPathComponent("initdb")
            if FileManager.default.isExecutableFile(atPath: initdb.path) {
                candidates.append(initdb.resolvingSymlinksInPath().deletingLastPathComponent())
            }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            candidates.append(URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin"))
        }
        for folder in candidates where ["initdb", "pg_ctl", "psql"].allSatisfy({
            FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent($0).path)
        }) {
            return folder
        }
        throw Failure(description: "PostgreSQL's initdb, pg_ctl and psql were not found on PATH nor in /usr/lib/postgresql/<version>/bin: install the Debian package postgresql (.ci/run does)")
    }

    /// util-linux's runuser, which runs a program as another user without a password or a terminal.
    private static func runuser() throws -> URL {
        for path in ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw Failure(description: "running as root, but runuser (util-linux) is missing: it runs PostgreSQL as the postgres user")
    }

    // MARK: - Stop

    /// The clusters this process started, stopped by one exit handler.
    private static let runningFolders = Mutex<[String]>([])

    private static func registerStop(folder: URL) {
        let first = runningFolders.withLock { folders in
            folders.append(folder.path)
            return folders.count == 1
        }
        guard first else { return }
        atexit {
            for folder in PostgresServer.runningFolders.withLock({ $0 }) { PostgresServer.stopCluster(in: folder) }
        }
    }

    /// Stops the server whose data folder is `<folder>/data` (SIGQUIT: immediate shutdown), waits up to
    /// 5 s for it to exit, and deletes the folder.
    private static func stopCluster(in folder: String) {
        let pidFile = folder + "/data/postmaster.pid"
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
           let line = text.split(separator: "\n").first, let pid = pid_t(line.trimmingCharacters(in: .whitespaces)),
           let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
           String(decoding: cmdline.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(folder) {
            kill(pid, SIGQUIT)
            for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Clusters left by test processes that died without running their exit handler.
    private static func removeAbandonedClusters() {
        let temporary = NSTemporaryDirectory()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for entry in entries where entry.hasPrefix(folderPrefix) {
            let folder = (temporary as NSString).appendingPathComponent(entry)
            let owner = (try? String(contentsOfFile: folder + "/owner.pid", encoding: .utf8))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if let owner {
                if kill(owner, 0) == 0 || errno == EPERM { continue }  // its test process still runs
            } else {
                // No owner yet: another process may be creating it right now; leave young folders alone.
                let modified = (try? FileManager.default.attributesOfItem(atPath: folder))?[.modificationDate] as? Date
                if let modified, Date().timeIntervalSince(modified) < 60 { continue }
            }
            stopCluster(in: folder)
        }
    }

    // MARK: - Processes

    // glibc's posix_spawn extensions, which its headers declare only under _GNU_SOURCE.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let changeDirectory: ChangeDirectory? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: ChangeDirectory.self) }

    /// Runs a program to its end; returns its exit code, stdout and stderr.
    ///
    /// `posix_spawn` with every descriptor above 2 closed, and output through a file: `pg_ctl start`
    /// leaves a server running that inherits whatever it was given. Foundation's `Process` would hand it
    /// the socket by which it notices the child's end (and so wait forever), and descriptors of other
    /// tests' processes (pipes they read to the end) could leak into it too.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                    directory: URL? = nil) throws -> (Int32, String, String) {
        var template = Array("\(NSTemporaryDirectory())/swiftmage-command-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed") }
        let outputs = URL(fileURLWithPath: String(cString: made))
        defer { try? FileManager.default.removeItem(at: outputs) }
        let outPath = outputs.appendingPathComponent("stdout").path, errPath = outputs.appendingPathComponent("stderr").path

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard let closeFrom = Self.closeFrom, let changeDirectory = Self.changeDirectory else {
            throw Failure(description: "this C library lacks posix_spawn_file_actions_addclosefrom_np (glibc 2.34 has it)")
        }
        _ = closeFrom(&actions, 3)
        if let directory { _ = changeDirectory(&actions, directory.path) }

        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable.path, &actions, nil, argv, envp)
        guard code == 0 else {
            throw Failure(description: "cannot start \(executable.path): \(String(cString: strerror(code)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (exitCode, stdout, stderr)
    }
}
