import Foundation

extension GitState {
    /// The git state of the repository holding `directory`, or nil when there is none (or no git).
    public static func read(at directory: URL) -> GitState? {
        guard let commit = git(["rev-parse", "HEAD"], in: directory) else { return nil }
        let branch = git(["rev-parse", "--abbrev-ref", "HEAD"], in: directory)
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: directory) ?? ""
        return GitState(commit: commit, branch: branch == "HEAD" ? nil : branch, dirty: !status.isEmpty)
    }

    private static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension CodeLineage {
    /// What a run of `pipeline` executes: the project's git state and every plugin library its blocks
    /// come from, with the SHA-256 of the file as loaded.
    public static func capture(project: Project, pipeline: Pipeline, catalog: PluginCatalog) -> CodeLineage {
        // The libraries of the blocks, and every library of declared functions (any block may call them).
        let paths = Set(pipeline.blocks.map(\.kind.libraryPath))
        let plugins = catalog.libraries.filter { paths.contains($0.path) || !$0.functions.isEmpty }.map { library in
            PluginUse(name: library.name, version: library.version, path: library.path,
                      sha256: library.sha256 ?? (try? FileDigest.sha256(of: URL(fileURLWithPath: library.path))),
                      abi: library.abiVersion, blockKinds: library.blockKinds)
        }
        return CodeLineage(git: GitState.read(at: project.root), plugins: plugins)
    }
}
