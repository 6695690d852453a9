import Exposition
import Logging
import Sockets

/// The alert delivery pipeline: ``Dispatcher`` (routing, grouping, timing) feeding one
/// ``DeliveryQueue`` per integration, plus an optional ``AlertmanagerPusher``; the one object
/// the exporter holds.
///
/// Threads: one per integration (delivery) and one "notify-flush" thread that flushes due
/// groups between evaluations (`group_wait` and `group_interval` are not tied to the poll
/// interval). Nothing here runs in Swift concurrency tasks.
///
/// Lifecycle: `init` (loads TLS files, may throw) → ``start()`` → ``update(alerts:now:)`` after
/// every evaluation → ``drain(deadline:)`` on shutdown.
public final class Notifier: Sendable {
    /// The configuration in use (nil when only pushing to Alertmanager).
    public let configuration: AlertingConfiguration?
    /// The per-integration queues.
    public let queues: [IntegrationID: DeliveryQueue]
    /// The optional Alertmanager API pusher.
    public let pusher: AlertmanagerPusher?
    private let metrics: NotifierMetrics
    private let options: NotifierOptions
    private let logger: Logger

    private struct State {
        var dispatcher: Dispatcher?
        var stopping = false
        var thread: NativeThread?
    }
    private let state: Monitor<State>

    /// Builds senders for every integration of `configuration` (TLS files are loaded now) and,
    /// when `alertmanager` is given, a pusher to its API.
    /// - Throws: ``TLSError`` for unreadable certificate files (the loader checks them too).
    public convenience init(
        configuration: AlertingConfiguration?, alertmanager: AlertmanagerPusher.Configuration? = nil,
        options: NotifierOptions = NotifierOptions(), logger: Logger
    ) throws {
        var senders: [IntegrationID: any NotificationSender] = [:]
        var timeouts: [IntegrationID: Double] = [:]
        for receiver in configuration?.receivers ?? [] {
            for (i, w) in receiver.webhooks.enumerated() {
                let id = IntegrationID(receiver: receiver.name, kind: .webhook, index: i)
                senders[id] = try WebhookSender(
                    configuration: w, externalURL: options.externalURL, userAgent: options.userAgent)
                timeouts[id] = w.timeout
            }
            for (i, s) in receiver.slack.enumerated() {
                let id = IntegrationID(receiver: receiver.name, kind: .slack, index: i)
                senders[id] = try SlackSender(configuration: s, userAgent: options.userAgent)
                timeouts[id] = s.timeout
            }
        }
        try self.init(
            configuration: configuration, senders: senders, timeouts: timeouts, alertmanager: alertmanager,
            options: options, logger: logger)
    }

    /// Builds the pipeline with the given senders (tests pass doubles); every integration of
    /// `configuration` must have one.
    public init(
        configuration: AlertingConfiguration?, senders: [IntegrationID: any NotificationSender],
        timeouts: [IntegrationID: Double] = [:], alertmanager: AlertmanagerPusher.Configuration? = nil,
        options: NotifierOptions = NotifierOptions(), logger: Logger
    ) throws {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        var receivers = configuration?.receivers.map(\.name) ?? []
        if alertmanager != nil { receivers.append(AlertmanagerPusher.receiverLabel) }
        let queuesBox = QueueLengths()
        let metrics = NotifierMetrics(receivers: receivers, queueLengths: { queuesBox.lengths() })
        self.metrics = metrics
        var queues: [IntegrationID: DeliveryQueue] = [:]
        for receiver in configuration?.receivers ?? [] {
            for id in receiver.integrations {
                guard let sender = senders[id] else { preconditionFailure("no sender for \(id)") }
                queues[id] = DeliveryQueue(
                    integration: id, sender: sender, capacity: options.queueCapacity, retry: options.retry,
                    timeout: timeouts[id], metrics: metrics, logger: logger, clock: options.clock)
            }
        }
        self.queues = queues
        self.pusher = try alertmanager.map {
            try AlertmanagerPusher(configuration: $0, metrics: metrics, logger: logger, clock: options.clock)
        }
        queuesBox.set(Array(queues.values), pusher: pusher)
        self.state = Monitor(State(dispatcher: configuration.map { Dispatcher(configuration: $0) }))
    }

    /// Starts the delivery threads, the pusher's thread and the flush thread.
    public func start() throws {
        for queue in queues.values { try queue.start() }
        try pusher?.start()
        try state.withLock { s in
            guard s.thread == nil, !s.stopping, s.dispatcher != nil else { return }
            s.thread = try NativeThread.spawn(name: "notify-flush") { [self] in runFlushLoop() }
        }
    }

    /// Takes the full current alert list after an evaluation, flushes groups that are due and
    /// pushes to Alertmanager's API when configured.
    public func update(alerts: [NotifiableAlert], now: Double) {
        let due = state.withLock { s -> [Notification] in
            guard !s.stopping, s.dispatcher != nil else { return [] }
            s.dispatcher!.update(alerts: alerts, now: now)
            return s.dispatcher!.tick(now: now)
        }
        enqueue(due)
        state.broadcast()  // the flush thread re-reads the next due time
        pusher?.push(alerts: alerts, now: now)
    }

    /// Flushes groups due at `now` (the flush thread calls this; tests may call it directly).
    public func tick(now: Double) {
        let due = state.withLock { s -> [Notification] in
            guard !s.stopping else { return [] }
            return s.dispatcher?.tick(now: now) ?? []
        }
        enqueue(due)
    }

    private func enqueue(_ notifications: [Notification]) {
        for n in notifications {
            guard let queue = queues[n.integration] else { continue }
            logger.info(
                "notifying receiver",
                metadata: [
                    "receiver": "\(n.receiver)", "integration": "\(n.integration)", "group_key": "\(n.groupKey)",
                    "reason": "\(n.reason.rawValue)", "alerts": "\(n.alerts.count)", "status": "\(n.status)",
                ])
            queue.enqueue(n)
        }
    }

    private func runFlushLoop() {
        let interval =
            Double(options.tickInterval.components.seconds) + Double(options.tickInterval.components.attoseconds) / 1e18
        while true {
            let stop = state.withLock { $0.stopping }
            if stop { return }
            tick(now: options.clock())
            // Sleep until the next group is due (at most one tick interval), or a stop/update.
            let wait = state.withLock { s -> Double in
                guard let next = s.dispatcher?.nextFlushTime else { return interval }
                return min(interval, max(0.01, next - options.clock()))
            }
            let until = monotonicNanoseconds() + Int64(wait * 1e9)
            state.wait(untilNanoseconds: until, for: { $0.stopping }, then: { _ in () })
        }
    }

    /// Stops flushing, gives queued notifications until `deadline` to be delivered, stops every
    /// thread and reports (and logs) what was not delivered. Call once, at shutdown.
    public func drain(deadline: Deadline) -> DrainReport {
        let thread = state.withLock { s -> NativeThread? in
            s.stopping = true
            return s.thread
        }
        state.broadcast()
        thread?.join()
        // Drain every queue in parallel so one slow receiver does not eat the others' time.
        let results = Monitor<[IntegrationID: [Notification]]>([:])
        var threads: [NativeThread] = []
        for (id, queue) in queues {
            if let t = try? NativeThread.spawn(
                name: "notify-drain",
                {
                    let left = queue.drain(deadline: deadline)
                    results.withLock { $0[id] = left }
                })
            {
                threads.append(t)
            } else {
                let left = queue.drain(deadline: deadline)
                results.withLock { $0[id] = left }
            }
        }
        let unpushed = pusher?.drain(deadline: deadline) ?? 0
        for t in threads { t.join() }
        let undelivered = results.withLock { $0 }.filter { !$0.value.isEmpty }
        let report = DrainReport(undelivered: undelivered, unpushedAlertBatches: unpushed)
        if report.isComplete {
            logger.info("notifications flushed")
        } else {
            logger.error(
                "shutdown: notifications not delivered",
                metadata: [
                    "notifications": "\(report.undeliveredCount)", "alertmanager_batches": "\(unpushed)",
                    "receivers": "\(Set(undelivered.keys.map(\.receiver)).sorted().joined(separator: ","))",
                ])
        }
        return report
    }

    /// The delivery metrics; safe to call from any thread (the scrape handler).
    public func metricFamilies() -> [MetricFamily] {
        metrics.metricFamilies()
    }

    /// Configuration warnings worth logging at start-up (plain http, insecure TLS, unused receivers).
    public var warnings: [String] { configuration?.warnings ?? [] }
}

/// Lets the metrics read queue lengths of queues created after the metrics object.
private final class QueueLengths: Sendable {
    private let box = Monitor<([DeliveryQueue], AlertmanagerPusher?)>(([], nil))

    func set(_ queues: [DeliveryQueue], pusher: AlertmanagerPusher?) {
        box.withLock { $0 = (queues, pusher) }
    }

    func lengths() -> [String: Int] {
        let (queues, pusher) = box.withLock { $0 }
        var out: [String: Int] = [:]
        for q in queues { out[q.integration.receiver, default: 0] += q.length }
        if let pusher { out[AlertmanagerPusher.receiverLabel] = pusher.pendingCount }
        return out
    }
}
