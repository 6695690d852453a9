/// Settings of a ``Notifier`` that do not come from the alerting configuration file.
public struct NotifierOptions: Sendable {
    /// The `externalURL` field of webhook payloads (the exporter's `--web.external-url`).
    public var externalURL: String
    /// The `User-Agent` of notification requests, e.g. `celery-redis-exporter/1.2.0`.
    public var userAgent: String
    /// Notifications each integration may hold waiting (default 1000).
    public var queueCapacity: Int
    /// Backoff and retry window.
    public var retry: RetryConfiguration
    /// How often the flush thread wakes when no group is due sooner (default 1 s).
    public var tickInterval: Duration
    /// The wall clock (tests inject their own).
    public var clock: @Sendable () -> Double

    /// Options with the documented defaults.
    public init(
        externalURL: String = "", userAgent: String = "celery-redis-exporter", queueCapacity: Int = 1000,
        retry: RetryConfiguration = RetryConfiguration(), tickInterval: Duration = .seconds(1),
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) {
        self.externalURL = externalURL
        self.userAgent = userAgent
        self.queueCapacity = queueCapacity
        self.retry = retry
        self.tickInterval = tickInterval
        self.clock = clock
    }
}
