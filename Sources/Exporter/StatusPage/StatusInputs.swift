import Celery
import Exposition
import Alerting

/// What one poll hands the status page: the poll's snapshot, every metric family it rendered
/// (the event listener's, the notifier's), the alerts, and the worker registry.
struct StatusInputs: Sendable {
    /// The poll.
    var snapshot: Snapshot
    /// Every family `/metrics` serves for this poll.
    var families: [MetricFamily]
    /// The evaluator's alerts after this poll (resolved ones are left out by the model).
    var alerts: [Alert]
    /// Worker states (times on the monotonic clock); nil when Celery events are off.
    var workers: [WorkerRegistry.WorkerStatus]?
    /// Wall-clock minus monotonic seconds now, to turn the registry's monotonic times into Unix times.
    var monotonicToWall: Double
    /// Unix time the poll finished.
    var now: Double
    /// Unix time of the last successful poll, if any.
    var lastSuccessAt: Double?
    /// `--poll.interval`.
    var pollInterval: Double
    /// Whether the result census runs.
    var censusEnabled: Bool
}
