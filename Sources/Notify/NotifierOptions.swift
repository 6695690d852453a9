import Sockets

/// Settings of a ``Notifier`` that do not come from the alerting configuration file.
public struct NotifierOptions: Sendable {
    /// The `externalURL` field of webhook payloads (the exporter's `--web.external-url`).
    public var externalURL: String
    /// The `User-Agent` of notification requests, e.g. `celery-redis-exporter/1.2.0`.
    public var userAgent: String
    /// Bytes all pending notifications may hold together (default 48 MiB; see ``ByteBudget``).
    public var byteBudget: Int
    /// Backoff, floors and caps of retries.
    public var retry: RetryConfiguration
    /// How often the flush thread wakes when no group is due sooner (default 1 s).
    public var tickInterval: Duration
    /// The `--storage.path` directory holding the delivery record, nil for none.
    public var storagePath: String?
    /// Least seconds between two writes of the delivery record (default 5; also at shutdown).
    public var storageInterval: Double
    /// The wall clock (tests inject their own).
    public var clock: @Sendable () -> Double

    /// Options with the documented defaults.
    public init(
        externalURL: String = "", userAgent: String = "celery-redis-exporter", byteBudget: Int = 48 << 20,
        retry: RetryConfiguration = RetryConfiguration(), tickInterval: Duration = .seconds(1),
        storagePath: String? = nil, storageInterval: Double = 5,
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) {
        self.externalURL = externalURL
        self.userAgent = userAgent
        self.byteBudget = byteBudget
        self.retry = retry
        self.tickInterval = tickInterval
        self.storagePath = storagePath
        self.storageInterval = storageInterval
        self.clock = clock
    }
}
