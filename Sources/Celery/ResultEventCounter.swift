/// Live counts of result writes, runtimes and worker-lost failures, from the result channels.
///
/// Celery's worker publishes the meta JSON of every state write on `P celery-task-meta-<id>`: STARTED (with `task_track_started`), RETRY, SUCCESS, FAILURE,
/// REVOKED and custom states. Each write is counted once by state; a runtime is observed when both
/// the STARTED and the final (SUCCESS or FAILURE) write of a task were received (receipt times,
/// see ``TaskRunTable``); FAILURE metas with `exc_type` `WorkerLostError` (a pool child killed
/// under `acks_late`) are counted apart as well.
///
/// The `task` label, when enabled, uses `name` from `result_extended` metas, capped by a
/// ``TaskNameLimiter``; without `result_extended` every write reports as `other`.
///
/// A pure value: every method takes `now`.
public struct ResultEventCounter: Sendable {
    /// A label combination of `celery_redis_task_results_total`.
    public struct ResultKey: Hashable, Sendable {
        /// The state label value (`SUCCESS`, …, `other`).
        public var state: String
        /// The task label value, nil when the breakdown is off.
        public var task: String?
    }

    /// The settings used.
    public let configuration: CeleryEventConfiguration
    /// Writes by state (and task).
    public private(set) var results: [ResultKey: UInt64] = [:]
    /// WorkerLostError failures by task label (nil key when the breakdown is off).
    public private(set) var workerLost: [String?: UInt64] = [:]
    /// Runtime histograms by task label (nil key when the breakdown is off).
    public private(set) var runtimes: [String?: RuntimeHistogram] = [:]

    private var names: TaskNameLimiter
    private var runs: TaskRunTable

    /// Creates empty counters.
    public init(configuration: CeleryEventConfiguration) {
        self.configuration = configuration
        self.names = TaskNameLimiter(limit: configuration.taskNameLimit)
        self.runs = TaskRunTable(capacity: configuration.maxTrackedTasks, maxAge: configuration.trackedTaskMaxAge)
    }

    /// Whether the `task` label is in use.
    public var hasTaskLabel: Bool { names.isEnabled }

    /// STARTED writes still waiting for their final write.
    public var runningTasks: Int { runs.runningCount }

    /// STARTED writes evicted (too old or table full) before their final write arrived.
    public var evictedRunningTasks: UInt64 { runs.evictedRunning }

    /// Task ids remembered for pairing (running and recently finished).
    public var trackedTasks: Int { runs.count }

    /// Applies one result write received at `now`.
    public mutating func record(_ result: CeleryEvent.TaskResult, at now: Double) {
        var task: String?
        if names.isEnabled {
            names.advance(to: now)
            let (label, evicted) = names.labelEvicting(for: result.taskName)
            task = label
            if let evicted { forget(task: evicted) }
        }
        let state = result.state == .unknown ? TaskMetaState.other.rawValue : result.state.rawValue
        results[ResultKey(state: state, task: task), default: 0] += 1
        if result.state == .failure && result.workerLost {
            workerLost[task, default: 0] += 1
        }
        switch result.state {
        case .started:
            _ = runs.start(result.taskID, at: now)
        case .success, .failure:
            if let runtime = runs.finish(result.taskID, at: now) {
                runtimes[task, default: RuntimeHistogram(bounds: configuration.runtimeBuckets)].observe(runtime)
            }
        case .retry:
            runs.abandon(result.taskID, at: now)
        case .revoked:
            _ = runs.finish(result.taskID, at: now)  // ends the run; not a runtime
        case .pending, .received, .other, .unknown, .unclassified:
            runs.evict(at: now)  // custom progress states do not change the pairing
        }
    }

    /// Task names that gave way to newer ones (their series were dropped), see ``TaskNameLimiter``.
    public var evictedTaskNames: UInt64 { names.evicted }

    /// Drops the series of a task name that gave way to a newer one (the table of names stays
    /// bounded; its counters restart from 0 should it come back).
    private mutating func forget(task: String) {
        results = results.filter { $0.key.task != task }
        workerLost[task] = nil
        runtimes[task] = nil
    }

    /// Applies the time-based eviction at `now` (also done by every ``record(_:at:)``), so the
    /// running count and eviction counter are current when rendered after a quiet period.
    public mutating func evict(at now: Double) {
        runs.evict(at: now)
    }
}
