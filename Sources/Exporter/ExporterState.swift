import Exposition
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
    }

    private let published: Mutex<Published>
    /// The poll interval, for the readiness age limit (3 intervals).
    public let pollInterval: Double

    public init(initial: RenderedMetrics, pollInterval: Double) {
        self.pollInterval = pollInterval
        self.published = Mutex(Published(rendered: initial, lastPollSucceeded: false, lastPollMonotonic: nil, lastFailure: nil))
    }

    /// Replaces the published result (poller thread).
    public func publish(_ value: Published) {
        published.withLock { $0 = value }
    }

    /// The current result (HTTP threads).
    public var current: Published { published.withLock { $0 } }

    /// Bytes of the failure text kept in a readiness reason.
    public static let maximumReasonFailureBytes = 400

    /// Readiness: nil when ready, else a one-line reason. Ready means the last poll succeeded and
    /// finished less than three poll intervals ago. The failure text can carry words chosen by
    /// the Redis server, so it is escaped and cut (``RedisError/sanitizedServerText(_:maximumBytes:)``).
    public func notReadyReason(monotonicNow: Double) -> String? {
        let value = current
        guard let last = value.lastPollMonotonic else { return "no poll of Redis has completed yet" }
        guard value.lastPollSucceeded else {
            let failure = RedisError.sanitizedServerText(
                value.lastFailure ?? "unknown error", maximumBytes: ExporterState.maximumReasonFailureBytes)
            return "last poll of Redis failed: \(failure)"
        }
        let age = monotonicNow - last
        if age > 3 * pollInterval {
            return "last successful poll is \(Int(age))s old (limit: 3 poll intervals = \(Int(3 * pollInterval))s)"
        }
        return nil
    }
}
