import Foundation

/// The executor slots of one process, shared by every run it executes: a block attempt holds a slot
/// from its start to its end; a retry waiting for its time holds none. Waiters are served in order, and
/// a waiter whose task is cancelled leaves the queue at once.
public final class ExecutorPool: @unchecked Sendable {
    public let slots: Int
    private let lock = NSLock()
    private var free: Int
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWaiter: UInt64 = 0

    public init(slots: Int) {
        self.slots = max(1, slots)
        free = self.slots
    }

    /// Waits for a slot; false when the task was cancelled first (then it holds none).
    public func acquire() async -> Bool {
        let id: UInt64 = lock.withLock {
            nextWaiter += 1
            return nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let granted: Bool? = lock.withLock {
                    if Task.isCancelled { return false }
                    if free > 0 {
                        free -= 1
                        return true
                    }
                    waiters.append((id, continuation))
                    return nil
                }
                if let granted { continuation.resume(returning: granted) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Bool, Never>? = lock.withLock {
                guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
    }

    public func release() {
        let next: CheckedContinuation<Bool, Never>? = lock.withLock {
            if waiters.isEmpty {
                free = min(slots, free + 1)
                return nil
            }
            return waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }

    /// Slots in use now.
    public var busy: Int { lock.withLock { slots - free } }
}
