import Alerting
import Celery
import Exposition

/// What one poll hands the status page: the poll's snapshot (with its one event reading), every
/// metric family it rendered (the event reading's, the notifier's), and the alerts.
struct StatusInputs: Sendable {
    /// The poll.
    var snapshot: Snapshot
    /// Every family `/metrics` serves for this poll.
    var families: [MetricFamily]
    /// The evaluator's alerts after this poll (resolved ones are left out by the model).
    var alerts: [Alert]
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

    /// Worker states (times on the monotonic clock) of the poll's event reading; nil when Celery
    /// events are off.
    var workers: [WorkerRegistry.WorkerStatus]? { snapshot.events?.workers }
}
