import Foundation
import Synchronization

/// In-process notification of moves of a registry's `latest.json`: `ModelRegistry` posts after every
/// rename, and whatever follows the pointer in the same process (the prediction service) hears it at
/// once, whether or not inotify works there. Moves made by other processes arrive through inotify or
/// Redis announcements instead.
public enum RegistryMoves {
    public typealias Observer = @Sendable () -> Void

    /// Keeps an observation alive; dropping it stops the observer.
    public final class Observation: Sendable {
        fileprivate let root: String
        fileprivate let id: UInt64

        fileprivate init(root: String, id: UInt64) {
            self.root = root
            self.id = id
        }

        deinit { RegistryMoves.remove(self) }
    }

    private static let observers = Mutex(State())

    private struct State {
        var next: UInt64 = 0
        var byRoot: [String: [UInt64: Observer]] = [:]
    }

    /// Calls `observer` after every move of `<registry>/latest.json` made in this process.
    public static func observe(registry: URL, _ observer: @escaping Observer) -> Observation {
        let root = registry.standardizedFileURL.path
        let id = observers.withLock { state in
            state.next += 1
            state.byRoot[root, default: [:]][state.next] = observer
            return state.next
        }
        return Observation(root: root, id: id)
    }

    static func post(registry: URL) {
        let root = registry.standardizedFileURL.path
        for observer in observers.withLock({ Array(($0.byRoot[root] ?? [:]).values) }) { observer() }
    }

    private static func remove(_ observation: Observation) {
        observers.withLock { state in
            state.byRoot[observation.root]?[observation.id] = nil
            if state.byRoot[observation.root]?.isEmpty == true { state.byRoot[observation.root] = nil }
        }
    }
}
