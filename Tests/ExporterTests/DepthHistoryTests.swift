import Testing

@testable import Exporter

/// Issue 12: the sparkline history is a bounded ring per queue that heals when queues go away.
@Suite struct DepthHistoryTests {
    let t0 = 1_800_000_000.0  // a multiple of the 30 s slot

    @Test func keepsTheLargestDepthPerSlotNewestLast() {
        var h = DepthHistory()
        h.record([("a", 5)], at: t0)
        h.record([("a", 9)], at: t0 + 10)
        h.record([("a", 2)], at: t0 + 20)
        h.record([("a", 4)], at: t0 + 30)
        let values = h.values(for: "a", at: t0 + 30)
        #expect(values.count == DepthHistory.slotCount)
        #expect(values.suffix(2) == [9, 4])
        #expect(values.dropLast(2).allSatisfy { $0 == nil })
    }

    @Test func slotsWithoutAPollAreGapsAndAnHourLaterTheyAreGone() {
        var h = DepthHistory()
        h.record([("a", 1)], at: t0)
        h.record([("a", 3)], at: t0 + 90)  // two slots skipped
        #expect(h.values(for: "a", at: t0 + 90).suffix(4) == [1, nil, nil, 3])
        // Viewed later without new polls, the newest value moves left; after an hour it is gone.
        #expect(h.values(for: "a", at: t0 + 150).suffix(3) == [3, nil, nil])
        h.record([("a", 7)], at: t0 + 90 + 3600)
        #expect(h.values(for: "a", at: t0 + 90 + 3600).compactMap { $0 } == [7])
    }

    @Test func forgetsQueuesThatLeaveAndKeepsTheDeepestPastTheCap() {
        var h = DepthHistory(maximumQueues: 2)
        h.record([("a", 1), ("b", 2), ("c", 3)], at: t0)
        #expect(h.count == 2 && h.untracked == 1)
        #expect(h.values(for: "a", at: t0).isEmpty && h.values(for: "c", at: t0).last == 3)
        // "b" leaves: its room goes to "a", which is here now.
        h.record([("a", 1), ("c", 3)], at: t0 + 30)
        #expect(h.count == 2 && h.untracked == 0)
        #expect(h.values(for: "b", at: t0 + 30).isEmpty)
        #expect(h.values(for: "a", at: t0 + 30).last == 1)
        // A queue that backs up takes the place of the shallowest; ties keep the tracked one.
        h.record([("a", 1), ("c", 3), ("d", 50)], at: t0 + 60)
        #expect(h.values(for: "d", at: t0 + 60).last == 50 && h.values(for: "a", at: t0 + 60).isEmpty)
        h.record([("a", 3), ("c", 3), ("d", 50)], at: t0 + 90)
        #expect(h.values(for: "c", at: t0 + 90).suffix(4) == [3, 3, 3, 3] && h.untracked == 1)
    }

    @Test func aClockSteppingBackWritesTheNewestSlotNotThePast() {
        var h = DepthHistory()
        h.record([("a", 1)], at: t0 + 300)
        h.record([("a", 8)], at: t0)  // wall clock stepped back 5 minutes
        let values = h.values(for: "a", at: t0 + 300)
        #expect(values.last == 8)
        #expect(values.compactMap { $0 } == [8])
    }
}
