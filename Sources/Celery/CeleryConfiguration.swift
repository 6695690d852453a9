/// What the ``Sampler`` needs to know about one Celery deployment on Redis.
///
/// Values mirror Celery/kombu settings of the same name; the bounds keep each poll's Redis work
/// and memory finite however large the deployment (never an unbounded reply).
public struct CeleryConfiguration: Sendable, Equatable {
    /// Queues always sampled (`--celery.queues`), in addition to those discovered from bindings.
    /// They never count against ``maxKnownQueues``.
    public var queues: [String]
    /// kombu's `global_keyprefix` (transport option); prepended to every key, including bindings,
    /// `unacked`, `unacked_index` and the result backend's `celery-task-meta-*`, but not to values
    /// inside sets.
    public var keyPrefix: String
    /// kombu's `visibility_timeout` in seconds (default 3600): an unacked entry older than this is
    /// "stranded", i.e. due for redelivery by the next live worker's sweep.
    public var visibilityTimeout: Double
    /// Minimum seconds between two standalone queue discoveries (`SCAN` over the keyspace is
    /// O(keyspace)). With the census on, discoveries after the first ride on its keyspace walk
    /// (once per census pass) instead, and this only paces the fallback (the larger of 5 × this and
    /// 3 × ``censusInterval``).
    public var discoveryInterval: Double
    /// Whether to discover queues from `_kombu.binding.*` at all; false samples only ``queues``.
    public var discoverQueues: Bool
    /// At most this many oldest `unacked_index` entries are read per poll (`ZRANGE 0 limit-1`) and
    /// remembered in the tag cache (``UnackedTagCache``, about 100 bytes a tag): a memory bound.
    /// Up to it every task in flight is attributed to its queue; totals stay exact (ZCARD/ZCOUNT)
    /// past it, and the newest entries beyond it are counted as untracked.
    public var unackedSampleLimit: Int
    /// At most this many not-yet-classified delivery tags are fetched (`HMGET unacked`) per poll;
    /// the rest are fetched on later polls. Bounds the work one poll can do (the byte budget bounds
    /// each round's bytes); 100,000 tasks already in flight at start-up are all attributed after
    /// ten polls.
    public var unackedClassifyLimit: Int
    /// Upper bound on discovered queues kept (`--celery.max-queues`; configured queues come on top).
    /// Past it the least recently seen queues give way (``DiscoveredQueueStats/evicted``) and the
    /// rest of the new names are ignored and counted (``SampledState/queuesOverLimit``); see `QueueDirectory`.
    public var maxKnownQueues: Int
    /// kombu's separator between a queue name and its priority step, and between binding fields.
    public var separator: [UInt8]
    /// Distinct task names reported with a `task` label in the per-task breakdowns; 0 turns the
    /// breakdowns off. Names are admitted in order of first appearance and stay admitted; later
    /// names are reported as ``TaskNameLimiter/overflowName`` (`other`), so the label set is bounded.
    public var taskNameLimit: Int
    /// Celery's `result_expires` in seconds (default 86400): the TTL every result write sets with
    /// `SETEX`. A STARTED meta's start time is estimated as
    /// `now − (resultExpires − PTTL/1000)`; a wrong value skews only that estimate.
    public var resultExpires: Double
    /// Whether the result-backend census (`SCAN … MATCH <prefix>celery-task-meta-*`) runs at all.
    public var censusEnabled: Bool
    /// Seconds between the starts of two reconciliation passes of the census (a full `SCAN` on
    /// the census thread's own connection, see ``ResultCensus``). Between passes the counts follow
    /// live result writes and predicted expiries; passes catch `forget()` deletions and anything
    /// written while the subscriber was down. The exporter defaults it to 5 m with the Pub/Sub
    /// listener and 45 s without (then passes are the only source of change).
    public var censusInterval: Double
    /// While the listener is attached but not subscribed (writes are being missed), passes start at
    /// least this often.
    public var censusFallbackInterval: Double
    /// A pass spreads its `SCAN` calls evenly over about `min(this, 0.8 × interval)` seconds, so
    /// Redis sees a steady trickle rather than a burst.
    public var censusTargetPassDuration: Double
    /// `COUNT` hint of each census `SCAN` call (buckets Redis visits per call).
    public var censusScanCount: Int
    /// Keyspaces up to this many keys get their own discovery walk every discovery interval even
    /// when the census walk carries discovery (a walk that small is cheap; new queues then appear
    /// within a discovery interval rather than a census interval).
    public var separateDiscoveryKeyspaceLimit: Int = 200_000
    /// Whether Celery's result backend is another database or Redis than the broker
    /// (`--celery.result-backend-url`): the census then walks that keyspace, which holds no kombu
    /// binding tables, so it cannot carry queue discovery (the broker gets its own discovery walks).
    public var resultBackendSeparate = false
    /// Waiting messages of one queue (all priority lists) classified by task name one by one; a
    /// larger queue is estimated from this many of its oldest and newest messages. 0 turns the
    /// breakdown off (it is off too while ``taskNameLimit`` is 0).
    public var queueSampleLimit = 200
    /// Byte budgets for the messages read from queue tails and `unacked` (a round holds at most a
    /// few MiB of values however large the messages in Redis are).
    public var valueReadBudget = ValueReadBudget()

    /// Creates a configuration; every bound has a default sized for a large deployment.
    public init(
        queues: [String] = [], keyPrefix: String = "", visibilityTimeout: Double = 3600,
        discoveryInterval: Double = 60, discoverQueues: Bool = true, unackedSampleLimit: Int = 100_000,
        unackedClassifyLimit: Int = 10_000, maxKnownQueues: Int = 10_000,
        separator: [UInt8] = [0x06, 0x16], taskNameLimit: Int = 0, resultExpires: Double = 86_400,
        censusEnabled: Bool = true, censusInterval: Double = 300, censusFallbackInterval: Double = 45,
        censusTargetPassDuration: Double = 45, censusScanCount: Int = 1_000
    ) {
        self.queues = queues
        self.keyPrefix = keyPrefix
        self.visibilityTimeout = visibilityTimeout
        self.discoveryInterval = discoveryInterval
        self.discoverQueues = discoverQueues
        self.unackedSampleLimit = unackedSampleLimit
        self.unackedClassifyLimit = unackedClassifyLimit
        self.maxKnownQueues = maxKnownQueues
        self.separator = separator
        self.taskNameLimit = taskNameLimit
        self.resultExpires = resultExpires
        self.censusEnabled = censusEnabled
        self.censusInterval = censusInterval
        self.censusFallbackInterval = censusFallbackInterval
        self.censusTargetPassDuration = censusTargetPassDuration
        self.censusScanCount = censusScanCount
    }
}
