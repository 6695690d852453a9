/// What the ``Sampler`` needs to know about one Celery deployment on Redis.
///
/// Values mirror Celery/kombu settings of the same name; the bounds keep each poll's Redis work
/// and memory finite however large the deployment (design.md: "never an unbounded reply").
public struct CeleryConfiguration: Sendable, Equatable {
    /// Queues always sampled (`--celery.queues`), in addition to those discovered from bindings.
    /// They never count against ``maxKnownQueues``.
    public var queues: [String]
    /// kombu's `global_keyprefix` (transport option); prepended to every key, including bindings,
    /// `unacked` and `unacked_index`, but not to values inside sets.
    public var keyPrefix: String
    /// kombu's `visibility_timeout` in seconds (default 3600): an unacked entry older than this is
    /// "stranded", i.e. due for redelivery by the next live worker's sweep (model doc §0.6, §5).
    public var visibilityTimeout: Double
    /// Minimum seconds between two queue discoveries (`SCAN` over the keyspace is O(keyspace)).
    public var discoveryInterval: Double
    /// Whether to discover queues from `_kombu.binding.*` at all; false samples only ``queues``.
    public var discoverQueues: Bool
    /// At most this many oldest `unacked_index` entries are read per poll (`ZRANGE 0 limit-1`).
    /// Totals stay exact (ZCARD/ZCOUNT); the per-queue breakdown covers this sample.
    public var unackedSampleLimit: Int
    /// At most this many not-yet-classified delivery tags are fetched (`HMGET unacked`) per poll;
    /// the rest are fetched on later polls. Bounds the payload bytes one poll can pull.
    public var unackedClassifyLimit: Int
    /// Upper bound on discovered queues kept (configured queues come on top). Past it, newly
    /// discovered names are ignored and counted in ``Snapshot/queuesOverLimit``.
    public var maxKnownQueues: Int
    /// kombu's separator between a queue name and its priority step, and between binding fields.
    public var separator: [UInt8]

    /// Creates a configuration; every bound has a default sized for a large deployment.
    public init(
        queues: [String] = [], keyPrefix: String = "", visibilityTimeout: Double = 3600,
        discoveryInterval: Double = 60, discoverQueues: Bool = true, unackedSampleLimit: Int = 10_000,
        unackedClassifyLimit: Int = 1_000, maxKnownQueues: Int = 10_000,
        separator: [UInt8] = [0x06, 0x16]
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
    }
}
