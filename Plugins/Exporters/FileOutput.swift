import Foundation

/// Output files: paths resolved against the project, written atomically.
public enum FileOutput {
    /// Writes to a temporary file in the same folder, fsyncs it, renames it over `path` and fsyncs the
    /// folder, so a reader sees the previous file or the whole new one, even across a crash. Creates
    /// missing parent folders.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ExportError.io("cannot create the folder \(directory.path): \(error.localizedDescription)")
        }
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError.io("cannot create \(temporary): \(errnoText())") }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write \(temporary): \(errnoText())"
                    return
                }
                written += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot fsync \(temporary): \(errnoText())" }
        close(fd)
        if let failure { throw ExportError.io(failure) }
        guard rename(temporary, url.path) == 0 else {
            throw ExportError.io("cannot rename \(temporary) to \(url.path): \(errnoText())")
        }
        renamed = true
        let dirFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// The project root, from the block's artifact folder
    /// `<root>/.mage_data/pipelines/<pipeline>/runs/<run>/<block>/artifacts`; nil for another layout.
    public static func projectRoot(artifactDirectory: String?) -> String? {
        guard let artifactDirectory else { return nil }
        let parts = artifactDirectory.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 7 else { return nil }
        let tail = parts.suffix(7).map(String.init)
        guard tail[0] == ".mage_data", tail[1] == "pipelines", tail[3] == "runs", tail[6] == "artifacts" else { return nil }
        return "/" + parts.dropLast(7).joined(separator: "/")
    }

    /// An absolute path as it is; a relative one against the project root (else the working folder).
    public static func resolve(_ path: String, projectRoot: String?) -> String {
        if path.hasPrefix("/") { return path }
        let base = projectRoot ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
    }

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}
