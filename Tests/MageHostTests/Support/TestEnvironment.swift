import Foundation
@testable import MageHost
import MageTestSupport

/// Real artifacts for tests: the built `mage` binary and Swift plugins beside the test bundle, and C
/// fixture plugins compiled from `Fixtures/plugins/*.c` with the system C compiler against the header.
enum TestEnvironment {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let buildDirectory = Executable.url!.deletingLastPathComponent()
    static let mage = buildDirectory.appendingPathComponent("mage")
    static let fixtureSources = repositoryRoot.appendingPathComponent("Tests/MageHostTests/Fixtures/plugins")

    static func swiftPlugin(_ name: String) -> URL {
        buildDirectory.appendingPathComponent("lib\(name).so")
    }

    private static let compiled = CompiledFixtures()

    /// The fixture compiled once per test process; returns the shared library's path.
    static func fixture(_ name: String) throws -> URL {
        try compiled.library(name)
    }

    /// A plugin folder holding the named C fixtures and Swift plugins.
    static func pluginDirectory(fixtures: [String] = [], swift: [String] = []) throws -> URL {
        let directory = try TemporaryFolder.make("plugins")
        for name in fixtures {
            try install(try fixture(name), into: directory)
        }
        for name in swift {
            try install(swiftPlugin(name), into: directory)
        }
        return directory
    }

    static func install(_ library: URL, into directory: URL, as fileName: String? = nil) throws {
        let target = directory.appendingPathComponent(fileName ?? library.lastPathComponent)
        try FileManager.default.copyItem(at: library, to: target)
        chmod(target.path, 0o755)
    }

    /// A project with the given pipelines (uuid → metadata.yaml text); `allowedPaths` become its
    /// metadata.yaml `allowed_paths`.
    static func project(pipelines: [String: String], executorCount: Int = 4, allowedPaths: [String] = []) throws -> Project {
        let root = try TemporaryFolder.make("project")
        let allowed = allowedPaths.isEmpty ? "" : "allowed_paths: [\(allowedPaths.map { "'\($0)'" }.joined(separator: ", "))]\n"
        try "project_uuid: test\nexecutor_count: \(executorCount)\n\(allowed)".write(
            to: root.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
        for (uuid, yaml) in pipelines {
            let folder = root.appendingPathComponent("pipelines/\(uuid)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try yaml.write(to: folder.appendingPathComponent("metadata.yaml"), atomically: true, encoding: .utf8)
        }
        return try Project(root: root)
    }

    /// Runs `mage` with arguments; returns exit code, stdout and stderr.
    static func runMage(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        try run(mage, arguments, environment: environment)
    }

    /// Runs a shell command with `input` on its standard input.
    static func runShell(input: [UInt8], _ command: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    /// Live processes whose command line contains `text`, read from /proc.
    static func processes(commandLineContaining text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard pid != getpid(), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }

    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                    in directory: URL? = nil) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

private final class CompiledFixtures: @unchecked Sendable {
    private let lock = NSLock()
    private var libraries: [String: URL] = [:]
    private lazy var directory: URL = try! TemporaryFolder.make("fixtures")

    func library(_ name: String) throws -> URL {
        try lock.withLock {
            if let url = libraries[name] { return url }
            let source = TestEnvironment.fixtureSources.appendingPathComponent("\(name).c")
            let output = directory.appendingPathComponent("lib\(name).so")
            let include = TestEnvironment.repositoryRoot.appendingPathComponent("Sources/PluginAPI/include")
            let cc = Process()
            cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            cc.arguments = ["cc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                            "-I", include.path, source.path, "-o", output.path]
            try cc.run()
            cc.waitUntilExit()
            guard cc.terminationStatus == 0 else { throw MageError.io("cc failed for \(source.path)") }
            libraries[name] = output
            return output
        }
    }
}
