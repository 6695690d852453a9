import Exposition
import Logging
import Sockets
import Synchronization

/// The thread-safe state behind the Pub/Sub metrics: fed by the listener thread with each message
/// and with subscription changes, read by the poller once per poll.
///
/// Each target keeps one long-lived Pub/Sub connection; a listener thread turns its messages into
/// counters and worker states. Each poll takes one ``read()`` and keeps it in its
/// ``Snapshot/events``: the sampler's orphan detection, the Pub/Sub families and the status page
/// all read that one value.
///
/// Worker states are computed when asked, with the clock's `now`, not when the last message came:
/// a SIGKILLed worker sends nothing, so only the passage of time can mark it down.
///
/// One clock serves both sides (by default monotonic seconds, so NTP steps never flip liveness or
/// distort runtimes); every method also has an `at:` variant so tests pass explicit times.
public final class CeleryEventMonitor: Sendable {
    private struct State: Sendable {
        var registry: WorkerRegistry
        var results: ResultEventCounter
        var messages: [EventSource: UInt64] = [:]
        var decodeErrors: [EventSource: UInt64] = [:]
        var isSubscribed = false
        var subscriptions = 0
        var evictionLog = LogRateLimiter()
        var clampLog = LogRateLimiter()
        var refusedNameLog = LogRateLimiter(interval: 600)
        var decodeErrorLogged: Set<EventSource> = []
    }

    /// Which channel family a message came from; the `kind` label of the event counters.
    public enum EventSource: String, Sendable, CaseIterable, Hashable {
        /// `P celery-task-meta-*`.
        case result
        /// `P/<db>.celeryev/worker.*`.
        case worker
        /// `P/<db>.celeryev/task.*` (`-E`).
        case task
    }

    /// The settings used.
    public let configuration: CeleryEventConfiguration
    /// The channel names, and the patterns to subscribe to (``CeleryEventChannels/patterns``).
    public let channels: CeleryEventChannels

    private let decoder: CeleryEventDecoder
    private let clock: @Sendable () -> Double
    private let logger: Logger
    private let state: Mutex<State>

    /// Creates a monitor.
    /// - Parameter clock: seconds on the clock used for every time this monitor keeps; nil uses
    ///   `CLOCK_MONOTONIC`.
    public init(
        configuration: CeleryEventConfiguration,
        logger: Logger = Logger(label: "events"),
        clock: (@Sendable () -> Double)? = nil
    ) {
        self.configuration = configuration
        self.channels = configuration.channels
        self.decoder = CeleryEventDecoder(channels: configuration.channels)
        self.clock = clock ?? { MonotonicClock.seconds() }
        self.logger = logger
        self.state = Mutex(
            State(
                registry: WorkerRegistry(configuration: configuration),
                results: ResultEventCounter(configuration: configuration)))
    }

    /// The `PSUBSCRIBE` patterns: result writes, worker events and task events.
    public var patterns: [[UInt8]] { channels.patterns }

    // MARK: Feeding (listener thread)

    /// Handles one Pub/Sub message, now.
    public func handle(channel: [UInt8], payload: [UInt8]) {
        handle(channel: channel, payload: payload, at: clock())
    }

    /// Handles one Pub/Sub message received at `now`. Garbage is counted and logged, never fatal.
    public func handle(channel: [UInt8], payload: [UInt8], at now: Double) {
        let source: EventSource
        switch channels.classify(channel) {
        case .result: source = .result
        case .worker: source = .worker
        case .task: source = .task
        case .other: return
        }
        let event: CeleryEvent?
        var failure: CeleryEventDecodingError?
        do {
            event = try decoder.decode(channel: channel, payload: payload)
        } catch {
            event = nil
            failure = error
        }
        let (logDecodeError, outcome) = state.withLock { state -> (Bool, RecordLog?) in
            state.messages[source, default: 0] += 1
            if failure != nil {
                state.decodeErrors[source, default: 0] += 1
                return (state.decodeErrorLogged.insert(source).inserted, nil)
            }
            let refusedBefore = state.results.refusedNameTotal
            switch event {
            case .taskResult(let result)?:
                state.results.record(result, at: now)
            case .tasks(let batch)?:
                state.results.record(batch, at: now)
            case .worker(let worker)?:
                let outcome = state.registry.record(worker, at: now)
                var log = RecordLog(outcome: outcome)
                if outcome.evicted != nil { log.evictionSuppressed = state.evictionLog.admit(at: now) }
                if outcome.frequencyClamped { log.clampSuppressed = state.clampLog.admit(at: now) }
                return (false, log)
            case nil:
                break
            }
            // Only when the warning is due: once the table is full this runs for every message.
            guard state.results.refusedNameTotal != refusedBefore,
                let suppressed = state.refusedNameLog.admit(at: now)
            else { return (false, nil) }
            var log = RecordLog(outcome: WorkerRegistry.RecordOutcome())
            log.refusedNameSuppressed = suppressed
            log.refusedNames = state.results.refusedNames
            return (false, log)
        }
        if let failure {
            // The first bad payload per channel family is a warning; later ones only debug lines.
            logger.log(
                level: logDecodeError ? .warning : .debug, "undecodable Celery Pub/Sub message",
                metadata: [
                    "kind": "\(source.rawValue)", "error": "\(failure)",
                    "channel": "\(String(decoding: channel.prefix(200), as: UTF8.self))",
                ])
        }
        if let outcome { log(outcome) }
    }

    /// What a worker event asks to log, decided under the lock (rate limits included).
    private struct RecordLog {
        var outcome: WorkerRegistry.RecordOutcome
        var evictionSuppressed: Int?
        var clampSuppressed: Int?
        /// Set when a task or exception name was refused (its table full) and a line is due.
        var refusedNameSuppressed: Int?
        var refusedNames: [LabelValueLimit.Kind: UInt64] = [:]
    }

    /// Warnings about the worker table, each at most once a minute, and about full name tables, at
    /// most once in ten minutes (suppressed lines are counted).
    private func log(_ record: RecordLog) {
        if let suppressed = record.refusedNameSuppressed {
            logger.warning(
                "task or exception name table full: new names are counted as \"other\" (see celery_redis_task_names_refused_total)",
                metadata: [
                    "task_name_limit": "\(configuration.taskNameLimit)",
                    "exception_name_limit": "\(configuration.exceptionNameLimit)",
                    "refused_task_names": "\(record.refusedNames[.task] ?? 0)",
                    "refused_exception_names": "\(record.refusedNames[.exception] ?? 0)",
                    "suppressed_lines": "\(suppressed)",
                ])
        }
        if let suppressed = record.evictionSuppressed, let victim = record.outcome.evicted {
            logger.warning(
                "worker table full (--celery.max-workers): the longest-silent worker was forgotten to make room",
                metadata: [
                    "max_workers": "\(configuration.maxWorkers)",
                    "evicted_worker": "\(victim.prefix(80))",
                    "evicted_was_up": "\(record.outcome.evictedWasUp)",
                    "suppressed_lines": "\(suppressed)",
                ])
        }
        if let suppressed = record.clampSuppressed {
            let range = configuration.heartbeatFrequencyRange
            logger.warning(
                "worker event announced a heartbeat period out of range; clamped",
                metadata: [
                    "min_seconds": "\(range.lowerBound)", "max_seconds": "\(range.upperBound)",
                    "suppressed_lines": "\(suppressed)",
                ])
        }
    }

    /// The subscription is confirmed (after each reconnect too), now.
    public func subscriptionStarted() { subscriptionStarted(at: clock()) }

    /// The subscription is confirmed at `now`.
    public func subscriptionStarted(at now: Double) {
        state.withLock { state in
            state.isSubscribed = true
            state.subscriptions += 1
            state.registry.subscriptionStarted(at: now)
        }
    }

    /// The subscription was lost, now.
    public func subscriptionLost() { subscriptionLost(at: clock()) }

    /// The subscription was lost at `now`: messages published until the next start are missed.
    public func subscriptionLost(at now: Double) {
        state.withLock { state in
            state.isSubscribed = false
            state.registry.subscriptionLost(at: now)
        }
    }

    // MARK: Reading (poller thread)

    /// The monitor's state now, in one read (see ``read(at:)``).
    public func read() -> CeleryEventReading { read(at: clock()) }

    /// The monitor's state at `now`, copied under one lock so every part describes the same moment:
    /// the worker table, live workers and their incarnations, result counters and runtimes, and the
    /// subscription. Also prunes forgotten workers and aged-out tasks. A poll calls this once.
    public func read(at now: Double) -> CeleryEventReading {
        state.withLock { state in
            state.registry.prune(at: now)
            state.results.evict(at: now)
            return CeleryEventReading(
                readAt: now, workers: state.registry.statuses(at: now),
                liveWorkers: state.registry.liveHostnames(at: now),
                incarnationStarts: state.registry.liveIncarnationStarts(at: now),
                results: state.results.results, outcomes: state.results.outcomes,
                failures: state.results.failures, workerLost: state.results.workerLost,
                runtimes: state.results.runtimes, queueWaits: state.results.queueWaits,
                hasTaskLabel: state.results.hasTaskLabel,
                taskNamesEvicted: state.results.evictedTaskNames, namesRefused: state.results.refusedNames,
                runtimeBuckets: configuration.runtimeBuckets,
                runningTasks: state.results.runningTasks, evictedRunningTasks: state.results.evictedRunningTasks,
                trackedTasks: state.results.trackedTasks, evictedTasks: state.results.evictedTasks,
                discardedTaskEvents: state.results.discardedEvents,
                messages: state.messages, decodeErrors: state.decodeErrors,
                isSubscribed: state.isSubscribed, reconnects: max(0, state.subscriptions - 1),
                workersEvicted: state.registry.evicted, frequenciesClamped: state.registry.frequencyClamped,
                restarts: state.registry.incarnationsSeen)
        }
    }

    /// Live worker host names now (``CeleryEventReading/liveWorkers`` of a fresh ``read()``),
    /// for tools and tests; nil until the subscription has lasted one liveness window, and while
    /// it is down (see ``WorkerRegistry/liveHostnames(at:)``).
    public func liveWorkerHostnames() -> Set<String>? { liveWorkerHostnames(at: clock()) }

    /// Live worker host names at `now`.
    public func liveWorkerHostnames(at now: Double) -> Set<String>? {
        state.withLock { $0.registry.liveHostnames(at: now) }
    }

    /// The Pub/Sub metric families now: a fresh ``read()``, rendered (tools and tests; a poll
    /// renders the reading in its snapshot).
    public func metricFamilies() -> [MetricFamily] { read().families() }

    /// The Pub/Sub metric families at `now`: ``read(at:)``, rendered.
    public func metricFamilies(at now: Double) -> [MetricFamily] { read(at: now).families() }
}
