import Foundation
import Logging
import MageHTTP
import MageHost
import ServiceLifecycle
import Synchronization

/// Keeps the slot on the version `latest.json` names, whatever moved it (training, promote, rollback, a
/// hand edit, in this process or another, on this host or another). It learns of a move from the
/// inotify watch of the registry (this host) and from announcements on Redis (`REDIS_URL`, any host).
/// In the steady state a request costs one `poll` on the inotify descriptor and one atomic load. A
/// request that finds a move pending hands the reload to the follower's own queue and is answered by
/// the model serving now: the new version is loaded beside the old one, off every request's path, and
/// swapped in when it is ready. Only while no model serves at all does a request wait for the load.
/// A version that fails to load is refused: the old one keeps serving and the failure shows in
/// `/health` and the log.
public final class ModelFollower: Service, @unchecked Sendable {
    public let slot = ModelSlot()
    let registryRoot: URL
    let latestFile: URL
    let loader: ModelLoader
    let logger: Logger
    private let watcher: RegistryWatcher?
    /// Whether something other than the file watch tells of moves (Redis announcements).
    private let announced: Bool
    private let reloadLock = NSLock()
    /// Reloads asked for by requests run here, one at a time.
    private let loadQueue = DispatchQueue(label: "mage.model-load")
    /// A reload is queued on `loadQueue` and has not started yet.
    private let reloadQueued = Atomic(false)
    /// An announcement (Redis, or a move made in this process) arrived and has not been acted on yet.
    private let announcementPending = Atomic(false)
    private var inProcessMoves: RegistryMoves.Observation?

    /// - Parameters:
    ///   - fileWatch: follow the registry with inotify (off for a registry on a shared filesystem, where
    ///     inotify misses other hosts' writes).
    ///   - announced: moves are also announced (Redis). With neither, every request reads `latest.json`.
    public init(project: URL, loader: ModelLoader, logger: Logger, fileWatch: Bool = true, announced: Bool = false) {
        self.registryRoot = project.appendingPathComponent("model_registry")
        self.latestFile = registryRoot.appendingPathComponent("latest.json")
        self.loader = loader
        self.logger = logger
        self.announced = announced
        self.watcher = fileWatch ? RegistryWatcher(project: project) : nil
        if watcher == nil && !announced {
            logger.warning("\(fileWatch ? "inotify is unavailable" : "the file watch is off") and no REDIS_URL is set: every request reads latest.json")
        }
        refresh(force: false, reason: "start")
        // A move made in this process marks the pointer stale at once; the next request (or the watcher's
        // thread) loads the new version, not the thread that moved the pointer.
        inProcessMoves = RegistryMoves.observe(registry: registryRoot) { [weak self] in
            self?.announcementPending.store(true, ordering: .releasing)
        }
    }

    /// The model that answers a request arriving now.
    public func current() -> ServedModel? {
        let mayHaveMoved = (watcher == nil && !announced) || watcher?.hasPendingEvents == true
            || announcementPending.load(ordering: .acquiring)
        guard let model = slot.model else {
            // Nothing to answer with: wait for the load (or the one in progress).
            if mayHaveMoved || reloadQueued.load(ordering: .acquiring) { catchUp() }
            return slot.model
        }
        if mayHaveMoved { catchUpInBackground() }
        return model
    }

    /// Queues one catch-up on the follower's queue unless one is queued already.
    private func catchUpInBackground() {
        guard reloadQueued.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        loadQueue.async {
            self.reloadQueued.store(false, ordering: .releasing)
            self.catchUp()
        }
    }

    /// Called by the announcement listener: the pointer has moved somewhere. Requests arriving from now
    /// on wait for the reload, which runs here, off the request path, unless a request gets to it first.
    func pointerMoved() {
        announcementPending.store(true, ordering: .releasing)
        catchUp()
    }

    /// Drains the watch and reloads when the pointer may have moved.
    func catchUp() {
        reloadLock.lock()
        defer { reloadLock.unlock() }
        guard watcher != nil || announced else {
            refreshLocked(force: false, reason: "latest.json read")
            return
        }
        let announcement = announcementPending.exchange(false, ordering: .acquiringAndReleasing)
        let watched = watcher?.drain() ?? false
        if announcement || watched {
            refreshLocked(force: false, reason: announcement ? "announced" : "latest.json changed")
        }
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
        defer { reloadLock.unlock() }
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
            logger.error("reload refused, \(slot.model.map { "still serving \($0.version)" } ?? "no model serving"): cannot load \(pointer.version): \(error)")
            slot.recordFailure(version: pointer.version, error: "\(error)")
            return .failed(version: pointer.version, error: "\(error)")
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
            // The load runs on the follower's queue, never on a thread of the concurrency pool that
            // request handlers share.
            if ready { catchUpInBackground() }
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
    static func format(_ date: Date) -> String { UTCTimestamp(date).text() }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
