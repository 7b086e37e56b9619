import Dispatch
import Foundation

/// Runs `body(i)` for every `i` in `0..<count`, on several cores.
///
/// `threads == nil` lets Dispatch balance the iterations over all active cores; a number pins the
/// worker count (each worker takes every `threads`-th iteration), and 1 runs serially. Callers
/// write results into per-iteration slots, so the outcome never depends on scheduling.
func parallelFor(_ count: Int, threads: Int? = nil, _ body: @Sendable (Int) -> Void) {
    guard count > 0 else { return }
    let workers = min(count, max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
    if workers == 1 {
        for i in 0..<count { body(i) }
    } else if threads == nil {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    } else {
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < count {
                body(i)
                i += workers
            }
        }
    }
}

/// Preallocated result slots written from parallel iterations, one slot per iteration (so no two
/// threads ever touch the same slot). `@unchecked Sendable` is sound only under that discipline.
final class Slots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T?>
    let count: Int

    init(_ count: Int) {
        self.count = count
        base = .allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    subscript(i: Int) -> T? {
        get { base[i] }
        set { base[i] = newValue }
    }

    /// All slots, in index order; every slot must have been filled.
    func values() -> [T] { (0..<count).map { base[$0]! } }
}
