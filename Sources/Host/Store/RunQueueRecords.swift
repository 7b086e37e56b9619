import Foundation

/// One guarded move of a pipeline run and, with it, of some of its block runs, in one transaction: it
/// happens only if the run is still in `from` under `owner`, and each block run still in its `from`.
/// Otherwise nothing is written and the store says so. The state machines decide the statuses; the store
/// only checks that nobody moved the rows in between.
public struct RunTransition: Sendable {
    public var runID: Int64
    public var from: PipelineRunStatus
    /// The owner the run must have; nil: no owner (a run not yet claimed).
    public var owner: String?
    /// Only if the owner's lease ran out before this instant (a rescue).
    public var leaseExpiredBefore: Date?
    public var to: PipelineRunStatus
    public var blocks: [BlockRunChange]
    /// Counts one more loss of the run's host process (a rescue).
    public var hostFailure: Bool
    /// Stamps the run timed out (it ran past its trigger's timeout).
    public var timedOut: Bool
    public var at: Date

    public init(runID: Int64, from: PipelineRunStatus, owner: String?, leaseExpiredBefore: Date? = nil,
                to: PipelineRunStatus, blocks: [BlockRunChange] = [], hostFailure: Bool = false, timedOut: Bool = false,
                at: Date = Date()) {
        self.timedOut = timedOut
        self.runID = runID
        self.from = from
        self.owner = owner
        self.leaseExpiredBefore = leaseExpiredBefore
        self.to = to
        self.blocks = blocks
        self.hostFailure = hostFailure
        self.at = at
    }
}

/// A block run moved with its run. To `initial` it starts over: attempts, timings, error and output are
/// cleared. To a final status it is stamped completed at the transition's instant, with `error`.
public struct BlockRunChange: Sendable, Equatable {
    public var block: String
    public var from: BlockRunStatus
    public var to: BlockRunStatus
    public var error: String?

    public init(block: String, from: BlockRunStatus, to: BlockRunStatus, error: String? = nil) {
        self.block = block
        self.from = from
        self.to = to
        self.error = error
    }
}

/// A run its owner still holds after renewing its lease, and whether someone asked to cancel it.
public struct LeaseHold: Sendable, Equatable {
    public var runID: Int64
    public var cancelRequested: Bool

    public init(runID: Int64, cancelRequested: Bool) {
        self.runID = runID
        self.cancelRequested = cancelRequested
    }
}

/// Who holds a run and until when.
public struct Lease: Sendable, Equatable {
    public var owner: String
    public var until: Date

    public init(owner: String, until: Date) {
        self.owner = owner
        self.until = until
    }
}
