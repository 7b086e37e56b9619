import Foundation

/// Who may call a service: `MAGE_API_TOKEN` is the bearer token clients send, and `MAGE_API_AUTH` says
/// which routes need it: `writes` (the default: every route that changes state) or `all` (every route
/// but the ones a load balancer probes). Without a token every route is open.
public struct APIAccess: Sendable, Equatable {
    public enum Scope: String, Sendable, CaseIterable {
        case writes, all
    }

    public var token: String?
    public var scope: Scope

    public init(token: String? = nil, scope: Scope = .writes) {
        self.token = token
        self.scope = scope
    }

    /// Reads `MAGE_API_TOKEN`, `MAGE_API_AUTH` and `MAGE_API_READ_TOKEN_REQUIRED` (`1` is `MAGE_API_AUTH=all`);
    /// refuses an empty token and `all` without a token.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> APIAccess {
        let token = environment["MAGE_API_TOKEN"]
        if token?.isEmpty == true { throw APIAccessError("MAGE_API_TOKEN is set but empty: set a secret or unset it") }
        let scopeText = environment["MAGE_API_AUTH"].flatMap { $0.isEmpty ? nil : $0 } ?? Scope.writes.rawValue
        guard let scope = Scope(rawValue: scopeText.lowercased()) else {
            throw APIAccessError("MAGE_API_AUTH must be writes or all, got '\(scopeText)'")
        }
        var access = APIAccess(token: token, scope: scope)
        // The web server's name for the same switch: reads need the token too.
        switch environment["MAGE_API_READ_TOKEN_REQUIRED"] ?? "" {
        case "", "0", "false": break
        case "1", "true":
            if environment["MAGE_API_AUTH"] == Scope.writes.rawValue {
                throw APIAccessError("MAGE_API_READ_TOKEN_REQUIRED=1 and MAGE_API_AUTH=writes contradict each other")
            }
            access.scope = .all
        case let other:
            throw APIAccessError("MAGE_API_READ_TOKEN_REQUIRED must be 1 or 0, got '\(other)'")
        }
        if access.scope == .all && token == nil {
            throw APIAccessError("MAGE_API_AUTH=all (or MAGE_API_READ_TOKEN_REQUIRED=1) needs MAGE_API_TOKEN")
        }
        return access
    }

    /// The warning to log when a service listens beyond this machine with every route open.
    public func warning(listeningOn host: String) -> String? {
        guard token == nil, !Self.isLoopback(host) else { return nil }
        return "listening on \(host) without MAGE_API_TOKEN: anyone who reaches this address can call every route that changes state"
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

public struct APIAccessError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
