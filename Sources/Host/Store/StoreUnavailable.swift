import Foundation

/// The store's database cannot be reached now (PostgreSQL down, restarting, unreachable): the call
/// changed nothing, or — when `unknown` — the connection broke while a statement was in flight and
/// whether it took effect is not known. Long-running services log it and try again later; the web
/// server answers 503.
public struct StoreUnavailable: Error, CustomStringConvertible, LocalizedError {
    public let description: String
    public var errorDescription: String? { description }
}
