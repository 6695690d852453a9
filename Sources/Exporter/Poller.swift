import Celery
import Alerting
import Exposition
import Logging
import Redis
import Sockets

/// Samples Redis every poll interval on its own thread and publishes the rendered metrics.
/// Ticks are on a fixed schedule (start + n × interval), so a slow poll does not drift the
/// schedule; a poll that overruns a tick skips it rather than queueing polls back to back.
public final class Poller: @unchecked Sendable {
    // @unchecked: `sampler`, `redis` and `counters` are touched only by the poller thread
    // (inside `run()`); the rest is immutable or Sendable.
    private let redis: RedisCommandExecuting
    private let sampler: Sampler
    private let state: ExporterState
    private let interval: Double
    private let logger: Logger
    private let stop: StopSignal
    private let events: CeleryEventMonitor?
    private let alerting: AlertingRuntime?
    /// Families the exporter keeps about itself outside the poll (HTTP server, reloads).
    private let ownFamilies: (@Sendable () -> [MetricFamily])?
    /// The status page, given every poll's snapshot, series and alerts.
    private let statusPage: StatusPage?
    private var counters = PollCounters()
    private var lastOutcomeWasSuccess: Bool?
    /// Seconds the last rule evaluation took: reported as `phase="rules"` with the next poll,
    /// since a poll's own evaluation runs on the series built from it.
    private var lastRulesSeconds = 0.0

    public init(redis: RedisCommandExecuting, sampler: Sampler, state: ExporterState, interval: Double,
                stop: StopSignal, logger: Logger, events: CeleryEventMonitor? = nil, alerting: AlertingRuntime? = nil,
                ownFamilies: (@Sendable () -> [MetricFamily])? = nil, statusPage: StatusPage? = nil) {
        self.statusPage = statusPage
        self.alerting = alerting
        self.ownFamilies = ownFamilies
        self.events = events
        self.redis = redis
        self.sampler = sampler
        self.state = state
        self.interval = interval
        self.stop = stop
        self.logger = logger
    }

    /// The loop; returns when `stop` is triggered.
    public func run() {
        var nextTick = monotonicNow()
        while !stop.isTriggered {
            pollOnce()
            nextTick += interval
            let now = monotonicNow()
            if nextTick < now {  // overran: skip the missed ticks
                nextTick = now + interval - (now - nextTick).truncatingRemainder(dividingBy: interval)
            }
            stop.wait(seconds: nextTick - now)
        }
    }

    /// One poll: sample, count, render, publish.
    public func pollOnce() {
        let now = wallClockNow()
        var snapshot = sampler.poll(using: redis, now: now, liveWorkers: events?.liveWorkerHostnames(),
                                    incarnationStarts: events?.liveIncarnationStarts(wallNow: now) ?? [:])
        let finished = wallClockNow()
        snapshot.phases[.rules] = lastRulesSeconds
        counters.lastPollTimestamp = finished
        for (stage, count) in snapshot.commandErrors {
            counters.commandErrorsByStage[stage, default: 0] += UInt64(count)
        }
        if snapshot.succeeded {
            counters.lastSuccessTimestamp = finished
        } else {
            let stage = snapshot.failedStage ?? .queues
            counters.errorsByStage[stage, default: 0] += 1
        }
        var families = MetricsBuilder.families(for: snapshot, counters: counters)
        if let events { families += events.metricFamilies() }
        if let ownFamilies { families += ownFamilies() }
        families += NameResolver.shared.statistics.metricFamilies()
        // Rules see exactly the series /metrics serves, so alerts and metrics always agree.
        if let alerting {
            let rulesStarted = monotonicNow()
            families += alerting.evaluate(families: families, now: finished)
            lastRulesSeconds = monotonicNow() - rulesStarted
        }
        let rendered = RenderedMetrics(families: families)
        statusPage?.update(snapshot: snapshot, families: families, alerts: alerting?.currentAlerts ?? [],
                           workers: events?.workerStatuses(at: monotonicNow()),
                           lastSuccessAt: counters.lastSuccessTimestamp, now: finished)
        state.publish(.init(rendered: rendered, lastPollSucceeded: snapshot.succeeded,
                            lastPollMonotonic: monotonicNow(), lastFailure: snapshot.failureDescription))
        logTransition(snapshot)
    }

    /// Logs changes of state (up → down, down → up) once, and each failure at debug level,
    /// so a Redis outage is one warning line per change rather than one per poll.
    private func logTransition(_ snapshot: Snapshot) {
        defer { lastOutcomeWasSuccess = snapshot.succeeded }
        if snapshot.succeeded {
            if lastOutcomeWasSuccess != true {
                logger.info("polling Redis", metadata: [
                    "queues": "\(snapshot.queues.count)", "unacked": "\(snapshot.unackedTotal)",
                    "duration_ms": "\(Int(snapshot.pollDuration * 1000))",
                ])
            }
        } else {
            let metadata: Logger.Metadata = [
                "stage": "\(snapshot.failedStage?.rawValue ?? "unknown")",
                "err": "\(snapshot.failureDescription ?? "unknown error")",
            ]
            if lastOutcomeWasSuccess != false {
                logger.warning("poll of Redis failed; celery_redis_up is 0 until it recovers", metadata: metadata)
            } else {
                logger.debug("poll of Redis failed again", metadata: metadata)
            }
        }
    }
}
