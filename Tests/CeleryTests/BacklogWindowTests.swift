import Testing

@testable import Celery

/// The window arithmetic of the backlog stage (``BacklogWindow``): which remembered messages are
/// still in place after kombu's pops, pushes and restores, and what must be read.
@Suite struct BacklogWindowTests {
    private func entries(_ ids: ClosedRange<Int>) -> [BacklogEntry] {
        ids.map { BacklogEntry(identity: UInt64($0), bytes: 100, name: "t\($0 % 2)") }
    }

    private func entry(_ id: Int) -> BacklogEntry { BacklogEntry(identity: UInt64(id), bytes: 100, name: nil) }

    @Test func consumedTailIsDroppedAndOnlyTheNewMessagesAreRead() {
        // Exact: messages 1…10 oldest first; 3 consumed, 4 pushed.
        var window = BacklogWindow(length: 10, oldest: entries(1...10))
        let plan = window.plan(ends: .init(tail: entry(4)), length: 11, wantOldest: 11, wantNewest: 0)
        #expect(window.oldest.map(\.identity) == Array(4...10).map(UInt64.init))
        #expect(plan.oldestRefill == 4)
        #expect(plan.newestRead == 0 && plan.newestRefill == 0)
    }

    @Test func aRestoredMessageAtTheTailMakesTheRunBeReadAgain() {
        // kombu's restore RPUSHes a message the window never held: nothing is provably in place.
        var window = BacklogWindow(length: 5, oldest: entries(1...5))
        let plan = window.plan(ends: .init(tail: entry(99)), length: 6, wantOldest: 6, wantNewest: 0)
        #expect(window.oldest.isEmpty)
        #expect(plan.oldestRefill == 6)
    }

    @Test func sampledHeadIsVerifiedWhenThePushCountIsKnown() {
        // 1000 messages: oldest 1…5 (from the tail), newest 1000…996 (from the head).
        var window = BacklogWindow(
            length: 1_000, oldest: entries(1...5), newest: entries(996...1_000).reversed())
        // 2 consumed at the tail, 3 pushed at the head: read 3 new + 1 that must be 1000.
        let plan = window.plan(
            ends: .init(tail: entry(3), head: entry(1_003)), length: 1_001, wantOldest: 5, wantNewest: 5)
        #expect(plan.oldestRefill == 2)
        #expect(plan.newestRead == 4 && plan.verifyHead)
        window.applyHead([entry(1_003), entry(1_002), entry(1_001), entry(1_000)], verify: true, want: 5)
        #expect(window.newest.map(\.identity) == [1_003, 1_002, 1_001, 1_000, 999])
        // A failed check (the head run moved otherwise): what was read replaces it.
        window.applyHead([entry(7), entry(8)], verify: true, want: 5)
        #expect(window.newest.map(\.identity) == [7, 8])
    }

    @Test func unknownPushCountRereadsTheHeadWindowAndAnUnchangedHeadOnlyRefills() {
        var window = BacklogWindow(length: 1_000, oldest: entries(1...5), newest: [entry(1_000), entry(999)])
        // The tail is not in the window (more consumed than it held): the push count is unknown.
        var plan = window.plan(
            ends: .init(tail: entry(500), head: entry(2_000)), length: 900, wantOldest: 5, wantNewest: 5)
        #expect(plan.oldestRefill == 5)
        #expect(plan.newestRead == 5 && !plan.verifyHead)
        #expect(window.newest.isEmpty)
        // Head unchanged: the short head run is only topped up from its inner end.
        window = BacklogWindow(length: 1_000, oldest: entries(1...5), newest: [entry(1_000), entry(999)])
        plan = window.plan(ends: .init(tail: entry(1), head: entry(1_000)), length: 1_000, wantOldest: 5, wantNewest: 5)
        #expect(plan.oldestRefill == 0 && plan.newestRead == 0)
        #expect(plan.newestRefill == 3)
    }
}
