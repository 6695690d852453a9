/// Settings of the Pub/Sub side of the exporter: which channels to subscribe to, how worker
/// liveness is judged and how much memory the live result counters may use.
///
/// Every bound exists because the inputs are user data arriving at the publishers' rate (one
/// message per result write and per worker every 2 s): the label sets and the
/// tables must stay finite however many tasks and workers a deployment has.
public struct CeleryEventConfiguration: Sendable, Equatable {
    /// kombu's `global_keyprefix`. Pub/Sub channels carry it too (observed with celery 5.7):
    /// `P celery-task-meta-<id>` and `P/<db>.celeryev/worker.heartbeat`.
    public var keyPrefix: String
    /// The broker's database number, which kombu writes into the fanout channel names
    /// (`/<db>.celeryev/...`); normally the database of the Redis URL.
    public var database: Int
    /// Distinct task names given their own `task` label value (`result_extended` metas carry
    /// `name`); later names report as `other`. 0 (default) leaves the `task` label out.
    public var taskNameLimit: Int
    /// Upper bounds of `celery_redis_task_runtime_seconds`, strictly increasing.
    public var runtimeBuckets: [Double]
    /// Most tasks in the task table (``TaskTable``: names for events that carry only a uuid,
    /// sent and start times, what was counted); the oldest are evicted (and counted) beyond it.
    /// About ``TaskTable/approximateBytesPerEntry`` bytes each (measured): 100,000 entries take
    /// about 36 MB; a steady workload holds its tasks in flight plus one minute of finished ones.
    public var maxTrackedTasks: Int
    /// Seconds an unfinished task stays in the table before it is evicted (default 86400,
    /// Celery's default `result_expires`: a task still running after a day is not timed).
    public var trackedTaskMaxAge: Double
    /// Seconds a finished task stays in the table (default 60), so the same outcome reported by
    /// the other source (a result write and a `-E` event), or an event batch trailing a result
    /// write, is recognised and not counted twice.
    public var finishedTaskLinger: Double
    /// Distinct exception type names of `celery_redis_task_failures_total` (default 50); later
    /// ones count as `other` (names unseen for an hour give way).
    public var exceptionNameLimit: Int
    /// Heartbeat period assumed for a worker whose heartbeat carries no usable `freq` (Celery's
    /// default is 2 s).
    public var defaultHeartbeatFrequency: Double
    /// A worker is down once no heartbeat came for this many of its periods (default 3, as
    /// Celery's own `celery events` monitor judges it).
    public var missedHeartbeats: Double
    /// Seconds a down worker stays in the output (with `celery_redis_worker_up 0`) before its
    /// series are dropped (default 3600).
    public var workerForgetAfter: Double
    /// Most workers tracked (default 1000, `--celery.max-workers`). Host names are label values, so
    /// this bounds the series count. When a new host name arrives with the table full, the worker
    /// down longest (else silent longest) is forgotten and counted: forged heartbeats cannot lock
    /// real workers out.
    public var maxWorkers: Int
    /// Heartbeat periods outside this range are clamped into it (default 1 s to 300 s). Anyone who
    /// can publish can announce any `freq`: 10¹² would keep a forged worker "up" for ever, 10⁻⁶
    /// would mark a real one down between two heartbeats. Celery's default is 2 s. A real worker
    /// with a longer period is still judged correctly up to `missedHeartbeats × 300` s (15 min).
    public var heartbeatFrequencyRange: ClosedRange<Double>
    /// How long the subscription must have been up before the set of live workers is trusted
    /// for orphan detection (default: one liveness window, `missedHeartbeats × defaultHeartbeatFrequency`).
    /// After a reconnect the wait is shorter: one heartbeat period of the slowest known worker, at
    /// most this (see ``WorkerRegistry/liveHostnames(at:)``).
    public var startupGrace: Double?

    /// Celery-oriented runtime buckets: sub-second tasks up to hour-long batch jobs.
    public static let defaultRuntimeBuckets: [Double] = [
        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
    ]

    /// Creates a configuration; the defaults match Celery's defaults and a large deployment.
    public init(
        keyPrefix: String = "", database: Int = 0, taskNameLimit: Int = 0,
        runtimeBuckets: [Double] = CeleryEventConfiguration.defaultRuntimeBuckets,
        maxTrackedTasks: Int = 100_000, trackedTaskMaxAge: Double = 86_400, finishedTaskLinger: Double = 60,
        exceptionNameLimit: Int = 50,
        defaultHeartbeatFrequency: Double = 2, missedHeartbeats: Double = 3,
        workerForgetAfter: Double = 3_600, maxWorkers: Int = 1_000, startupGrace: Double? = nil,
        heartbeatFrequencyRange: ClosedRange<Double> = 1...300
    ) {
        self.heartbeatFrequencyRange = heartbeatFrequencyRange
        self.keyPrefix = keyPrefix
        self.database = database
        self.taskNameLimit = taskNameLimit
        self.runtimeBuckets = runtimeBuckets
        self.maxTrackedTasks = maxTrackedTasks
        self.trackedTaskMaxAge = trackedTaskMaxAge
        self.finishedTaskLinger = finishedTaskLinger
        self.exceptionNameLimit = exceptionNameLimit
        self.defaultHeartbeatFrequency = defaultHeartbeatFrequency
        self.missedHeartbeats = missedHeartbeats
        self.workerForgetAfter = workerForgetAfter
        self.maxWorkers = maxWorkers
        self.startupGrace = startupGrace
    }

    /// ``startupGrace`` or its default.
    public var effectiveStartupGrace: Double {
        startupGrace ?? missedHeartbeats * defaultHeartbeatFrequency
    }

    /// The channel names this configuration listens to (see ``CeleryEventChannels``).
    public var channels: CeleryEventChannels {
        CeleryEventChannels(keyPrefix: keyPrefix, database: database)
    }
}
