/// What a poll that completed every round trip measured (``PollOutcome/sampled(_:)``).
///
/// ``commandErrors`` may be non-zero: single commands answered with an error reply (e.g.
/// `WRONGTYPE`) and were counted as 0, without failing the poll.
///
/// **Extending it**: a new measurement is a field here with a default in the initializer (the
/// sampler sets it; tests that build a state keep compiling). Measurements of one concern that
/// grow past a few fields belong in a value of their own held here.
public struct SampledState: Equatable, Sendable {
    /// Every known queue, sorted by name.
    public var queues: [QueueSnapshot]
    /// Number of queues sampled (configured plus discovered).
    public var knownQueueCount: Int
    /// Discovered queue names ignored because ``CeleryConfiguration/maxKnownQueues`` was reached
    /// (as of the latest discovery).
    public var queuesOverLimit: Int
    /// The discovered-queue table: size, limit, and what it dropped.
    public var discoveredQueueStats: DiscoveredQueueStats
    /// All delivered-but-unacked messages: `ZCARD unacked_index`, less the stale index members the
    /// sample found (``unackedIndexStale``).
    public var unackedTotal: Int
    /// Unacked messages fetched before `now − visibilityTimeout`: `ZCOUNT`, less the stale index
    /// members among them that the sample found.
    public var strandedTotal: Int
    /// How many of the oldest unacked entries this poll read (≤ ``CeleryConfiguration/unackedSampleLimit``).
    public var unackedSampled: Int
    /// Unacked messages attributed to no queue: `unackedTotal − Σ queues.unacked` (never negative).
    /// It includes entries beyond the sample, tags not yet fetched, undecodable, unknown-queue and
    /// unread entries; never stale index members (``unackedIndexStale``).
    public var unackedUnclassified: Int
    /// Sampled entries whose `unacked` value is not a valid `[message, exchange, routing_key]`.
    public var unackedUndecodable: Int
    /// Sampled `unacked_index` members with no `unacked` hash entry: stale index members (left by
    /// an interrupted ack or restore; kombu's sweep drops them after the visibility timeout), or,
    /// for one poll, tasks acked between our two round trips. Not tasks in flight: they are left
    /// out of ``unackedTotal``, ``strandedTotal``, ``unackedUnclassified`` and orphaned tasks.
    public var unackedIndexStale: Int
    /// Sampled entries whose routing key is not a known queue (non-default routing, or a queue
    /// beyond ``CeleryConfiguration/maxKnownQueues``).
    public var unackedUnknownQueue: Int
    /// Sampled entries too large to read whole whose queue could not be read within the byte budget
    /// (``ValueReadBudget``), by reason; part of ``unackedUnclassified``.
    public var unackedUnread: [UnreadReason: Int]
    /// Error replies (not transport failures) per stage in this poll.
    public var commandErrors: [PollStage: Int]
    /// Whether this poll ran queue discovery.
    public var discoveryRan: Bool
    /// The result-backend census as of its last complete pass; nil while the first pass is still
    /// running and when the census is off.
    public var census: CensusSnapshot?
    /// Orphaned tasks: STARTED metas whose `result.hostname` is not a live worker (the early-ack
    /// task of a killed worker keeps STARTED for a day), plus all stranded unacked entries when no
    /// worker is alive at all (nobody will sweep them). Computed from the live workers of the
    /// poll's one event reading (``Snapshot/events``). Nil when there was no worker information
    /// or the census has not completed a pass yet (the STARTED index would be partial).
    public var orphanedStartedTasks: Int?
    /// Huge reads (one value of at least 8 MiB per poll, read last) that failed on the transport
    /// since the sampler started, typically past the read timeout; the polls went on without them.
    public var hugeReadFailures: Int
    /// Where the poll's duration went, per ``PollPhase``. The sampler fills every phase but
    /// ``PollPhase/rules``, which the exporter sets from its last rule evaluation.
    public var phases: PollPhases
    /// The unacked tag cache: size, limit, hits, misses, evictions, and tasks in flight beyond the
    /// limit.
    public var unackedTagCache: UnackedTagCacheStats
    /// The census's running (or, once done, last) pass: keys walked against `DBSIZE`; nil when the
    /// census is off.
    public var censusProgress: CensusProgress?
    /// The cost of the backlog breakdown since start, and the messages it remembers.
    public var backlogReads = BacklogReadStats()

    /// Creates a sampled state; what a test leaves out reads as "none seen".
    public init(
        queues: [QueueSnapshot], knownQueueCount: Int? = nil, queuesOverLimit: Int = 0,
        discoveredQueueStats: DiscoveredQueueStats = DiscoveredQueueStats(),
        unackedTotal: Int = 0, strandedTotal: Int = 0, unackedSampled: Int = 0,
        unackedUnclassified: Int = 0, unackedUndecodable: Int = 0, unackedIndexStale: Int = 0,
        unackedUnknownQueue: Int = 0, unackedUnread: [UnreadReason: Int] = [:],
        commandErrors: [PollStage: Int] = [:], discoveryRan: Bool = false,
        census: CensusSnapshot? = nil, orphanedStartedTasks: Int? = nil,
        hugeReadFailures: Int = 0, phases: PollPhases = PollPhases(),
        unackedTagCache: UnackedTagCacheStats = UnackedTagCacheStats(), censusProgress: CensusProgress? = nil
    ) {
        self.queues = queues
        self.knownQueueCount = knownQueueCount ?? queues.count
        self.queuesOverLimit = queuesOverLimit
        self.discoveredQueueStats = discoveredQueueStats
        self.unackedTotal = unackedTotal
        self.strandedTotal = strandedTotal
        self.unackedSampled = unackedSampled
        self.unackedUnclassified = unackedUnclassified
        self.unackedUndecodable = unackedUndecodable
        self.unackedIndexStale = unackedIndexStale
        self.unackedUnknownQueue = unackedUnknownQueue
        self.unackedUnread = unackedUnread
        self.commandErrors = commandErrors
        self.discoveryRan = discoveryRan
        self.census = census
        self.orphanedStartedTasks = orphanedStartedTasks
        self.hugeReadFailures = hugeReadFailures
        self.phases = phases
        self.unackedTagCache = unackedTagCache
        self.censusProgress = censusProgress
    }
}
