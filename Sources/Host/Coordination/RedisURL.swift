import Foundation

/// Where the Redis server of a deployment is: `REDIS_URL`, in the usual form
/// `redis://[[username]:password@]host[:port][/database]` (port 6379 and database 0 by default).
/// Printed, the password is masked.
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int

    public static let environmentVariable = "REDIS_URL"

    public init(_ text: String) throws {
        let problem = { (why: String) in MageError.usage("\(Self.environmentVariable) '\(Self.masked(text))' \(why); expected redis://[[user]:password@]host[:port][/database]") }
        guard let components = URLComponents(string: text) else { throw problem("is not a URL") }
        guard components.scheme?.lowercased() == "redis" else {
            throw problem("has the scheme '\(components.scheme ?? "")': only redis:// is supported (no TLS)")
        }
        guard let host = components.host, !host.isEmpty else { throw problem("names no host") }
        if let port = components.port, !(1...65_535).contains(port) { throw problem("has port \(port), out of 1-65535") }
        let path = components.path.drop { $0 == "/" }
        guard path.isEmpty || Int(path).map({ $0 >= 0 }) == true else {
            throw problem("has the path '/\(path)': the path is a database number")
        }
        guard components.query == nil else { throw problem("has query parameters, which are not supported") }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 6379
        username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.password
        database = Int(path) ?? 0
    }

    /// `REDIS_URL` when it is set and not empty.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RedisURL? {
        guard let text = environment[environmentVariable], !text.isEmpty else { return nil }
        return try RedisURL(text)
    }

    public var description: String {
        let credentials = password == nil ? (username.map { "\($0)@" } ?? "") : "\(username ?? ""):***@"
        return "redis://\(credentials)\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// The text with any password replaced, for error messages about a URL that did not parse.
    private static func masked(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let schemeEnd = text.range(of: "://")?.upperBound, schemeEnd < at else { return text }
        let credentials = text[schemeEnd..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<credentials.index(after: colon)]) + "***" + String(text[at...])
    }
}
