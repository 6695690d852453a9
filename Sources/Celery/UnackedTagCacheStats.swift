/// The unacked tag cache (``UnackedTagCache``) as of one poll, for its metrics.
public struct UnackedTagCacheStats: Equatable, Sendable {
    /// Delivery tags remembered.
    public var entries = 0
    /// The most tags a poll reads from `unacked_index` and remembers (`--celery.unacked-sample-limit`).
    public var limit = 0
    /// Lookups of tags already remembered, since start.
    public var hits: UInt64 = 0
    /// Tags whose `unacked` value had to be read (new, re-fetched stale, deferred huge), since start.
    public var misses: UInt64 = 0
    /// Remembered tags forgotten because they left `unacked_index`, since start.
    public var evictions: UInt64 = 0
    /// Tasks in flight beyond the limit this poll: counted in the totals, attributed to no queue.
    public var untracked = 0

    /// Creates the stats.
    public init(
        entries: Int = 0, limit: Int = 0, hits: UInt64 = 0, misses: UInt64 = 0, evictions: UInt64 = 0,
        untracked: Int = 0
    ) {
        self.entries = entries
        self.limit = limit
        self.hits = hits
        self.misses = misses
        self.evictions = evictions
        self.untracked = untracked
    }
}
