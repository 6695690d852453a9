/// How the table of discovered queues stands after the latest discovery: what a poll reports
/// besides the queues themselves, so a full table is never silent (issue 9).
public struct DiscoveredQueueStats: Equatable, Sendable {
    /// Discovered queues currently sampled (configured queues not included).
    public var tracked: Int
    /// The most discovered queues sampled (``CeleryConfiguration/maxKnownQueues``, `--celery.max-queues`).
    public var limit: Int
    /// Queue names found in bindings at the latest discovery and not sampled because the table was
    /// full of more recently seen queues (binding tables skipped over their own bound included).
    public var ignoredOverLimit: Int
    /// Queue names found at the latest discovery and not sampled because they are longer than
    /// `QueueDirectory.maxNameBytes` (1024) bytes.
    public var ignoredNameTooLong: Int
    /// Sampled queues dropped since start to make room for more recently seen ones.
    public var evicted: UInt64
    /// Queues dropped since start because their binding was gone and their lists empty for
    /// `QueueDirectory.forgetAfterRounds` (3) discoveries in a row (deleted queues).
    public var forgotten: UInt64

    /// Creates the statistics from their fields.
    public init(
        tracked: Int = 0, limit: Int = 0, ignoredOverLimit: Int = 0, ignoredNameTooLong: Int = 0,
        evicted: UInt64 = 0, forgotten: UInt64 = 0
    ) {
        self.tracked = tracked
        self.limit = limit
        self.ignoredOverLimit = ignoredOverLimit
        self.ignoredNameTooLong = ignoredNameTooLong
        self.evicted = evicted
        self.forgotten = forgotten
    }
}
