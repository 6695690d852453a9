import Exposition
import HTTP
import Redis
import Synchronization

/// What the HTTP side reads: the bytes rendered by the last poll and the facts readiness needs.
/// Written by the poller once per poll, read by every scrape; a `Mutex` guards a small value
/// whose big members (the rendered bodies) are copy-on-write arrays, so readers copy nothing.
public final class ExporterState: Sendable {
    /// One published poll result.
    public struct Published: Sendable {
        /// The four pre-rendered bodies (text, OpenMetrics, each plain and gzip).
        public var rendered: RenderedMetrics
        /// Whether the last poll succeeded.
        public var lastPollSucceeded: Bool
        /// Monotonic time the last poll finished (nil before the first poll).
        public var lastPollMonotonic: Double?
        /// Why the last poll failed, safe to show (no secrets).
        public var lastFailure: String?
        /// Each target's readiness when targets are named (`--targets.file`); empty: the fields
        /// above describe the single target from flags.
        public var targets: [TargetReadiness] = []
    }

    /// The published result and the `/metrics` responses over its bodies, replaced together.
    private struct Current: Sendable {
        var published: Published
        var metrics: MetricsResponses
        /// False until the first poll is published: the bodies then describe no poll at all.
        var polled = false
        /// Scrapes that arrived before the first poll, answered when it is published.
        var waitingForFirstPoll: [FirstPollWaiter] = []
    }

    /// A scrape held until the first poll is published.
    private struct FirstPollWaiter: Sendable {
        var format: ExpositionFormat
        var gzip: Bool
        var response: HTTPDeferredResponse
    }

    /// Most scrapes held at once before the first poll; later ones get the placeholder at once.
    public static let maximumScrapesWaitingForFirstPoll = 256
    /// Longest a scrape waits for the first poll: 5 s (under Prometheus's default 10 s scrape
    /// timeout), or the poll interval when shorter.
    public var firstPollWait: Duration { .milliseconds(Int64(min(5, pollInterval) * 1000)) }
    private let published: Mutex<Current>
    /// The poll interval, for the readiness age limit (3 intervals).
    public let pollInterval: Double

    public init(initial: RenderedMetrics, pollInterval: Double) {
        self.pollInterval = pollInterval
        self.published = Mutex(
            Current(
                published: Published(
                    rendered: initial, lastPollSucceeded: false, lastPollMonotonic: nil, lastFailure: nil),
                metrics: MetricsResponses(initial)))
    }

    /// Replaces the published result (poller thread); the `/metrics` responses over its bodies
    /// are prepared here, once per poll, outside the lock. The first publish also answers the
    /// scrapes that arrived before it.
    public func publish(_ value: Published) {
        let metrics = MetricsResponses(value.rendered)
        let waiting = published.withLock { current -> [FirstPollWaiter] in
            let waiting = current.waitingForFirstPoll
            current = Current(published: value, metrics: metrics, polled: true)
            return waiting
        }
        for waiter in waiting { waiter.response.complete(metrics.response(format: waiter.format, gzip: waiter.gzip)) }
    }

    /// The `/metrics` response for a scrape (HTTP threads). Before the first poll has been
    /// published there is nothing true to say about Redis, so the scrape is held until the first
    /// poll is published, at most ``firstPollWait``; past that (a first poll can be long: a large
    /// keyspace's discovery, a target that does not answer) it gets the placeholder rendered at
    /// start, which has no `celery_redis_up` series at all: a `celery_redis_up 0` there would be a
    /// false "Redis down" at every start.
    public func metricsResponse(format: ExpositionFormat, gzip: Bool) -> HTTPResponse {
        published.withLock { current -> HTTPResponse in
            let placeholder = current.metrics.response(format: format, gzip: gzip)
            if current.polled || current.waitingForFirstPoll.count >= Self.maximumScrapesWaitingForFirstPoll {
                return placeholder
            }
            let pending = HTTPDeferredResponse(fallback: placeholder, after: firstPollWait)
            current.waitingForFirstPoll.append(FirstPollWaiter(format: format, gzip: gzip, response: pending))
            return .deferred(pending)
        }
    }

    /// The current result (HTTP threads).
    public var current: Published { published.withLock { $0.published } }

    /// Bytes of the failure text kept in a readiness reason.
    public static let maximumReasonFailureBytes = 400

    /// Readiness: nil when ready, else the reason. Ready means the last poll succeeded and
    /// finished less than three poll intervals ago; with named targets, that every target's did
    /// (the reason's first line names those that are not, one line per target follows). The failure
    /// text can carry words chosen by the Redis server, so it is escaped and cut
    /// (``RedisError/sanitizedServerText(_:maximumBytes:)``).
    public func notReadyReason(monotonicNow: Double) -> String? {
        let value = current
        guard !value.targets.isEmpty else {
            return Self.reason(
                TargetReadiness(
                    name: nil, lastPollSucceeded: value.lastPollSucceeded,
                    lastPollMonotonic: value.lastPollMonotonic, lastFailure: value.lastFailure),
                monotonicNow: monotonicNow, pollInterval: pollInterval)
        }
        let notReady = value.targets.compactMap { target in
            Self.reason(target, monotonicNow: monotonicNow, pollInterval: pollInterval).map { (target.name ?? "", $0) }
        }
        guard !notReady.isEmpty else { return nil }
        return "\(notReady.count) of \(value.targets.count) targets not ready: "
            + notReady.map(\.0).joined(separator: ", ")
            + notReady.map { "\n\($0.0): \($0.1)" }.joined()
    }

    /// One target's reason, or nil when it is ready.
    static func reason(_ target: TargetReadiness, monotonicNow: Double, pollInterval: Double) -> String? {
        guard let last = target.lastPollMonotonic else { return "no poll of Redis has completed yet" }
        guard target.lastPollSucceeded else {
            let failure = RedisError.sanitizedServerText(
                target.lastFailure ?? "unknown error", maximumBytes: ExporterState.maximumReasonFailureBytes)
            return "last poll of Redis failed: \(failure)"
        }
        let age = monotonicNow - last
        if age > 3 * pollInterval {
            return "last successful poll is \(Int(age))s old (limit: 3 poll intervals = \(Int(3 * pollInterval))s)"
        }
        return nil
    }
}
