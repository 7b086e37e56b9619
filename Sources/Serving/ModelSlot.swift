import Foundation

/// The model that serves, swapped atomically: a request takes the current `ServedModel` once, when it
/// arrives, and finishes on it even if the slot moves on meanwhile. Also keeps the reload history that
/// `/health` and `/metrics` report.
public final class ModelSlot: Sendable {
    public struct ReloadFailure: Sendable, Encodable {
        public var version: String?
        public var error: String
        public var at: Date
    }

    public struct Status: Sendable {
        public var model: ServedModel?
        public var lastReload: Date?
        public var lastFailure: ReloadFailure?
        public var reloads = 0
        public var failures = 0
    }

    private let state = Locked(Status())

    public init() {}

    public var model: ServedModel? { state.withLock { $0.model } }
    public var status: Status { state.current }

    func swap(in model: ServedModel) {
        state.withLock {
            $0.model = model
            $0.lastReload = model.loadedAt
            $0.lastFailure = nil
            $0.reloads += 1
        }
    }

    /// The pointer names the model already serving again: an earlier refusal no longer matters.
    func clearFailure() {
        state.withLock { $0.lastFailure = nil }
    }

    func recordFailure(version: String?, error: String) {
        state.withLock {
            $0.lastFailure = ReloadFailure(version: version, error: error, at: Date())
            $0.failures += 1
        }
    }
}
