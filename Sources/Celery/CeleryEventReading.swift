/// The event monitor's state at one moment, copied under its lock: the worker table, the live
/// result counters and runtimes, and the subscription. A poll takes one
/// (``CeleryEventMonitor/read()``) and everything it reports about workers and live results comes
/// from it: the orphan count (``liveWorkers``, ``incarnationStarts``), `worker_up` and the other
/// Pub/Sub families (``families()``), and the status page's worker rows (``workers``).
public struct CeleryEventReading: Equatable, Sendable {
    /// When it was read, on the monitor's clock (monotonic seconds by default).
    public var readAt: Double
    /// Every worker still shown, sorted by host name (times on the monitor's clock).
    public var workers: [WorkerRegistry.WorkerStatus]
    /// Host names of the workers up at ``readAt``, for orphan detection; nil while the answer
    /// cannot be trusted (see ``WorkerRegistry/liveHostnames(at:)``). The same workers are up in
    /// ``workers``.
    public var liveWorkers: Set<String>?
    /// When the current incarnation of live workers began, on the monitor's clock, for workers
    /// whose start or restart the listener saw; nil when ``liveWorkers`` is nil.
    public var incarnationStarts: [String: Double]?
    /// Result writes received, by state (and task name when the task label is on).
    public var results: [ResultEventCounter.ResultKey: UInt64]
    /// Tasks by state transition, counted once across result writes and task events.
    public var outcomes: [ResultEventCounter.ResultKey: UInt64]
    /// FAILURE outcomes by exception type (and task).
    public var failures: [ResultEventCounter.FailureKey: UInt64]
    /// Tasks that failed with `WorkerLostError`, by task name (nil: the label is off).
    public var workerLost: [String?: UInt64]
    /// Runtimes (task-succeeded `runtime`, else STARTED → outcome writes), by task name (nil: the label is off).
    public var runtimes: [String?: RuntimeHistogram]
    /// Sent (or ETA) → started waits, by task name (nil: the label is off).
    public var queueWaits: [String?: RuntimeHistogram]
    /// Whether results are broken down by task name.
    public var hasTaskLabel: Bool
    /// Task names dropped from the per-task breakdowns at the cap.
    public var taskNamesEvicted: UInt64
    /// Task and exception names counted as `other` because their table was full
    /// (``ResultEventCounter/refusedNames``).
    public var namesRefused: [LabelValueLimit.Kind: UInt64]
    /// The runtime histogram's bucket bounds.
    public var runtimeBuckets: [Double]
    /// Tasks seen STARTED whose outcome has not arrived yet.
    public var runningTasks: Int
    /// Running tasks forgotten at the cap before their outcome arrived.
    public var evictedRunningTasks: UInt64
    /// Entries in the task table.
    public var trackedTasks: Int
    /// Task table entries evicted, by reason (`age`, `capacity`).
    public var evictedTasks: [String: UInt64]
    /// Task events not used, by reason.
    public var discardedTaskEvents: [TaskEventBatch.Discard: UInt64]
    /// Pub/Sub messages received, by channel family.
    public var messages: [CeleryEventMonitor.EventSource: UInt64]
    /// Pub/Sub messages that could not be decoded, by channel family.
    public var decodeErrors: [CeleryEventMonitor.EventSource: UInt64]
    /// Whether the subscription is confirmed now.
    public var isSubscribed: Bool
    /// Subscriptions after the first.
    public var reconnects: Int
    /// Workers forgotten to make room at the worker table's cap.
    public var workersEvicted: UInt64
    /// Worker events whose heartbeat period was clamped.
    public var frequenciesClamped: UInt64
    /// Worker restarts seen.
    public var restarts: UInt64

    /// ``incarnationStarts`` as Unix times, given the Unix time `wallNow` of the same moment as
    /// ``readAt`` (what the result census compares them with).
    public func incarnationStarts(wallNow: Double) -> [String: Double]? {
        incarnationStarts?.mapValues { wallNow - (readAt - $0) }
    }
}
