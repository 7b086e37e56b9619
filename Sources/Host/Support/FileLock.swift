import Foundation

/// An exclusive `flock` on a lock file, held while a closure runs, for work that processes sharing a
/// project must do one at a time. The kernel releases it when the holder dies, even by SIGKILL, so a
/// crash never leaves it held. `flock` locks belong to the open file, so two threads of one process
/// exclude each other as two processes do.
public enum FileLock {
    public static func withExclusiveLock<T>(_ file: URL, _ body: () throws -> T) throws -> T {
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MageError.io("cannot open the lock file \(file.path): \(errnoText())") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw MageError.io("cannot lock \(file.path): \(errnoText())") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
