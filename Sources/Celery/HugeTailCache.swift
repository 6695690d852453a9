/// Keeps the decoded slices of huge queue tails between polls, so Redis does not copy a huge list
/// element into Lua on every poll (``SliceScript``: `LINDEX` materialises the whole element even
/// when only 32 KiB come back; three 400 MB tails took seconds of Redis time per poll, stalled the
/// workers and timed the poll out, so `celery_redis_up` read 0 while Redis was up).
///
/// A tail is *huge* when the script reports it at least ``hugeBytes`` long. kombu pops from the
/// tail end (`BRPOP`, right) and producers push at the other end (`LPUSH`, left), so while a
/// list's `LLEN` (read every poll in the main round) stays equal the tail is normally unchanged,
/// and an `LLEN` that went down means the tail was consumed. Per list:
/// - `LLEN` lower than at the read: the tail was popped; the entry is dropped and the list is
///   probed again like any unknown tail;
/// - `LLEN` equal: the cached fields are used for up to ``refreshInterval``;
/// - `LLEN` higher: pushes at the head are the common case (tail unchanged), but a restore
///   (`RPUSH`) or a pop plus more pushes change the tail, so the cached fields are used
///   for up to ``growthRecheckInterval`` only;
/// - then the tail is *due*: it is re-read in its turn (``HugeReadTurns``: at most one huge read
///   per poll, least recently attempted first); until then the cached fields are used.
///
/// Blind spot: a pop and a push between two polls leave `LLEN` equal with a different tail; the
/// cached fields (the consumed message's age) are then used until the ``refreshInterval`` refresh.
/// With a higher `LLEN`, the same for at most ``growthRecheckInterval``.
///
/// Memory: one entry (≤ 2 × ``ValueReadBudget/sliceBytes``) per non-empty priority list with a
/// huge tail; entries of lists that are empty or no longer polled are dropped every poll.
struct HugeTailCache {
    /// A tail at least this long is huge: cached, and read at most once per poll. 8 MiB: copying it
    /// costs Redis a few milliseconds, so ordinary large messages (the 700 KB ones of issue 9) are
    /// still read every poll, while 100 MB ones are not.
    static let hugeBytes = 8 << 20
    /// The probe flags a list as possibly holding a huge tail when `MEMORY USAGE` is at least
    /// ``hugeBytes`` and at least this much per element (a long list of small messages is not
    /// flagged).
    static let probeBytesPerElement = 1 << 20
    /// Seconds a cached tail is trusted while `LLEN` is unchanged.
    static let refreshInterval: Double = 600
    /// Seconds a cached tail is trusted while `LLEN` has grown.
    static let growthRecheckInterval: Double = 60

    struct Entry: Equatable {
        var length: Int64
        var value: BoundedValue
        var readAt: Double
    }

    /// What to do with one non-empty list this poll.
    enum Decision: Equatable {
        /// Use these cached slices.
        case cached(BoundedValue)
        /// Re-read in turn; until then use these cached slices.
        case due(BoundedValue)
        /// Not cached: read it with the size probe.
        case probe
    }

    private(set) var entries: [[UInt8]: Entry] = [:]

    /// The decision for `key` whose `LLEN` is `length` now.
    mutating func decide(key: [UInt8], length: Int64, now: Double) -> Decision {
        guard let entry = entries[key] else { return .probe }
        if length < entry.length {
            entries[key] = nil
            return .probe
        }
        let limit = length == entry.length ? HugeTailCache.refreshInterval : HugeTailCache.growthRecheckInterval
        return now - entry.readAt < limit ? .cached(entry.value) : .due(entry.value)
    }

    /// Records what a read of `key` (whose `LLEN` was `length`) returned: keeps it when huge.
    mutating func record(key: [UInt8], length: Int64, value: BoundedValue, now: Double) {
        if case .sliced(let bytes, _, _) = value, bytes >= HugeTailCache.hugeBytes {
            entries[key] = Entry(length: length, value: value, readAt: now)
        } else {
            entries[key] = nil
        }
    }

    /// Ends a poll: forgets every list not polled non-empty in it.
    mutating func finishPoll(polled: Set<[UInt8]>) {
        entries = entries.filter { polled.contains($0.key) }
    }
}
