import Testing
@testable import MageHost

@Suite struct BlockRunStateTests {
    @Test func succeedsOnFirstAttempt() throws {
        var state = BlockRunState(retry: .none)
        #expect(try state.handle(.enqueue) == .none)
        #expect(state.status == .queued)
        try state.handle(.start)
        #expect(state.status == .running && state.attempts == 1)
        #expect(try state.handle(.succeed) == .finished(.completed))
    }

    @Test func retriesThenFailsWhenRetriesRunOut() throws {
        var state = BlockRunState(retry: RetryPolicy(retries: 1, delay: 2, exponential_backoff: false, max_delay: nil))
        try state.handle(.enqueue)
        try state.handle(.start)
        #expect(try state.handle(.fail) == .retry(after: 2))
        #expect(state.status == .queued)
        try state.handle(.start)
        #expect(state.attempts == 2)
        #expect(try state.handle(.fail) == .finished(.failed))
        #expect(state.status == .failed)
    }

    @Test func upstreamFailureAndCancellation() throws {
        var waiting = BlockRunState(retry: .none)
        #expect(try waiting.handle(.upstreamFailed) == .finished(.upstreamFailed))
        var running = BlockRunState(retry: .none)
        try running.handle(.enqueue)
        try running.handle(.start)
        #expect(try running.handle(.cancel) == .finished(.cancelled))
    }

    @Test func refusesIllegalTransitions() throws {
        var state = BlockRunState(retry: .none)
        #expect(throws: BlockRunState.IllegalTransition(from: .initial, event: .start)) { try state.handle(.start) }
        try state.handle(.enqueue)
        try state.handle(.start)
        try state.handle(.succeed)
        #expect(throws: BlockRunState.IllegalTransition.self) { try state.handle(.cancel) }
        #expect(throws: BlockRunState.IllegalTransition.self) { try state.handle(.upstreamFailed) }
    }
}

@Suite struct PipelineRunStateTests {
    @Test func completedOnlyWhenEveryBlockCompleted() throws {
        var ok = PipelineRunState()
        try ok.handle(.start)
        try ok.handle(.blocksFinished([.completed, .completed]))
        #expect(ok.status == .completed)
        var bad = PipelineRunState()
        try bad.handle(.start)
        try bad.handle(.blocksFinished([.completed, .failed, .upstreamFailed]))
        #expect(bad.status == .failed)
        var cancelled = PipelineRunState()
        try cancelled.handle(.start)
        try cancelled.handle(.blocksFinished([.completed, .cancelled]))
        #expect(cancelled.status == .cancelled)
        #expect(throws: PipelineRunState.IllegalTransition.self) { try cancelled.handle(.start) }
    }
}
