/// Everything one poll learned about a Celery deployment: an immutable value, rendered once and
/// evaluated once, so metrics and alerts always agree (design.md).
///
/// **When ``succeeded`` is false** the poll produced nothing current: ``queues`` is empty and every
/// count is 0. The exporter renders `up 0`, the freshness series and
/// `poll_errors_total{stage=failedStage}`, and omits per-queue and unacked series rather than
/// serving stale values as current.
///
/// **Extending it**: later features (the Pub/Sub listener's worker registry and live result
/// counts) add fields with defaults in the initializer (or `var` fields set after construction),
/// so existing callers keep compiling.
///
/// **When it succeeded**, ``commandErrors`` may still be non-zero: single commands answered with an
/// error reply (e.g. `WRONGTYPE`) and were counted as 0, without failing the poll.
public struct Snapshot: Equatable, Sendable {
    /// When the poll started, Unix seconds, as given by the caller.
    public let timestamp: Double
    /// How long the poll took, seconds (monotonic clock).
    public let pollDuration: Double
    /// Whether every round trip completed.
    public let succeeded: Bool
    /// The stage whose round trip failed; nil when the poll succeeded.
    public let failedStage: PollStage?
    /// The failure as text (the executor's error, e.g. a `RedisError`, whose descriptions redact
    /// secrets), for logs and the readiness body only: never a label value. Nil when it succeeded.
    public let failureDescription: String?
    /// Every known queue, sorted by name.
    public let queues: [QueueSnapshot]
    /// Number of queues sampled (configured plus discovered).
    public let knownQueueCount: Int
    /// Discovered queue names ignored because ``CeleryConfiguration/maxKnownQueues`` was reached
    /// (as of the latest discovery).
    public let queuesOverLimit: Int
    /// The discovered-queue table: size, limit, and what it dropped.
    public var discoveredQueueStats: DiscoveredQueueStats
    /// All delivered-but-unacked messages: `ZCARD unacked_index`, less the stale index members the
    /// sample found (``unackedIndexStale``).
    public let unackedTotal: Int
    /// Unacked messages fetched before `now − visibilityTimeout`: `ZCOUNT`, less the stale index
    /// members among them that the sample found.
    public let strandedTotal: Int
    /// How many of the oldest unacked entries this poll read (≤ ``CeleryConfiguration/unackedSampleLimit``).
    public let unackedSampled: Int
    /// Unacked messages attributed to no queue: `unackedTotal − Σ queues.unacked` (never negative).
    /// It includes entries beyond the sample, tags not yet fetched, undecodable, unknown-queue and
    /// unread entries; never stale index members (``unackedIndexStale``).
    public let unackedUnclassified: Int
    /// Sampled entries whose `unacked` value is not a valid `[message, exchange, routing_key]`.
    public let unackedUndecodable: Int
    /// Sampled `unacked_index` members with no `unacked` hash entry: stale index members (left by
    /// an interrupted ack or restore; kombu's sweep drops them after the visibility timeout), or,
    /// for one poll, tasks acked between our two round trips. Not tasks in flight: they are left
    /// out of ``unackedTotal``, ``strandedTotal``, ``unackedUnclassified`` and orphaned tasks.
    public let unackedIndexStale: Int
    /// Sampled entries whose routing key is not a known queue (non-default routing, or a queue
    /// beyond ``CeleryConfiguration/maxKnownQueues``).
    public let unackedUnknownQueue: Int
    /// Sampled entries too large to read whole whose queue could not be read within the byte budget
    /// (``ValueReadBudget``), by reason; part of ``unackedUnclassified``.
    public let unackedUnread: [UnreadReason: Int]
    /// Error replies (not transport failures) per stage in this poll; the poll still succeeded.
    public let commandErrors: [PollStage: Int]
    /// Whether this poll ran queue discovery.
    public let discoveryRan: Bool
    /// The result-backend census as of its last complete pass; nil while the first pass is still
    /// running, when the census is off, and on a failed poll.
    public var census: CensusSnapshot?
    /// Orphaned tasks (issue 3 item 6): STARTED metas whose `result.hostname` is not a live worker
    /// (§5 D1: the early-ack task of a killed worker keeps STARTED for a day), plus all stranded
    /// unacked entries when no worker is alive at all (nobody will sweep them, §0.6). Nil when the
    /// caller passed no worker information (`liveWorkers: nil`) or the census has not completed a
    /// pass yet (the STARTED index would be partial).
    public var orphanedStartedTasks: Int?
    /// Huge reads (one value of at least 8 MiB per poll, read last) that failed on the transport
    /// since the sampler started, typically past the read timeout; the polls went on without them.
    public var hugeReadFailures = 0
    /// The unacked tag cache: size, limit, hits, misses, evictions, and tasks in flight beyond the
    /// limit (all 0 on a failed poll).
    public var unackedTagCache = UnackedTagCacheStats()
    /// The census's running (or, once done, last) pass: keys walked against `DBSIZE`; nil when the
    /// census is off or on a failed poll.
    public var censusProgress: CensusProgress?
    /// Where ``pollDuration`` went, per ``PollPhase`` (all 0 on a failed poll). The sampler fills
    /// every phase but ``PollPhase/rules``, which the exporter sets from its last rule evaluation.
    public var phases = PollPhases()

    /// Creates a snapshot. Fields added by later issues get defaults here, so callers keep compiling.
    public init(
        timestamp: Double, pollDuration: Double, succeeded: Bool, failedStage: PollStage? = nil,
        failureDescription: String? = nil, queues: [QueueSnapshot] = [], knownQueueCount: Int = 0,
        queuesOverLimit: Int = 0, discoveredQueueStats: DiscoveredQueueStats = DiscoveredQueueStats(),
        unackedTotal: Int = 0, strandedTotal: Int = 0, unackedSampled: Int = 0,
        unackedUnclassified: Int = 0, unackedUndecodable: Int = 0, unackedIndexStale: Int = 0,
        unackedUnknownQueue: Int = 0, unackedUnread: [UnreadReason: Int] = [:], commandErrors: [PollStage: Int] = [:], discoveryRan: Bool = false,
        census: CensusSnapshot? = nil, orphanedStartedTasks: Int? = nil
    ) {
        self.timestamp = timestamp
        self.pollDuration = pollDuration
        self.succeeded = succeeded
        self.failedStage = failedStage
        self.failureDescription = failureDescription
        self.queues = queues
        self.knownQueueCount = knownQueueCount
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
    }

    /// A failed poll: nothing current, only the stage and timing. The caller uses it with
    /// `stage: .connect` when it could not obtain a connection to hand to ``Sampler/poll(using:now:liveWorkers:)``.
    public static func failure(
        stage: PollStage, timestamp: Double, pollDuration: Double,
        description: String? = nil, knownQueueCount: Int = 0
    ) -> Snapshot {
        Snapshot(
            timestamp: timestamp, pollDuration: pollDuration, succeeded: false, failedStage: stage,
            failureDescription: description, knownQueueCount: knownQueueCount)
    }
}
