import Foundation

/// Appends timestamped lines to a block's log file descriptor (the log file itself, or stderr in a
/// child process whose stderr the parent pointed at that file). Safe from several threads.
public final class BlockLog: @unchecked Sendable {
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let lock = NSLock()

    public init(fd: Int32) {
        self.fd = fd
        ownsDescriptor = false
    }

    public init(appendingTo url: URL) throws {
        fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw MageError.io("cannot open log \(url.path): \(errnoText())") }
        ownsDescriptor = true
    }

    deinit { if ownsDescriptor { close(fd) } }

    public func write(_ level: BlockContext.LogLevel, _ message: String) {
        let line = "\(Date().formatted(.iso8601)) \(level.label) \(message)\n"
        lock.withLock {
            _ = line.withCString { Foundation.write(fd, $0, strlen($0)) }
        }
    }
}
