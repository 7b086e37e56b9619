import Testing
@testable import MageHost

@Suite struct RetryPolicyTests {
    @Test func constantDelayUntilRetriesRunOut() {
        let policy = RetryPolicy(retries: 2, delay: 3, exponential_backoff: false, max_delay: nil)
        #expect(policy.delay(afterAttempt: 1) == 3)
        #expect(policy.delay(afterAttempt: 2) == 3)
        #expect(policy.delay(afterAttempt: 3) == nil)
    }

    @Test func exponentialBackoffIsCappedByMaxDelay() {
        let policy = RetryPolicy(retries: 5, delay: 1, exponential_backoff: true, max_delay: 5)
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [1, 2, 4, 5, 5])
    }
}
