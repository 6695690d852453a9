import Logging
import Sockets
import TLS

/// One integration's bounded queue, drained in order by its own POSIX thread, with the single
/// retry loop of the notifier.
///
/// - Bounded: ``enqueue(_:)`` refuses a notification when `capacity` are already waiting; the
///   refusal is counted as `dropped` and logged at error level, never silent.
/// - In order: one notification at a time, so a receiver sees a group's notifications in the
///   order they were made (a retrying receiver holds back the ones behind it).
/// - Retries: ``RetryPolicy`` classifies each attempt; retries wait ``RetryConfiguration``'s
///   backoff (or the receiver's `Retry-After`) and stop when the next attempt would start after
///   the retry window; that notification is then counted `failed` and logged.
/// - A thread, not a Swift task: delivery blocks in `poll(2)`, which would starve the
///   cooperative pool.
public final class DeliveryQueue: Sendable {
    /// The integration served.
    public let integration: IntegrationID
    /// The most notifications waiting at once.
    public let capacity: Int
    private let sender: any NotificationSender
    private let retry: RetryConfiguration
    private let metrics: NotifierMetrics
    private let logger: Logger
    private let timeout: Double
    private let clock: @Sendable () -> Double

    private struct State {
        var items: [Notification] = []
        var inFlight = false
        var stopping = false
        var drainDeadline: Int64?
        var undelivered: [Notification] = []
        var thread: NativeThread?
        var finished = false
    }

    private let state = Monitor(State())

    /// A queue for `integration` delivering with `sender`; `timeout` is the per-attempt limit
    /// (seconds), `clock` the wall clock for attempts (injectable for tests).
    public init(
        integration: IntegrationID, sender: any NotificationSender, capacity: Int = 1000,
        retry: RetryConfiguration = RetryConfiguration(), timeout: Double? = nil, metrics: NotifierMetrics,
        logger: Logger, clock: @escaping @Sendable () -> Double = WallClock.now
    ) {
        precondition(capacity >= 1, "queue capacity must be at least 1")
        self.integration = integration
        self.sender = sender
        self.capacity = capacity
        self.retry = retry
        self.timeout = timeout ?? retry.defaultTimeout
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "receiver"] = "\(integration.receiver)"
        logger[metadataKey: "integration"] = "\(integration)"
        self.logger = logger
        self.clock = clock
    }

    /// Waiting notifications, plus the one being attempted.
    public var length: Int {
        state.withLock { $0.items.count + ($0.inFlight ? 1 : 0) }
    }

    /// Queues `notification`; false (counted `dropped`, logged) when the queue is full or draining.
    @discardableResult
    public func enqueue(_ notification: Notification) -> Bool {
        let accepted = state.withLock { s -> Bool in
            guard !s.stopping, s.items.count < capacity else { return false }
            s.items.append(notification)
            return true
        }
        if accepted {
            state.broadcast()
        } else {
            metrics.record(.dropped, receiver: integration.receiver, now: clock())
            logger.error(
                "notification dropped: delivery queue full or shutting down",
                metadata: [
                    "group_key": "\(notification.groupKey)", "capacity": "\(capacity)",
                    "alerts": "\(notification.alerts.count)",
                ])
        }
        return accepted
    }

    /// Starts the delivery thread (once).
    public func start() throws {
        try state.withLock { s in
            guard s.thread == nil, !s.stopping else { return }
            let name = "notify-\(integration.receiver)"
            s.thread = try NativeThread.spawn(name: name) { [self] in run() }
        }
    }

    /// Stops taking notifications, keeps delivering until `deadline`, then stops the thread and
    /// returns what was not delivered (each counted `failed` and logged). Blocks until the
    /// thread has finished.
    public func drain(deadline: Deadline) -> [Notification] {
        let thread = state.withLock { s -> NativeThread? in
            s.stopping = true
            s.drainDeadline = deadline.nanoseconds
            return s.thread
        }
        state.broadcast()
        thread?.join()
        let left = state.withLock { s -> [Notification] in
            let all = s.undelivered + s.items
            s.undelivered = []
            s.items = []
            return all
        }
        for n in left {
            metrics.record(.failed, receiver: integration.receiver, now: clock())
            logger.error(
                "notification not delivered before the shutdown deadline",
                metadata: ["group_key": "\(n.groupKey)", "alerts": "\(n.alerts.count)"])
        }
        return left
    }

    private func run() {
        while true {
            let next = state.wait(
                untilNanoseconds: nil, for: { !$0.items.isEmpty || $0.stopping },
                then: { s -> Notification? in
                    guard !s.items.isEmpty else { return nil }
                    if let d = s.drainDeadline, monotonicNanoseconds() >= d { return nil }
                    s.inFlight = true
                    return s.items.removeFirst()
                })
            guard let notification = next else { return }
            let delivered = deliver(notification)
            state.withLock { s in
                s.inFlight = false
                if !delivered { s.undelivered.append(notification) }
            }
        }
    }

    /// The retry loop. Returns false only when shutdown cut it short (the caller reports those);
    /// success, give-up and an exhausted window are final and counted here.
    private func deliver(_ notification: Notification) -> Bool {
        let windowEnd = monotonicNanoseconds() + Int64(retry.retryWindow * 1e9)
        var attempt = 0
        while true {
            attempt += 1
            var limit = Int64(timeout * 1e9)
            if let d = state.withLock({ $0.drainDeadline }) { limit = min(limit, max(0, d - monotonicNanoseconds())) }
            let now = clock()
            let result = sender.send(notification, now: now, timeout: .nanoseconds(max(limit, 1_000_000)))
            let meta: Logger.Metadata = [
                "group_key": "\(notification.groupKey)", "attempt": "\(attempt)", "detail": "\(result.detail)",
                "notification_id": "\(notification.id)",
            ]
            switch result.decision {
            case .success:
                metrics.record(.success, receiver: integration.receiver, now: clock())
                logger.debug(
                    "notification delivered",
                    metadata: meta.merging(["reason": "\(notification.reason.rawValue)"]) { $1 })
                return true
            case .giveUp:
                metrics.record(.failed, receiver: integration.receiver, now: clock())
                logger.error("notification rejected by the receiver; not retrying", metadata: meta)
                return true
            case .retry(let after):
                metrics.record(.retry, receiver: integration.receiver, now: clock())
                let delay = after ?? retry.backoff(retry: attempt, random: Double.random(in: 0..<1))
                let retryAt = monotonicNanoseconds() + Int64(delay * 1e9)
                if retryAt > windowEnd {
                    metrics.record(.failed, receiver: integration.receiver, now: clock())
                    logger.error(
                        "notification failed: retry window exhausted",
                        metadata: meta.merging(["retry_window_seconds": "\(retry.retryWindow)"]) { $1 })
                    return true
                }
                logger.warning(
                    "notification attempt failed; will retry",
                    metadata: meta.merging(["retry_in_seconds": "\(delay)"]) { $1 })
                // Sleep until the retry time, waking early when a drain starts so the shutdown
                // deadline is honoured.
                let proceed = state.wait(
                    untilNanoseconds: retryAt, for: { $0.drainDeadline.map { $0 < retryAt } ?? false },
                    then: { s -> Bool in
                        guard let d = s.drainDeadline else { return true }
                        return retryAt < d
                    })
                if !proceed {
                    // Draining and the retry would land after the deadline: stop here.
                    return false
                }
                if monotonicNanoseconds() < retryAt {
                    // Woken by a drain whose deadline still allows the retry: wait the rest.
                    state.wait(untilNanoseconds: retryAt, for: { _ in false }, then: { _ in () })
                }
            }
        }
    }
}
