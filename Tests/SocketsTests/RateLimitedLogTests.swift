import Testing

@testable import Sockets

struct RateLimitedLogTests {
    let second: Int64 = 1_000_000_000

    @Test func oneLinePerIntervalPerKeyWithTheCountHeldBack() {
        let log = RateLimitedLog(interval: .seconds(10))
        #expect(log.admit("emfile", now: 0) == 0)
        for t in 1...5 { #expect(log.admit("emfile", now: Int64(t) * second) == nil) }
        // Another key has its own budget.
        #expect(log.admit("cap", now: 6 * second) == 0)
        // After the interval the next line goes out and says how many were held back.
        #expect(log.admit("emfile", now: 10 * second) == 5)
        #expect(log.admit("emfile", now: 11 * second) == nil)
        #expect(log.admit("emfile", now: 25 * second) == 1)
    }

    @Test func theKeyTableIsCappedAndNeverSilencesANewKey() {
        let log = RateLimitedLog(interval: .seconds(10), maxKeys: 4)
        for k in 0..<4 { #expect(log.admit("k\(k)", now: 0) == 0) }
        // Full of fresh keys: a new key is still written, every time, rather than lost.
        #expect(log.admit("new", now: second) == 0)
        #expect(log.admit("new", now: 2 * second) == 0)
        // Once the old keys have expired they are forgotten and the new key is limited again.
        #expect(log.admit("new", now: 20 * second) == 0)
        #expect(log.admit("new", now: 21 * second) == nil)
    }
}
