import Foundation
import MageHTTP
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
    /// Whether an answer waits for its audit row's commit (`durable`) or goes out first (`batched`).
    public var auditMode: AuditMode
    /// Batched mode: how long the audit writer waits between batches.
    public var auditFlushInterval: Duration
    /// The most audit rows waiting for the store; past it, durable requests get 503 and batched rows are
    /// dropped (counted in `/metrics`).
    public var auditQueueLimit: Int
    /// Where model plugins are searched (defaults to the project's search path).
    public var pluginDirectories: [URL]?
    /// Follow the registry with inotify. Off for a registry on a shared filesystem (NFS), where inotify
    /// misses other hosts' writes: announcements on Redis then tell of every move.
    public var fileWatch: Bool
    /// Redis to hear the registry's announcements from (`REDIS_URL`); nil on one machine.
    public var redis: RedisURL?
    /// With Redis, how often the pointer is re-read anyway, in case an announcement was lost.
    public var resyncInterval: Duration
    /// The bearer token and which routes need it (`MAGE_API_TOKEN`, `MAGE_API_AUTH`).
    public var access: APIAccess
    /// Header-read and idle timeouts, and the drain after an early answer.
    public var connections: ConnectionLimits

    public init(host: String = "127.0.0.1", port: Int = 5000, maxBodyBytes: Int = 8 << 20, maxBatchRows: Int = 10_000,
                auditEnabled: Bool = true, auditMode: AuditMode = .batched, auditFlushInterval: Duration = .milliseconds(10),
                auditQueueLimit: Int = 100_000, pluginDirectories: [URL]? = nil,
                fileWatch: Bool = true, redis: RedisURL? = nil, resyncInterval: Duration = .seconds(5),
                access: APIAccess = .init(), connections: ConnectionLimits = .init()) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.maxBatchRows = maxBatchRows
        self.auditEnabled = auditEnabled
        self.auditMode = auditMode
        self.auditFlushInterval = auditFlushInterval
        self.auditQueueLimit = auditQueueLimit
        self.pluginDirectories = pluginDirectories
        self.fileWatch = fileWatch
        self.redis = redis
        self.resyncInterval = resyncInterval
        self.access = access
        self.connections = connections
    }
}
