import Foundation
import Logging
import MageHost
import ServiceLifecycle
import Synchronization

/// Subscribes to the project's registry channel on Redis (`REDIS_URL`) and hands every announcement to
/// the follower, which re-reads `latest.json` and loads what it names. On its own thread (hiredis
/// blocks). When the connection fails it reconnects with backoff, and after every (re)connection, and
/// every `resyncInterval` besides, it has the follower re-read the pointer: pub/sub delivers at most
/// once, so a message missed while disconnected must not leave the service on an old version.
final class RegistryAnnouncementListener: Service, @unchecked Sendable {
    let redis: RedisURL
    let channel: String
    let follower: ModelFollower
    let resyncInterval: Duration
    let logger: Logger
    private let stopping = Atomic(false)
    /// Subscribed now (tests and /health read it).
    let subscribed = Atomic(false)
    /// Why the last connection failed, for /health.
    let lastError = Locked<String?>(nil)

    init(redis: RedisURL, channel: String, follower: ModelFollower, resyncInterval: Duration, logger: Logger) {
        self.redis = redis
        self.channel = channel
        self.follower = follower
        self.resyncInterval = resyncInterval
        self.logger = logger
    }

    func run() async throws {
        let thread = DispatchQueue(label: "mage.registry-announcements")
        await withTaskCancellationOrGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                thread.async {
                    self.listen()
                    done.resume()
                }
            }
        } onCancelOrGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
        }
    }

    private var shouldStop: Bool { stopping.load(ordering: .acquiring) }

    private func listen() {
        var backoff = Duration.milliseconds(100)
        while !shouldStop {
            do {
                try listenOnce { backoff = .milliseconds(100) }
            } catch {
                subscribed.store(false, ordering: .releasing)
                lastError.withLock { $0 = "\(error)" }
                logger.warning("registry announcements: \(error); reconnecting in \(backoff)")
                sleep(backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        subscribed.store(false, ordering: .releasing)
    }

    /// One connection: subscribe, then wait for messages until it fails or the service stops.
    private func listenOnce(onSubscribed: () -> Void) throws {
        let connection = try RedisConnection(redis)
        guard case .array(let confirmation) = try connection.command(["SUBSCRIBE", channel]),
              confirmation.first == .string("subscribe") else {
            throw MageError.io("Redis at \(redis) did not confirm the subscription to \(channel)")
        }
        subscribed.store(true, ordering: .releasing)
        onSubscribed()
        logger.info("following registry announcements on \(channel) at \(redis)")
        follower.pointerMoved()  // whatever moved while this process was not subscribed
        var lastResync = ContinuousClock.now
        while !shouldStop {
            if let reply = try connection.nextReply(waitingUpTo: 200),
               case .array(let parts) = reply, parts.count == 3, parts[0] == .string("message") {
                follower.pointerMoved()
                lastResync = .now
            }
            if ContinuousClock.now - lastResync >= resyncInterval {
                follower.pointerMoved()
                lastResync = .now
            }
        }
    }

    /// Sleeps up to `duration`, waking early when the service stops.
    private func sleep(_ duration: Duration) {
        let end = ContinuousClock.now + duration
        while !shouldStop, ContinuousClock.now < end { usleep(20_000) }
    }
}
