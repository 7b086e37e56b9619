import Foundation

/// Writes that other processes read: to a temporary file in the same directory, fsync, rename, then
/// fsync the directory, so a reader sees the old file or the whole new one, even across a crash.
public enum AtomicFile {
    /// `permissions` apply to the new file (0644 unless said otherwise, before the umask).
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw MageError.io("cannot create \(temporary.path): \(errnoText())") }
        var ok = false
        defer {
            if !ok { unlink(temporary.path) }
        }
        try data.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    close(fd)
                    throw MageError.io("cannot write \(temporary.path): \(errnoText())")
                }
                written += n
            }
        }
        guard fsync(fd) == 0 else {
            close(fd)
            throw MageError.io("cannot fsync \(temporary.path): \(errnoText())")
        }
        close(fd)
        guard rename(temporary.path, url.path) == 0 else {
            throw MageError.io("cannot rename \(temporary.path) to \(url.path): \(errnoText())")
        }
        ok = true
        let dirFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
