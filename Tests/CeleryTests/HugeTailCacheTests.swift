import Testing

@testable import Celery

/// The rules that decide when a cached huge queue tail is trusted, re-read or dropped.
@Suite struct HugeTailCacheTests {
    private let key = Array("celery".utf8)
    private let huge = BoundedValue.sliced(
        length: HugeTailCache.hugeBytes, head: Array("h".utf8), tail: Array("t".utf8))

    @Test func onlyHugeTailsAreKept() {
        var cache = HugeTailCache()
        cache.record(
            key: key, length: 3, value: .sliced(length: HugeTailCache.hugeBytes - 1, head: [], tail: []), now: 0)
        #expect(cache.decide(key: key, length: 3, now: 1) == .probe)
        cache.record(key: key, length: 3, value: huge, now: 0)
        #expect(cache.decide(key: key, length: 3, now: 1) == .cached(huge))
        // A later read that finds a small tail drops it.
        cache.record(key: key, length: 3, value: .whole(Array("small".utf8)), now: 2)
        #expect(cache.entries.isEmpty)
    }

    @Test func unchangedLengthIsTrustedUntilTheRefresh() {
        var cache = HugeTailCache()
        cache.record(key: key, length: 3, value: huge, now: 0)
        #expect(cache.decide(key: key, length: 3, now: HugeTailCache.refreshInterval - 1) == .cached(huge))
        #expect(cache.decide(key: key, length: 3, now: HugeTailCache.refreshInterval) == .due(huge))
    }

    @Test func grownLengthIsRecheckedSooner() {
        var cache = HugeTailCache()
        cache.record(key: key, length: 3, value: huge, now: 0)
        #expect(cache.decide(key: key, length: 9, now: HugeTailCache.growthRecheckInterval - 1) == .cached(huge))
        #expect(cache.decide(key: key, length: 9, now: HugeTailCache.growthRecheckInterval) == .due(huge))
    }

    @Test func shrunkLengthMeansThePoppedTailIsDropped() {
        var cache = HugeTailCache()
        cache.record(key: key, length: 3, value: huge, now: 0)
        #expect(cache.decide(key: key, length: 2, now: 1) == .probe)
        #expect(cache.entries.isEmpty)
        #expect(cache.decide(key: key, length: 3, now: 2) == .probe)
    }

    @Test func listsNotPolledAreForgotten() {
        var cache = HugeTailCache()
        let a = Array("a".utf8)
        let b = Array("b".utf8)
        cache.record(key: a, length: 1, value: huge, now: 4)
        cache.record(key: b, length: 1, value: huge, now: 4)
        cache.finishPoll(polled: [b])
        #expect(Array(cache.entries.keys) == [b])
    }
}
