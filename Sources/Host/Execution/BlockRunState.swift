/// The one owner of a block run's status. Pure: each event either moves the state and says what the
/// executor must do next, or is refused as an illegal transition.
public struct BlockRunState: Sendable, Equatable {
    public private(set) var status: BlockRunStatus = .initial
    /// Attempts started so far.
    public private(set) var attempts = 0
    public let retry: RetryPolicy

    public init(retry: RetryPolicy) {
        self.retry = retry
    }

    /// The state of a block run as the store holds it (a run claimed again after a retry or a rescue).
    public init(retry: RetryPolicy, status: BlockRunStatus, attempts: Int) {
        self.retry = retry
        self.status = status
        self.attempts = attempts
    }

    public enum Event: Sendable, Equatable {
        case enqueue
        case start
        case succeed
        case fail
        case upstreamFailed
        case cancel
        /// Run it again from the start (retrying a run's failed blocks, or re-queueing a rescued run).
        case reset
        /// The process that ran it stopped (its lease expired): what started failed, what never
        /// started is cancelled.
        case hostStopped
    }

    public enum Action: Sendable, Equatable {
        case none
        /// Run the next attempt after this many seconds.
        case retry(after: Double)
        /// The block reached a final status.
        case finished(BlockRunStatus)
    }

    public struct IllegalTransition: Error, Equatable, CustomStringConvertible {
        public let from: BlockRunStatus
        public let event: Event
        public var description: String { "block run cannot take '\(event)' while \(from.rawValue)" }
    }

    @discardableResult
    public mutating func handle(_ event: Event) throws(IllegalTransition) -> Action {
        switch (status, event) {
        case (.initial, .enqueue):
            status = .queued
            return .none
        case (.queued, .start):
            status = .running
            attempts += 1
            return .none
        case (.running, .succeed):
            status = .completed
            return .finished(.completed)
        case (.running, .fail):
            if let wait = retry.delay(afterAttempt: attempts) {
                status = .queued
                return .retry(after: wait)
            }
            status = .failed
            return .finished(.failed)
        case (.initial, .upstreamFailed), (.queued, .upstreamFailed):
            status = .upstreamFailed
            return .finished(.upstreamFailed)
        case (let s, .cancel) where !s.isFinished:
            status = .cancelled
            return .finished(.cancelled)
        case (.failed, .reset), (.cancelled, .reset), (.upstreamFailed, .reset), (.queued, .reset), (.running, .reset):
            status = .initial
            attempts = 0
            return .none
        case (.running, .hostStopped), (.queued, .hostStopped) where attempts > 0:
            status = .failed
            return .finished(.failed)
        case (.initial, .hostStopped), (.queued, .hostStopped):
            status = .cancelled
            return .finished(.cancelled)
        default:
            throw IllegalTransition(from: status, event: event)
        }
    }
}

/// The pipeline run's status, derived from its blocks' final statuses.
public struct PipelineRunState: Sendable, Equatable {
    public private(set) var status: PipelineRunStatus = .initial

    public init() {}

    public init(status: PipelineRunStatus) {
        self.status = status
    }

    public enum Event: Sendable, Equatable {
        /// A dispatcher claimed it.
        case start
        /// Every block reached a final status; these are they.
        case blocksFinished([BlockRunStatus])
        case cancel
        /// Run its failed and cancelled blocks again: it waits to be claimed once more.
        case retry
        /// The process that owned it stopped; `requeue` when the pipeline asks to run it again.
        case hostStopped(requeue: Bool)
        /// It could not go on (its pipeline no longer loads, the store failed under it).
        case abort
    }

    public struct IllegalTransition: Error, Equatable, CustomStringConvertible {
        public let from: PipelineRunStatus
        public let event: Event
        public var description: String { "pipeline run cannot take '\(event)' while \(from.rawValue)" }
    }

    public mutating func handle(_ event: Event) throws(IllegalTransition) {
        switch (status, event) {
        case (.initial, .start):
            status = .running
        case (.running, .blocksFinished(let blocks)):
            if blocks.contains(.cancelled) { status = .cancelled }
            else if blocks.allSatisfy({ $0 == .completed }) { status = .completed }
            else { status = .failed }
        case (.initial, .cancel), (.running, .cancel):
            status = .cancelled
        case (.failed, .retry), (.cancelled, .retry):
            status = .initial
        case (.running, .hostStopped(let requeue)):
            status = requeue ? .initial : .failed
        case (.running, .abort):
            status = .failed
        default:
            throw IllegalTransition(from: status, event: event)
        }
    }
}
