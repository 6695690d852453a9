import Testing

@testable import Redis

@Suite struct ReconnectBackoffTests {
    @Test func doublesFromInitialUpToMaximum() {
        let backoff = ReconnectBackoff()
        let expected: [(Int, Duration)] = [
            (0, .zero), (1, .milliseconds(100)), (2, .milliseconds(200)), (3, .milliseconds(400)),
            (9, .milliseconds(25_600)), (10, .seconds(30)), (1000, .seconds(30)),
        ]
        for (failures, delay) in expected {
            #expect(backoff.nominalDelay(afterFailures: failures) == delay, "after \(failures) failures")
        }
    }

    @Test func jitterOnlyShortens() {
        let backoff = ReconnectBackoff(jitter: 0.2)
        #expect(backoff.delay(afterFailures: 1, random: 0) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 1, random: 0.5) == .milliseconds(90))
        let longest = backoff.delay(afterFailures: 50, random: 0)
        #expect(longest == .seconds(30))
        #expect(backoff.delay(afterFailures: 50, random: 0.999_999) > .seconds(24))
    }
}
