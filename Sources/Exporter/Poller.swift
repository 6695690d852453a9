import Alerting
import Celery
import Exposition
import Logging
import Redis
import Sockets
import Synchronization

/// Polls every target each poll interval on its own thread, composes their families with the
/// process's own, evaluates the rules on them, and publishes the rendered metrics, readiness and
/// status page. Ticks are on a fixed schedule (start + n × interval), so a slow poll does not drift
/// the schedule; a poll that overruns a tick skips it rather than queueing polls back to back.
///
/// Each target is polled on its own long-lived poll thread (``TargetRuntime/pollThread``), all side
/// by side within the tick (a slow or dead broker delays only its own numbers until its Redis
/// timeouts end the poll); the tick is composed once all have answered, so the rules see one
/// consistent set of series per tick.
public final class Poller: @unchecked Sendable {
    // @unchecked: `lastRulesSeconds` is touched only by the poller thread (inside `run()`); the
    // rest is immutable or Sendable.

    /// The exporter's families that are not a target's, split by where they sit in `/metrics`.
    public struct ProcessFamilies: Sendable {
        /// HTTP server, web config and reload families (served after the targets' own).
        public var server: [MetricFamily]
        /// `process_*` families (served after the targets' connection families).
        public var process: [MetricFamily]

        public init(server: [MetricFamily] = [], process: [MetricFamily] = []) {
            self.server = server
            self.process = process
        }
    }

    private let targets: [TargetRuntime]
    private let state: ExporterState
    private let interval: Double
    private let stop: StopSignal
    private let logger: Logger
    private let alerting: AlertingRuntime?
    private let processFamilies: (@Sendable () -> ProcessFamilies)?
    /// The status page, given every poll's snapshots, series and alerts.
    private let statusPage: StatusPage?
    /// Seconds the last rule evaluation took: reported as `phase="rules"` with the next poll,
    /// since a poll's own evaluation runs on the series built from it.
    private var lastRulesSeconds = 0.0

    public init(
        targets: [TargetRuntime], state: ExporterState, interval: Double, stop: StopSignal, logger: Logger,
        alerting: AlertingRuntime? = nil, processFamilies: (@Sendable () -> ProcessFamilies)? = nil,
        statusPage: StatusPage? = nil
    ) {
        precondition(!targets.isEmpty, "a poller needs at least one target")
        self.targets = targets
        self.state = state
        self.interval = interval
        self.stop = stop
        self.logger = logger
        self.alerting = alerting
        self.processFamilies = processFamilies
        self.statusPage = statusPage
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

    /// One tick: poll every target, compose, evaluate rules, render, publish.
    public func pollOnce() {
        let polls = pollTargets()
        // A tick the shutdown cut short (its polls' waits were cancelled) says nothing about Redis:
        // it is neither published nor evaluated, so a stop never fires an alert.
        if stop.isTriggered { return }
        var families = Self.compose(polls, process: processFamilies?() ?? ProcessFamilies())
        let finished = polls.map(\.finishedAt).max() ?? wallClockNow()
        // Rules see exactly the series /metrics serves, so alerts and metrics always agree.
        var alertingFamilies: [MetricFamily] = []
        if let alerting {
            let rulesStarted = monotonicNow()
            alertingFamilies = alerting.evaluate(families: families, now: finished)
            lastRulesSeconds = monotonicNow() - rulesStarted
        }
        families += alertingFamilies
        let rendered = RenderedMetrics(families: families)
        statusPage?.update(
            targets: polls, processFamilies: alertingFamilies, allFamilies: families,
            alerts: alerting?.currentAlerts ?? [], now: finished)
        let single = polls.count == 1 && polls[0].name == nil
        let first = polls[0]
        state.publish(
            .init(
                rendered: rendered, lastPollSucceeded: polls.allSatisfy(\.snapshot.succeeded),
                lastPollMonotonic: monotonicNow(), lastFailure: first.snapshot.failure?.reason,
                targets: single ? [] : polls.map(\.readiness)))
    }

    /// Every target's poll, in target order, each on the target's own poll thread: all are asked
    /// first, then collected, so they run side by side.
    private func pollTargets() -> [TargetPoll] {
        let rulesSeconds = lastRulesSeconds
        for target in targets { target.requestPoll(rulesSeconds: rulesSeconds) }
        return targets.map { $0.collectPoll() }
    }

    /// `/metrics` of one tick before the rules' families: the targets' own, the HTTP server's,
    /// the targets' connections', the process's, the targets' Sentinel resolvers' and the name
    /// lookups'. The single target from flags is served as is; named targets get the `target`
    /// label and same-name families are merged (``TargetLabels``).
    static func compose(_ polls: [TargetPoll], process: ProcessFamilies) -> [MetricFamily] {
        func targets(_ part: (TargetPoll) -> [MetricFamily]) -> [MetricFamily] {
            polls.flatMap { poll in poll.name.map { TargetLabels.labelled(part(poll), target: $0) } ?? part(poll) }
        }
        let families =
            targets(\.families) + process.server + targets(\.connectionFamilies) + process.process
            + targets(\.sentinelFamilies)
            + NameResolver.shared.statistics.metricFamilies()
        return polls.count == 1 && polls[0].name == nil ? families : TargetLabels.merged(families)
    }
}
