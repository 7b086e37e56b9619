import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// inotify on the project's `model_registry/` folder (and on the project folder until the registry
/// exists). `latest.json` is replaced by a rename, which the kernel queues as an event before `rename`
/// returns: so a non-blocking look at the descriptor (one `poll`, no disk I/O) tells a request whether
/// the pointer may have moved since the last reload.
final class RegistryWatcher: @unchecked Sendable {
    private let project: URL
    private let fd: Int32
    private var registryWatch: Int32 = -1
    private var projectWatch: Int32 = -1
    private let lock = NSLock()

    /// Nil when inotify is unavailable.
    init?(project: URL) {
        self.project = project
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.fd = fd
        projectWatch = inotify_add_watch(fd, project.path, UInt32(IN_CREATE | IN_MOVED_TO))
        _ = watchRegistry()
    }

    deinit { close(fd) }

    var descriptor: Int32 { fd }

    /// Whether events are queued: cheap, no disk access.
    var hasPendingEvents: Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    /// Waits up to `milliseconds` for events.
    func wait(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    /// Reads every queued event; true when one may concern `latest.json` (or the registry folder itself).
    func drain() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        var relevant = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, mask, length, name) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int, String) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let bytes = raw[nameStart..<(nameStart + Int(event.len))].prefix { $0 != 0 }
                    return (event.wd, event.mask, Int(event.len), String(decoding: bytes, as: UTF8.self))
                }
                offset += MemoryLayout<inotify_event>.size + length
                if wd == registryWatch {
                    if name == "latest.json" || mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0 { relevant = true }
                    if mask & UInt32(IN_IGNORED) != 0 { registryWatch = -1 }
                } else if wd == projectWatch, name == "model_registry" {
                    relevant = true
                }
            }
        }
        if registryWatch < 0, watchRegistry() { relevant = true }
        return relevant
    }

    private func watchRegistry() -> Bool {
        let path = project.appendingPathComponent("model_registry").path
        let mask = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF)
        let wd = inotify_add_watch(fd, path, mask)
        registryWatch = wd
        return wd >= 0
    }
}
