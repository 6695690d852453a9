/// The live task counters of one target, from both sources Celery offers on Redis Pub/Sub:
/// result writes (`P celery-task-meta-<id>`) and task events (`P/<db>.celeryev/task.*`, workers
/// with `-E`).
///
/// - `celery_redis_task_results_total{state}` counts every result *write* (a REVOKED task is
///   written twice, a tracked task STARTED and then its outcome): what the result backend saw.
/// - `celery_redis_tasks_total{state}` counts each task once per state transition, whichever
///   sources exist: RECEIVED once per `retries` value, STARTED and RETRY as often as the busier
///   source reports them (both sources report each one, so a copy on the second source adds
///   nothing), and the final state (SUCCESS, FAILURE, REJECTED, REVOKED) once per task. The
///   per-task memory this needs is the ``TaskTable``.
/// - failures by exception type, runtimes once per task (task-succeeded's `runtime`; for a
///   failure the task-started → task-failed timestamps, one worker's clock; without events the
///   STARTED → final write receipt times) and queue waits (sent or ETA → `task-started`).
///
/// The `task` label, when enabled, uses names from `task-sent`/`task-received` events and
/// `result_extended` metas, capped by a ``TaskNameLimiter``; a task whose name was never seen
/// reports as `other`. A pure value: every method takes `now`.
public struct ResultEventCounter: Sendable {
    /// A label combination of `celery_redis_task_results_total` and `celery_redis_tasks_total`.
    public struct ResultKey: Hashable, Sendable {
        /// The state label value (`SUCCESS`, …, `other`).
        public var state: String
        /// The task label value, nil when the breakdown is off.
        public var task: String?
    }

    /// A label combination of `celery_redis_task_failures_total`.
    public struct FailureKey: Hashable, Sendable {
        /// The exception type name (capped), or `other`.
        public var exception: String
        /// The task label value, nil when the breakdown is off.
        public var task: String?
    }

    /// The states of `celery_redis_tasks_total`, in the order a task passes them.
    public static let outcomeStates = ["RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REJECTED", "REVOKED"]

    /// The settings used.
    public let configuration: CeleryEventConfiguration
    /// Result writes by state (and task).
    public private(set) var results: [ResultKey: UInt64] = [:]
    /// Tasks by state transition (and task), each counted once across sources.
    public private(set) var outcomes: [ResultKey: UInt64] = [:]
    /// FAILURE outcomes by exception type (and task).
    public private(set) var failures: [FailureKey: UInt64] = [:]
    /// WorkerLostError failures by task label (nil key when the breakdown is off).
    public private(set) var workerLost: [String?: UInt64] = [:]
    /// Runtime histograms by task label (nil key when the breakdown is off).
    public private(set) var runtimes: [String?: RuntimeHistogram] = [:]
    /// Queue-wait histograms by task label (nil key when the breakdown is off).
    public private(set) var queueWaits: [String?: RuntimeHistogram] = [:]
    /// Task events not used, by reason (from ``TaskEventBatch/discarded``).
    public private(set) var discardedEvents: [TaskEventBatch.Discard: UInt64] = [:]

    private var names: TaskNameLimiter
    private var exceptions: TaskNameLimiter
    private var tasks: TaskTable

    /// Creates empty counters.
    public init(configuration: CeleryEventConfiguration) {
        self.configuration = configuration
        self.names = TaskNameLimiter(limit: configuration.taskNameLimit)
        self.exceptions = TaskNameLimiter(limit: configuration.exceptionNameLimit, kind: .exception)
        self.tasks = TaskTable(
            capacity: configuration.maxTrackedTasks, maxAge: configuration.trackedTaskMaxAge,
            finishedLinger: configuration.finishedTaskLinger)
    }

    /// Whether the `task` label is in use.
    public var hasTaskLabel: Bool { names.isEnabled }

    /// Tasks whose STARTED result write was received and whose outcome was not.
    public var runningTasks: Int { tasks.runningCount }

    /// Running tasks evicted (too old or table full) before their outcome arrived.
    public var evictedRunningTasks: UInt64 { tasks.evictedRunning }

    /// Tasks held in the task table (in flight, waiting, and finished in the last linger).
    public var trackedTasks: Int { tasks.count }

    /// Task table entries evicted, by reason (`age`, `capacity`).
    public var evictedTasks: [String: UInt64] {
        Dictionary(
            uniqueKeysWithValues: TaskTable.EvictionReason.allCases.map { ($0.rawValue, tasks.evicted[$0] ?? 0) })
    }

    /// Task names that gave way to newer ones (their series were dropped), see ``TaskNameLimiter``.
    public var evictedTaskNames: UInt64 { names.evicted }

    /// Names counted as `other` because their table was full (``TaskNameLimiter/refused``): task
    /// names (once per task, when its name is first adopted; 0 while the task label is off) and
    /// exception type names (once per failure).
    public var refusedNames: [LabelValueLimit.Kind: UInt64] { [.task: names.refused, .exception: exceptions.refused] }

    /// Both kinds of ``refusedNames`` together (a rise means a name was just refused).
    var refusedNameTotal: UInt64 { names.refused &+ exceptions.refused }

    // MARK: Result writes

    /// Applies one result write received at `now`.
    public mutating func record(_ result: CeleryEvent.TaskResult, at now: Double) {
        names.advance(to: now)
        exceptions.advance(to: now)
        var entry = tasks.fetch(result.taskID, at: now)
        adoptName(result.taskName, into: &entry)
        let writeLabel = label(of: entry)
        switch result.state {
        case .started:
            if entry.startedAt == nil { entry.startedAt = now }  // an overlapping rerun keeps the earliest
            count("STARTED", entry.started.add(fromEvents: false), entry)
        case .retry:
            entry.startedAt = nil
            count("RETRY", entry.retried.add(fromEvents: false), entry)
        case .success, .failure:
            // With events on, the event's exact runtime (or timestamps) is used instead.
            if !entry.startedByEvent, !entry.runtimeObserved, let since = entry.startedAt {
                observeRuntime(now - since, entry)
                entry.runtimeObserved = true
            }
            entry.startedAt = nil
            finish(result.state == .success ? .success : .failure, exception: result.exceptionType, &entry, at: now)
        case .revoked:
            entry.startedAt = nil
            finish(.revoked, exception: nil, &entry, at: now)
        case .pending, .received, .other, .unknown, .unclassified:
            break  // custom progress states change nothing here
        }
        tasks.store(entry, for: result.taskID, at: now)
        let state = result.state == .unknown ? TaskMetaState.other.rawValue : result.state.rawValue
        results[ResultKey(state: state, task: writeLabel), default: 0] += 1
        if result.state == .failure && result.workerLost {
            workerLost[writeLabel, default: 0] += 1
        }
    }

    // MARK: Task events

    /// Applies the task events of one message received at `now`, in order.
    public mutating func record(_ batch: TaskEventBatch, at now: Double) {
        for (reason, n) in batch.discarded { discardedEvents[reason, default: 0] += UInt64(n) }
        for event in batch.events { record(event, at: now) }
    }

    /// Applies one task event received at `now`.
    public mutating func record(_ event: TaskEvent, at now: Double) {
        names.advance(to: now)
        exceptions.advance(to: now)
        var entry = tasks.fetch(event.taskID, at: now)
        adoptName(event.name, into: &entry)
        if let retries = event.retries { entry.retries = max(entry.retries, UInt8(min(retries, 255))) }
        switch event.kind {
        case .sent:
            entry.sent = event.timestamp
            entry.eta = event.eta
        case .received:
            if let eta = event.eta { entry.eta = eta }
            let bit: UInt64 = 1 << UInt64(min(event.retries ?? Int(entry.retries), 63))
            if entry.receivedMask & bit == 0 {
                entry.receivedMask |= bit
                count("RECEIVED", 1, entry)
            }
        case .started:
            entry.startedByEvent = true
            entry.startedEventTime = event.timestamp
            count("STARTED", entry.started.add(fromEvents: true), entry)
            if let started = event.timestamp, let from = entry.eta ?? entry.sent {
                observeQueueWait(started - from, entry)
            }
            entry.sent = nil
            entry.eta = nil
        case .succeeded:
            if !entry.runtimeObserved, let runtime = event.runtime {
                observeRuntime(runtime, entry)
                entry.runtimeObserved = true
            }
            finish(.success, exception: nil, &entry, at: now)
        case .failed:
            if !entry.runtimeObserved, let end = event.timestamp, let start = entry.startedEventTime {
                observeRuntime(end - start, entry)  // both on the worker's clock
                entry.runtimeObserved = true
            }
            finish(.failure, exception: event.exceptionType, &entry, at: now)
        case .retried:
            count("RETRY", entry.retried.add(fromEvents: true), entry)
        case .rejected:
            finish(.rejected, exception: nil, &entry, at: now)
        case .revoked:
            finish(.revoked, exception: nil, &entry, at: now)
        }
        tasks.store(entry, for: event.taskID, at: now)
    }

    /// Applies the time-based eviction at `now` (also done by every record), so the counts are
    /// current when rendered after a quiet period.
    public mutating func evict(at now: Double) {
        tasks.evict(at: now)
    }

    // MARK: Helpers

    private static let finalNames: [TaskTable.FinalState: String] = [
        .success: "SUCCESS", .failure: "FAILURE", .rejected: "REJECTED", .revoked: "REVOKED",
    ]

    /// Counts a final state once per task; a FAILURE also by exception type.
    private mutating func finish(
        _ state: TaskTable.FinalState, exception: String?, _ entry: inout TaskTable.Entry, at now: Double
    ) {
        guard entry.finals & state.rawValue == 0 else { return }
        entry.finals |= state.rawValue
        entry.finishedAt = entry.finishedAt ?? now
        count(Self.finalNames[state]!, 1, entry)
        if state == .failure {
            let (name, evicted) = exceptions.labelEvicting(for: exception)
            if let evicted { failures = failures.filter { $0.key.exception != evicted } }
            failures[FailureKey(exception: name, task: label(of: entry)), default: 0] += 1
        }
    }

    private mutating func count(_ state: String, _ n: Int, _ entry: TaskTable.Entry) {
        guard n > 0 else { return }
        outcomes[ResultKey(state: state, task: label(of: entry)), default: 0] += UInt64(n)
    }

    private mutating func observeRuntime(_ seconds: Double, _ entry: TaskTable.Entry) {
        runtimes[label(of: entry), default: RuntimeHistogram(bounds: configuration.runtimeBuckets)].observe(seconds)
    }

    private mutating func observeQueueWait(_ seconds: Double, _ entry: TaskTable.Entry) {
        queueWaits[label(of: entry), default: RuntimeHistogram(bounds: configuration.runtimeBuckets)].observe(seconds)
    }

    /// The `task` label of an entry: nil when the breakdown is off, `other` until a name is known.
    private func label(of entry: TaskTable.Entry) -> String? {
        names.isEnabled ? (entry.task ?? TaskNameLimiter.overflowName) : nil
    }

    /// Gives an entry its task label the first time a name arrives (the label's string is the
    /// limiter's, shared by every entry of that task).
    private mutating func adoptName(_ name: String?, into entry: inout TaskTable.Entry) {
        guard names.isEnabled, entry.task == nil, let name else { return }
        let (label, evicted) = names.labelEvicting(for: name)
        entry.task = names.admitted.firstIndex(of: label).map { names.admitted[$0] } ?? label
        if let evicted { forget(task: evicted) }
    }

    /// Drops the series of a task name that gave way to a newer one (the table of names stays
    /// bounded; its counters restart from 0 should it come back).
    private mutating func forget(task: String) {
        results = results.filter { $0.key.task != task }
        outcomes = outcomes.filter { $0.key.task != task }
        failures = failures.filter { $0.key.task != task }
        workerLost[task] = nil
        runtimes[task] = nil
        queueWaits[task] = nil
    }
}
