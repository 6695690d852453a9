import Testing

@testable import Celery

/// Which huge value gets the poll's one huge read, and the pause after a failed one.
struct HugeReadTurnsTests {
    private let a = Array("a".utf8)
    private let b = Array("b".utf8)

    @Test func leastRecentlyAttemptedGoesFirst() {
        var turns = HugeReadTurns()
        #expect(turns.choose([a, b], now: 0) == a)
        turns.finish(a, succeeded: true, now: 0)
        #expect(turns.choose([a, b], now: 1) == b)
        turns.finish(b, succeeded: true, now: 1)
        #expect(turns.choose([a, b], now: 2) == a)
        #expect(turns.choose([], now: 3) == nil)
    }

    @Test func aFailedReadWaitsDoublingUpToTheCapAndASuccessClearsIt() {
        var turns = HugeReadTurns()
        var now = 0.0
        var expectedDelay = HugeReadTurns.firstRetryDelay
        for failures in 1...8 {
            #expect(turns.choose([a], now: now) == a)
            turns.finish(a, succeeded: false, now: now)
            #expect(turns.failureCount(a) == failures)
            #expect(turns.choose([a], now: now + expectedDelay - 0.5) == nil, "waits \(expectedDelay) s")
            now += expectedDelay
            expectedDelay = min(HugeReadTurns.maximumRetryDelay, expectedDelay * 2)
        }
        #expect(HugeReadTurns.retryDelay(afterFailures: 1_000) == HugeReadTurns.maximumRetryDelay)
        #expect(turns.choose([a], now: now) == a)
        turns.finish(a, succeeded: true, now: now)
        #expect(turns.failureCount(a) == 0)
        #expect(turns.choose([a], now: now + 0.1) == a)
    }

    @Test func aWaitingCandidateDoesNotBlockOthersAndForgottenOnesStartFresh() {
        var turns = HugeReadTurns()
        _ = turns.choose([a, b], now: 0)
        turns.finish(a, succeeded: false, now: 0)
        #expect(turns.choose([a, b], now: 1) == b)
        turns.finishPoll(offered: [b])  // a's list emptied: forgotten
        #expect(turns.failureCount(a) == 0)
        #expect(turns.isReady(a, now: 2))
    }
}
