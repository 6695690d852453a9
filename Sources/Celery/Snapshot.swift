/// Everything one poll learned about a Celery deployment, at one moment: an immutable value,
/// rendered once and evaluated once, so metrics, alerts and the status page always agree.
///
/// A poll either sampled Redis (``PollOutcome/sampled(_:)``, with everything it measured) or failed
/// at one stage (``PollOutcome/failed(_:)``, with the stage and the reason and nothing else):
/// readers switch on ``outcome`` rather than checking a flag and trusting zeros. On a failed poll
/// the exporter renders `up 0`, the freshness series and `poll_errors_total{stage}`, and omits
/// per-queue and unacked series rather than serving stale values as current.
///
/// The event-fed state (worker table, live result counters, the subscription) is in ``events``,
/// read from the event monitor **once** per poll, before Redis is sampled: the orphan count of
/// ``SampledState/orphanedStartedTasks`` was computed from its live workers, and `worker_up`,
/// the status page's worker rows and the result rates are rendered from the same value, so a
/// worker that goes down during a poll cannot be both up and the owner of an orphaned task.
/// It is there on a failed poll too: Pub/Sub does not depend on the poll's round trips.
public struct Snapshot: Equatable, Sendable {
    /// When the poll started, Unix seconds, as given by the caller.
    public let timestamp: Double
    /// How long the poll took, seconds (monotonic clock).
    public let pollDuration: Double
    /// What the poll produced.
    public var outcome: PollOutcome
    /// The event monitor's state, read once for this poll; nil when Celery events are off.
    public var events: CeleryEventReading?

    /// Creates a snapshot.
    public init(timestamp: Double, pollDuration: Double, outcome: PollOutcome, events: CeleryEventReading? = nil) {
        self.timestamp = timestamp
        self.pollDuration = pollDuration
        self.outcome = outcome
        self.events = events
    }

    /// What was sampled; nil when the poll failed.
    public var sampled: SampledState? {
        if case .sampled(let state) = outcome { return state }
        return nil
    }

    /// Why the poll failed; nil when it sampled.
    public var failure: PollFailure? {
        if case .failed(let failure) = outcome { return failure }
        return nil
    }

    /// Whether the poll sampled Redis (derived from ``outcome``).
    public var succeeded: Bool { sampled != nil }

    /// A failed poll: nothing current, only the stage, the reason and the timing. The caller uses it
    /// with `stage: .connect` when it could not obtain a connection to hand to the sampler.
    public static func failure(stage: PollStage, timestamp: Double, pollDuration: Double, reason: String) -> Snapshot {
        Snapshot(
            timestamp: timestamp, pollDuration: pollDuration,
            outcome: .failed(PollFailure(stage: stage, reason: reason)))
    }
}
