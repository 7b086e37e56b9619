import Foundation
import Logging
import MageHost
import ServiceLifecycle

/// Keeps the slot on the version `latest.json` names, whatever moved it (training, promote, rollback, a
/// hand edit, in this process or another). In the steady state a request costs one `poll` on the inotify
/// descriptor; when events are queued the request (or the watcher's thread, whichever comes first) reads
/// the pointer, loads the new version beside the old one and swaps it in. A version that fails to load
/// is refused: the old one keeps serving and the failure shows in `/health` and the log.
public final class ModelFollower: Service, @unchecked Sendable {
    public let slot = ModelSlot()
    let registryRoot: URL
    let latestFile: URL
    let loader: ModelLoader
    let logger: Logger
    private let watcher: RegistryWatcher?
    private let reloadLock = NSLock()
    /// True while a reload that drained events has not swapped yet: a request arriving then waits for it.
    private let reloading = Locked(false)

    public init(project: URL, loader: ModelLoader, logger: Logger) {
        self.registryRoot = project.appendingPathComponent("model_registry")
        self.latestFile = registryRoot.appendingPathComponent("latest.json")
        self.loader = loader
        self.logger = logger
        self.watcher = RegistryWatcher(project: project)
        if watcher == nil { logger.warning("inotify is unavailable: every request reads latest.json") }
        refresh(force: false, reason: "start")
    }

    /// The model that answers a request arriving now.
    public func current() -> ServedModel? {
        guard let watcher else {
            refresh(force: false, reason: "request")
            return slot.model
        }
        if watcher.hasPendingEvents || reloading.current { catchUp() }
        return slot.model
    }

    /// Drains the watch and reloads when the pointer may have moved.
    func catchUp() {
        reloadLock.lock()
        reloading.withLock { $0 = true }
        defer {
            reloading.withLock { $0 = false }
            reloadLock.unlock()
        }
        if watcher?.drain() ?? true { refreshLocked(force: false, reason: "latest.json changed") }
    }

    public enum Outcome: Sendable {
        case loaded(ServedModel)
        case unchanged(ServedModel)
        case noPointer
        case failed(version: String?, error: String)
    }

    /// Reads `latest.json` and loads what it names when it differs from the current model (always when
    /// `force`).
    @discardableResult
    public func refresh(force: Bool, reason: String) -> Outcome {
        reloadLock.lock()
        reloading.withLock { $0 = true }
        defer {
            reloading.withLock { $0 = false }
            reloadLock.unlock()
        }
        _ = watcher?.drain()
        return refreshLocked(force: force, reason: reason)
    }

    private func refreshLocked(force: Bool, reason: String) -> Outcome {
        let pointer: ModelRegistry.Pointer
        do {
            guard let data = FileManager.default.contents(atPath: latestFile.path) else { return .noPointer }
            pointer = try JSONDecoder.iso8601.decode(ModelRegistry.Pointer.self, from: data)
        } catch {
            let message = "cannot read \(latestFile.path): \(error)"
            logger.error("reload refused: \(message)")
            slot.recordFailure(version: nil, error: message)
            return .failed(version: nil, error: message)
        }
        if !force, let current = slot.model, current.version == pointer.version {
            slot.clearFailure()
            return .unchanged(current)
        }
        do {
            let model = try loader.load(pointer)
            slot.swap(in: model)
            logger.info("serving model \(pointer.version) (\(reason))")
            return .loaded(model)
        } catch {
            let message = "cannot load \(pointer.version): \(error)"
            logger.error("reload refused, \(slot.model.map { "still serving \($0.version)" } ?? "no model serving"): \(message)")
            slot.recordFailure(version: pointer.version, error: message)
            return .failed(version: pointer.version, error: message)
        }
    }

    /// Follows events while no request comes, so the swap happens off the request path too.
    public func run() async throws {
        guard let watcher else { return await gracefulShutdownNever() }
        let queue = DispatchQueue(label: "mage.registry-watcher")
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let ready = await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: watcher.wait(milliseconds: 200)) }
            }
            if ready { catchUp() }
        }
    }

    private func gracefulShutdownNever() async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(200)) }
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return ISOTime.parse(text) ?? Date()
        }
        return decoder
    }
}

/// ISO 8601 UTC with milliseconds, as the registry writes it.
enum ISOTime {
    /// On every response: gmtime_r and digits, not a DateFormatter built per call (tens of microseconds).
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let milliseconds = min(999, Int((interval - Double(seconds)) * 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
