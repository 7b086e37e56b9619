import Foundation

/// Tells every prediction service of a project, on any host, that `latest.json` moved: a Redis PUBLISH
/// of the new pointer on the project's registry channel. inotify sees a rename only on the machine that
/// made it (not across NFS or between hosts), so deployments that share a registry set `REDIS_URL`.
/// Pub/sub delivers at most once; subscribers re-read the pointer when they (re)connect and on a slow
/// timer, so a lost message delays a reload but never leaves a service on a stale version for good.
public struct RegistryAnnouncer: Sendable {
    public let redis: RedisURL
    public let channel: String

    public init(redis: RedisURL, project: Project) {
        self.redis = redis
        channel = Self.channel(project: project)
    }

    /// The announcer `REDIS_URL` asks for; nil when it is not set.
    public static func fromEnvironment(project: Project, _ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RegistryAnnouncer? {
        try RedisURL.fromEnvironment(environment).map { RegistryAnnouncer(redis: $0, project: project) }
    }

    /// `swiftmage:registry:<project_uuid>`.
    public static func channel(project: Project) -> String { "swiftmage:registry:\(project.identifier)" }

    /// Publishes the pointer (the JSON of `latest.json`); returns how many subscribers received it.
    @discardableResult
    public func announce(_ pointer: ModelRegistry.Pointer) throws -> Int {
        let message = String(decoding: try JSON.encode(pointer, pretty: false), as: UTF8.self)
        switch try RedisConnection(redis).command(["PUBLISH", channel, message]) {
        case .integer(let receivers): return Int(receivers)
        case .error(let error): throw MageError.io("Redis at \(redis) refused PUBLISH on \(channel): \(error)")
        case let other: throw MageError.io("Redis at \(redis) answered PUBLISH with \(other)")
        }
    }
}
