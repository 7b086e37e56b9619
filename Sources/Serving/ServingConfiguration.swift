import Foundation
import MageHost

/// How the prediction service runs: where it listens, its input limits and its audit log.
public struct ServingConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// The largest request body accepted; larger bodies get 413. 8 MiB holds a batch of the default
    /// 10,000 rows of 10 features even with every number written at full length.
    public var maxBodyBytes: Int
    /// The most rows one batch may hold; more get 413.
    public var maxBatchRows: Int
    /// Whether every prediction is written to the store's `predictions` table.
    public var auditEnabled: Bool
    /// How long the audit writer waits between batches.
    public var auditFlushInterval: Duration
    /// Where model plugins are searched (defaults to the project's search path).
    public var pluginDirectories: [URL]?
    /// Follow the registry with inotify. Off for a registry on a shared filesystem (NFS), where inotify
    /// misses other hosts' writes: announcements on Redis then tell of every move.
    public var fileWatch: Bool
    /// Redis to hear the registry's announcements from (`REDIS_URL`); nil on one machine.
    public var redis: RedisURL?
    /// With Redis, how often the pointer is re-read anyway, in case an announcement was lost.
    public var resyncInterval: Duration

    public init(host: String = "127.0.0.1", port: Int = 5000, maxBodyBytes: Int = 8 << 20, maxBatchRows: Int = 10_000,
                auditEnabled: Bool = true, auditFlushInterval: Duration = .milliseconds(10), pluginDirectories: [URL]? = nil,
                fileWatch: Bool = true, redis: RedisURL? = nil, resyncInterval: Duration = .seconds(5)) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchRows = maxBatchRows
        self.auditEnabled = auditEnabled
        self.auditFlushInterval = auditFlushInterval
        self.pluginDirectories = pluginDirectories
        self.fileWatch = fileWatch
        self.redis = redis
        self.resyncInterval = resyncInterval
    }
}
