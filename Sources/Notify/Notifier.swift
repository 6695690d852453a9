import Alerting
import Exposition
import Logging
import Sockets

/// The alert delivery pipeline: ``Dispatcher`` (routing, grouping, timing, notification log)
/// feeding one ``DeliveryScheduler`` per integration, plus an optional ``AlertmanagerPusher``;
/// the one object the exporter holds, for its whole life (a reload reconfigures it in place).
///
/// Threads: one per integration (delivery) and one "notify-flush" thread that flushes due
/// groups between evaluations (`group_wait` and `group_interval` are not tied to the poll
/// interval). Nothing here runs in Swift concurrency tasks. Lock order: the notifier's state,
/// then a scheduler's; a scheduler calls back (``Dispatcher/markDelivered(_:at:)``) holding
/// neither.
///
/// Lifecycle: `init` (loads TLS files, may throw) → ``start()`` → ``update(alerts:now:)`` after
/// every evaluation, ``reload(configuration:)`` on a changed configuration →
/// ``drain(deadline:)`` on shutdown.
public final class Notifier: Sendable {
    /// The optional Alertmanager API pusher.
    public let pusher: AlertmanagerPusher?
    /// The byte budget of pending notifications.
    public let budget: ByteBudget
    private let metrics: NotifierMetrics
    private let options: NotifierOptions
    private let logger: Logger
    private let makeSenders: @Sendable (AlertingConfiguration?) throws -> Senders
    private let store: DeliveryStore?
    /// The alert activity of the stored record read at start-up (empty without one).
    public let restoredActivity: [String: AlertActivity]

    /// Senders and per-attempt timeouts of a configuration's integrations.
    public typealias Senders = (senders: [IntegrationID: any NotificationSender], timeouts: [IntegrationID: Double])

    struct State {
        var configuration: AlertingConfiguration?
        var dispatcher: Dispatcher?
        var schedulers: [IntegrationID: DeliveryScheduler] = [:]
        var started = false
        var stopping = false
        var thread: NativeThread?
        var lastSave: Int64 = 0
        var dirty = false
        /// The rule evaluator's latest alert activity, stored with the delivery record.
        var activity: [String: AlertActivity] = [:]
        /// The latest full alert list (for inhibition and the alerts API).
        var alerts: [NotifiableAlert] = []
        /// The silences (all states), as the silence store last handed them.
        var silences: [Silence] = []
        /// What is muted now; made again on every update, silence change or silence boundary.
        var mutes = MuteStatus()
        /// Silence matches kept between those computations.
        var silenceMatches = SilenceMatchCache()
    }
    let state: Monitor<State>

    /// Builds senders for every integration of `configuration` (TLS files are loaded now) and,
    /// when `alertmanager` is given, a pusher to its API.
    /// - Throws: ``TLSError`` for unreadable certificate files (the loader checks them too).
    public convenience init(
        configuration: AlertingConfiguration?, alertmanager: AlertmanagerPusher.Configuration? = nil,
        options: NotifierOptions = NotifierOptions(), logger: Logger
    ) throws {
        try self.init(
            configuration: configuration,
            makeSenders: { try Notifier.senders(for: $0, options: options, logger: logger) },
            alertmanager: alertmanager, options: options, logger: logger)
    }

    /// Builds the pipeline with the given senders (tests pass doubles); every integration of
    /// `configuration` must have one.
    public convenience init(
        configuration: AlertingConfiguration?, senders: [IntegrationID: any NotificationSender],
        timeouts: [IntegrationID: Double] = [:], alertmanager: AlertmanagerPusher.Configuration? = nil,
        options: NotifierOptions = NotifierOptions(), logger: Logger
    ) throws {
        try self.init(
            configuration: configuration, makeSenders: { _ in (senders, timeouts) }, alertmanager: alertmanager,
            options: options, logger: logger)
    }

    /// Builds the pipeline; `makeSenders` builds the senders of a configuration (now and at
    /// every reload).
    public init(
        configuration: AlertingConfiguration?,
        makeSenders: @escaping @Sendable (AlertingConfiguration?) throws -> Senders,
        alertmanager: AlertmanagerPusher.Configuration? = nil, options: NotifierOptions = NotifierOptions(),
        logger: Logger
    ) throws {
        self.options = options
        self.logger = logger
        self.makeSenders = makeSenders
        let budget = ByteBudget(limit: options.byteBudget)
        self.budget = budget
        var receivers = configuration?.receivers.map(\.name) ?? []
        if alertmanager != nil { receivers.append(AlertmanagerPusher.receiverLabel) }
        let box = GaugeSource()
        let metrics = NotifierMetrics(receivers: receivers, gauges: { box.read() })
        self.metrics = metrics
        self.pusher = try alertmanager.map {
            try AlertmanagerPusher(configuration: $0, metrics: metrics, logger: logger, clock: options.clock)
        }
        self.store = options.storagePath.map { DeliveryStore(directory: $0, logger: logger) }
        self.state = Monitor(State(configuration: configuration))
        let built = try makeSenders(configuration)
        let restored = store?.load()
        self.restoredActivity = restored?.activity ?? [:]
        state.withLock { s in
            s.activity = restored?.activity ?? [:]
            if let configuration {
                var d = Dispatcher(configuration: configuration)
                if let restored { d.restore(restored, now: options.clock()) }
                s.dispatcher = d
            }
            s.schedulers = makeSchedulers(configuration, built, existing: [:])
        }
        box.set(self)
    }

    /// The configuration in use (nil when only pushing to Alertmanager).
    public var configuration: AlertingConfiguration? { state.withLock { $0.configuration } }

    /// The webhook, Slack and PagerDuty senders of the receivers a route of `configuration` reaches,
    /// TLS files loaded.
    public static func senders(
        for configuration: AlertingConfiguration?, options: NotifierOptions, logger: Logger? = nil
    ) throws -> Senders {
        var senders: [IntegrationID: any NotificationSender] = [:]
        var timeouts: [IntegrationID: Double] = [:]
        let contexts = TLSContextCache()
        for receiver in configuration?.routedReceivers ?? [] {
            for (i, w) in receiver.webhooks.enumerated() {
                let id = IntegrationID(receiver: receiver.name, kind: .webhook, index: i)
                senders[id] = try WebhookSender(
                    configuration: w, externalURL: options.externalURL, userAgent: options.userAgent,
                    contexts: contexts)
                timeouts[id] = w.timeout
            }
            for (i, sl) in receiver.slack.enumerated() {
                let id = IntegrationID(receiver: receiver.name, kind: .slack, index: i)
                senders[id] = try SlackSender(configuration: sl, userAgent: options.userAgent, contexts: contexts)
                timeouts[id] = sl.timeout
            }
            for (i, pd) in receiver.pagerduty.enumerated() {
                let id = IntegrationID(receiver: receiver.name, kind: .pagerduty, index: i)
                senders[id] = try PagerDutySender(
                    configuration: pd, externalURL: options.externalURL, userAgent: options.userAgent, logger: logger,
                    contexts: contexts)
                timeouts[id] = pd.timeout
            }
        }
        return (senders, timeouts)
    }

    private func makeSchedulers(
        _ configuration: AlertingConfiguration?, _ built: Senders, existing: [IntegrationID: DeliveryScheduler]
    ) -> [IntegrationID: DeliveryScheduler] {
        var out: [IntegrationID: DeliveryScheduler] = [:]
        for receiver in configuration?.routedReceivers ?? [] {
            for id in receiver.integrations {
                guard let sender = built.senders[id] else { preconditionFailure("no sender for \(id)") }
                if let kept = existing[id] {
                    kept.reconfigure(sender: sender, timeout: built.timeouts[id])
                    out[id] = kept
                    continue
                }
                out[id] = DeliveryScheduler(
                    integration: id, sender: sender, timeout: built.timeouts[id], retry: options.retry, budget: budget,
                    metrics: metrics, logger: logger, clock: options.clock,
                    onDelivered: { [weak self] n, now in self?.delivered(n, at: now) },
                    onMaybeDelivered: { [weak self] n, now in self?.maybeDelivered(n, at: now) })
            }
        }
        return out
    }

    private func delivered(_ notification: Notification, at now: Double) {
        state.withLock { s in
            s.dispatcher?.markDelivered(notification, at: now)
            s.dirty = true
        }
    }

    private func maybeDelivered(_ notification: Notification, at now: Double) {
        state.withLock { s in
            s.dispatcher?.markMaybeDelivered(notification, at: now)
            s.dirty = true
        }
    }

    /// Starts the delivery threads, the pusher's thread and the flush thread.
    public func start() throws {
        try state.withLock { s in
            guard !s.started, !s.stopping else { return }
            s.started = true
            for scheduler in s.schedulers.values { try scheduler.start() }
            s.thread = try NativeThread.spawn(name: "notify-flush") { [self] in runFlushLoop() }
        }
        try pusher?.start()
    }

    /// Applies a changed alerting configuration in place, as Alertmanager keeps its
    /// notification log across reloads: every receiver still configured keeps its groups, owed
    /// resolves, pending notifications and delivery thread (the next attempt uses the new
    /// settings); only removed integrations stop and forget. Counters are never reset.
    /// - Throws: ``TLSError`` for unreadable certificate files; nothing changes then.
    public func reload(configuration: AlertingConfiguration?) throws {
        let built = try makeSenders(configuration)
        metrics.add(receivers: configuration?.receivers.map(\.name) ?? [])
        let retired = try state.withLock { s -> [NativeThread] in
            guard !s.stopping else { return [] }
            let fresh = makeSchedulers(configuration, built, existing: s.schedulers)
            var retired: [NativeThread] = []
            for (id, old) in s.schedulers where fresh[id] == nil {
                if let t = old.stopSoon() { retired.append(t) }
            }
            if s.started {
                for (id, scheduler) in fresh where s.schedulers[id] == nil { try scheduler.start() }
            }
            s.schedulers = fresh
            s.configuration = configuration
            remute(&s, now: options.clock())  // the inhibit rules may have changed
            if let configuration {
                var d = Dispatcher(configuration: configuration)
                if let old = s.dispatcher { d.adopt(old) }
                s.dispatcher = d
            } else {
                s.dispatcher = nil
            }
            s.dirty = true
            return retired
        }
        state.broadcast()
        if !retired.isEmpty {
            // Removed receivers finish their current attempt (bounded by its timeout) off this thread.
            _ = try? NativeThread.spawn(name: "notify-retire") { for t in retired { t.join() } }
        }
    }

    /// Takes the full current alert list after an evaluation (and the fingerprints of pending
    /// alerts, see ``Dispatcher/update(alerts:pending:now:)``), flushes groups that are due and
    /// pushes to Alertmanager's API when configured. `activity` (the evaluator's
    /// ``AlertEvaluator/activity``), when given, is kept with the delivery record, so that
    /// after a restart ``restoredActivity`` hands it back.
    public func update(
        alerts: [NotifiableAlert], pending: Set<String> = [], activity: [String: AlertActivity]? = nil, now: Double
    ) {
        let silenced = state.withLock { s -> Set<String> in
            if let activity, !s.stopping, activity != s.activity {
                s.activity = activity
                s.dirty = true
            }
            s.alerts = alerts
            remute(&s, now: now)
            let silenced = Set(s.mutes.silencedBy.keys)
            guard !s.stopping, s.dispatcher != nil else { return silenced }
            s.dispatcher!.update(alerts: alerts, pending: pending, now: now)
            flush(&s, now: now)
            s.dirty = true
            return silenced
        }
        state.broadcast()  // the flush thread re-reads the next due time
        pusher?.push(alerts: alerts, silenced: silenced, now: now)
    }

    /// Hands the latest alerts and what silences them to the pusher after a silence change
    /// or boundary, so Alertmanager learns of it now rather than with the next evaluation.
    private func repush(_ pushed: (alerts: [NotifiableAlert], silenced: Set<String>)?, now: Double) {
        guard let pusher, let pushed else { return }
        pusher.push(alerts: pushed.alerts, silenced: pushed.silenced, now: now)
    }

    /// Flushes groups due at `now` (the flush thread calls this; tests may call it directly).
    public func tick(now: Double) {
        let pushed = state.withLock { s -> (alerts: [NotifiableAlert], silenced: Set<String>)? in
            var pushed: (alerts: [NotifiableAlert], silenced: Set<String>)?
            if let next = s.mutes.nextChange, next <= now {
                remute(&s, now: now)
                pushed = (s.alerts, Set(s.mutes.silencedBy.keys))
            }
            if !s.stopping, s.dispatcher != nil { flush(&s, now: now) }
            return pushed
        }
        repush(pushed, now: now)
    }

    /// Flushes due groups straight into the schedulers, one result at a time (a result the
    /// scheduler already holds is freed at once), and logs only notifications that became
    /// pending: an unchanged group re-flushed while its receiver is down is not news.
    private func flush(_ s: inout State, now: Double) {
        s.dispatcher!.muted = s.mutes.muted
        let schedulers = s.schedulers
        let isHeld = {
            (integration: IntegrationID, groupID: String, firing: Set<String>, resolved: Set<String>, count: Int) in
            schedulers[integration]?.holds(groupID: groupID, firing: firing, resolved: resolved, alertCount: count)
                ?? false
        }
        s.dispatcher!.flush(now: now, isHeld: isHeld) { f in
            guard let scheduler = schedulers[f.integration] else { return }
            let changed = scheduler.offer(groupID: f.groupID, f.notification)
            if changed, let n = f.notification {
                logger.info(
                    "notifying receiver",
                    metadata: [
                        "receiver": "\(n.receiver)", "integration": "\(n.integration)", "group_key": "\(n.groupKey)",
                        "reason": "\(n.reason.rawValue)", "alerts": "\(n.alerts.count)", "status": "\(n.status)",
                    ])
            }
        }
    }

    /// Makes the mute status again from the latest alerts, inhibit rules and silences.
    private func remute(_ s: inout State, now: Double) {
        s.mutes = MuteStatus.compute(
            alerts: s.alerts, rules: s.configuration?.inhibitRules ?? [], silences: s.silences, now: now,
            cache: &s.silenceMatches)
    }

    /// Replaces the silences (the silence store calls this after every change and at start):
    /// muting follows at once, a group due now is flushed without the silenced alerts, and the
    /// Alertmanager pusher withholds (or withdraws) them at once.
    public func setSilences(_ silences: [Silence], now: Double) {
        let pushed = state.withLock { s -> (alerts: [NotifiableAlert], silenced: Set<String>) in
            s.silences = silences
            remute(&s, now: now)
            return (s.alerts, Set(s.mutes.silencedBy.keys))
        }
        state.broadcast()
        repush(pushed, now: now)
    }

    /// The latest alert list with what mutes each alert (`GET /api/v2/alerts`), and per alert
    /// fingerprint the receivers its routes lead to.
    public func alertStatus() -> (alerts: [NotifiableAlert], mutes: MuteStatus, receivers: [String: [String]]) {
        state.withLock { s in
            var receivers: [String: [String]] = [:]
            if let route = s.configuration?.route {
                for a in s.alerts {
                    var seen: [String] = []
                    for r in route.match(a.labels) where !seen.contains(r.receiver) { seen.append(r.receiver) }
                    receivers[a.fingerprint] = seen
                }
            }
            return (s.alerts, s.mutes, receivers)
        }
    }

    private func runFlushLoop() {
        let interval =
            Double(options.tickInterval.components.seconds) + Double(options.tickInterval.components.attoseconds) / 1e18
        var trim = MemoryTrim()
        while true {
            let stop = state.withLock { $0.stopping }
            if stop { return }
            tick(now: options.clock())
            saveIfDue(force: false)
            trim.maybeTrim(groups: state.withLock { $0.dispatcher?.groupCount ?? 0 })
            // Sleep until the next group is due (at most one tick interval), or a stop/update.
            let wait = state.withLock { s -> Double in
                let next = [s.dispatcher?.nextFlushTime, s.mutes.nextChange].compactMap { $0 }.filter(\.isFinite).min()
                guard let next else { return interval }
                return min(interval, max(0.01, next - options.clock()))
            }
            let until = MonotonicClock.nanoseconds() + Int64(wait * 1e9)
            state.wait(untilNanoseconds: until, for: { $0.stopping }, then: { _ in () })
        }
    }

    /// Writes the delivery record when storage is configured and something changed, at most
    /// every `storageInterval` unless `force`.
    func saveIfDue(force: Bool) {
        guard let store else { return }
        let record = state.withLock { s -> DeliveryRecord? in
            let now = MonotonicClock.nanoseconds()
            guard s.dirty, force || now - s.lastSave >= Int64(options.storageInterval * 1e9) else { return nil }
            s.dirty = false
            s.lastSave = now
            var record = s.dispatcher?.record() ?? DeliveryRecord(groups: [])
            record.activity = s.activity
            return record
        }
        if let record { store.save(record) }
    }

    /// Stops flushing, gives pending notifications until `deadline` to be delivered (attempts
    /// are cut at it), stops every thread, writes the delivery record when storage is
    /// configured, and reports (and logs) what was not delivered. Call once, at shutdown.
    public func drain(deadline: Deadline) -> DrainReport {
        let (thread, schedulers) = state.withLock { s -> (NativeThread?, [IntegrationID: DeliveryScheduler]) in
            s.stopping = true
            return (s.thread, s.schedulers)
        }
        state.broadcast()
        thread?.join()
        // Drain every integration in parallel so one slow receiver does not eat the others' time.
        let results = Monitor<[IntegrationID: [Notification]]>([:])
        var threads: [NativeThread] = []
        for (id, scheduler) in schedulers {
            let work: @Sendable () -> Void = {
                let left = scheduler.drain(deadline: deadline)
                results.withLock { $0[id] = left }
            }
            if let t = try? NativeThread.spawn(name: "notify-drain", work) { threads.append(t) } else { work() }
        }
        let unpushed = pusher?.drain(deadline: deadline) ?? 0
        for t in threads { t.join() }
        saveIfDue(force: true)
        let undelivered = results.withLock { $0 }.filter { !$0.value.isEmpty }
        if store == nil {
            // Without storage these are lost with the process: given up.
            for (id, left) in undelivered {
                for _ in left { metrics.record(.failed, receiver: id.receiver, now: options.clock()) }
            }
        }
        let report = DrainReport(undelivered: undelivered, unpushedAlertBatches: unpushed)
        if report.isComplete {
            logger.info("notifications flushed")
        } else {
            logger.error(
                store == nil
                    ? "shutdown: notifications not delivered"
                    : "shutdown: notifications not delivered; kept in storage and sent after the restart",
                metadata: [
                    "notifications": "\(report.undeliveredCount)", "alertmanager_batches": "\(unpushed)",
                    "receivers": "\(Set(undelivered.keys.map(\.receiver)).sorted().joined(separator: ","))",
                ])
        }
        return report
    }

    /// True when every delivery thread has ended (after ``drain(deadline:)``: none was
    /// abandoned at the deadline).
    var deliveryThreadsFinished: Bool {
        state.withLock { $0.schedulers.values.allSatisfy(\.threadFinished) }
    }

    /// The delivery metrics; safe to call from any thread (the scrape handler).
    public func metricFamilies() -> [MetricFamily] {
        metrics.metricFamilies()
    }

    /// The count of `result` for `receiver` (tests, reports).
    public func count(_ result: NotifierMetrics.Result, receiver: String) -> Double {
        metrics.count(result, receiver: receiver)
    }

    /// Configuration warnings worth logging at start-up (plain http, insecure TLS, unused receivers).
    public var warnings: [String] { configuration?.warnings ?? [] }

    /// The scrape-time gauges.
    func gauges() -> DeliveryGauges {
        var g = DeliveryGauges()
        g.bytes = budget.bytes
        g.budget = budget.limit
        state.withLock { s in
            for (id, scheduler) in s.schedulers { g.pendingGroups[id.receiver, default: 0] += scheduler.pendingGroups }
            for r in s.configuration?.receivers ?? [] where g.pendingGroups[r.name] == nil {
                g.pendingGroups[r.name] = 0
            }
            g.owedResolves = s.dispatcher?.owedResolvesByReceiver ?? [:]
        }
        if let pusher { g.pendingGroups[AlertmanagerPusher.receiverLabel] = pusher.pendingCount }
        return g
    }
}

/// Lets the metrics read the gauges of the notifier created after them.
/// Weak, so the notifier (which owns the metrics that own this) can be freed.
private final class GaugeSource: Sendable {
    private struct Ref { weak var notifier: Notifier? }
    private let box = Monitor(Ref())
    func set(_ notifier: Notifier) { box.withLock { $0.notifier = notifier } }
    func read() -> DeliveryGauges { box.withLock { $0.notifier }?.gauges() ?? DeliveryGauges() }
}
