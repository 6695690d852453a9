import Logging
import Sockets

/// Delivers one integration's notifications, one pending notification per aggregation group,
/// on one POSIX thread that picks whichever group is ready first.
///
/// - No head-of-line blocking: each group has its own due time and backoff; the worker takes
///   the ready group that has waited longest, so a group whose payload the receiver keeps
///   rejecting with 5xx only delays itself.
/// - Current state: ``offer(groupID:_:)`` replaces a group's pending notification with the
///   newer one (or withdraws it with nil); a recovered receiver gets one notification per group
///   with the latest alerts. A flush with unchanged content keeps the pending notification and
///   its `webhook-id`.
/// - Delivered means recorded: on success `onDelivered` writes the dispatcher's notification
///   log; a rejected (4xx) notification is counted `failed` and made again at its group's next
///   flush; nothing else ends a pending notification. An attempt whose request was sent but
///   got no answer calls `onMaybeDelivered` first, so the dispatcher owes the resolve of its
///   firing alerts whatever later replaces or withdraws it.
/// - Withdrawn means gone: when a flush withdraws a group (nothing owed) while its
///   notification is being attempted, a failed attempt is not put back pending, so a stale
///   "firing" is never retried after its alert resolved.
/// - Retries cannot run hot: ``RetryConfiguration`` floors every delay at `minDelay`, caps the
///   backoff at `maxDelay`, and caps attempts per group per minute. When the receiver cannot be
///   reached at all (connect, TLS, timeout) every group waits for one probing attempt, so a dead
///   receiver costs one attempt per backoff step, not one per group. Failure lines are
///   rate-limited.
/// - Shutdown within its deadline: ``drain(deadline:)`` cancels the scheduler's
///   ``CancellationToken`` at the deadline, which cuts an attempt still running (lookup,
///   connect, TLS, write or read) within milliseconds. A cut attempt whose request was sent
///   counts as `unknown`, one that sent nothing is not counted; either way the notification
///   stays pending (reported undelivered, and kept in storage when configured).
/// - A thread, not a Swift task: delivery blocks in `poll(2)`.
final class DeliveryScheduler: Sendable {
    let integration: IntegrationID
    private let retry: RetryConfiguration
    private let metrics: NotifierMetrics
    private let logger: Logger
    private let clock: @Sendable () -> Double
    private let budget: ByteBudget
    private let onDelivered: @Sendable (Notification, Double) -> Void
    private let onMaybeDelivered: @Sendable (Notification, Double) -> Void
    /// Cut every attempt at the drain deadline (or at once for a removed receiver).
    private let cancellation = CancellationToken()

    private struct Slot {
        var pending: Notification?
        var inFlight: Notification?
        /// A flush withdrew the group while `inFlight` was attempted: do not retry it.
        var inFlightWithdrawn = false
        var dueAt: Int64
        var failures = 0
        /// Monotonic start times of the attempts of the last minute.
        var recentAttempts: [Int64] = []
        var isIdle: Bool { pending == nil && inFlight == nil }
    }

    private struct State {
        var slots: [String: Slot] = [:]
        var sender: any NotificationSender
        var timeout: Double
        /// Receiver-wide hold after unreachable attempts (monotonic ns).
        var holdUntil: Int64 = 0
        var unreachableStreak = 0
        var generation = 0
        var stopping = false
        var drainDeadline: Int64?
        var thread: NativeThread?
        var finished = false
        var retryLog = LogLimiter(interval: 10)
        var failLog = LogLimiter(interval: 10)
        var dropLog = LogLimiter(interval: 10)
    }

    private let state: Monitor<State>

    init(
        integration: IntegrationID, sender: any NotificationSender, timeout: Double?, retry: RetryConfiguration,
        budget: ByteBudget, metrics: NotifierMetrics, logger: Logger, clock: @escaping @Sendable () -> Double,
        onDelivered: @escaping @Sendable (Notification, Double) -> Void,
        onMaybeDelivered: @escaping @Sendable (Notification, Double) -> Void = { _, _ in }
    ) {
        self.integration = integration
        self.retry = retry
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "receiver"] = "\(integration.receiver)"
        logger[metadataKey: "integration"] = "\(integration)"
        self.logger = logger
        self.clock = clock
        self.budget = budget
        self.onDelivered = onDelivered
        self.onMaybeDelivered = onMaybeDelivered
        state = Monitor(State(sender: sender, timeout: timeout ?? retry.defaultTimeout))
    }

    /// Groups with a notification pending or being attempted.
    var pendingGroups: Int { state.withLock { $0.slots.values.filter { !$0.isIdle }.count } }

    /// The pending notifications (tests, drain reports).
    var pending: [Notification] {
        state.withLock { s in s.slots.values.compactMap { $0.pending ?? $0.inFlight } }
    }

    /// Swaps the sender and timeout after a reload; the next attempt uses them.
    func reconfigure(sender: any NotificationSender, timeout: Double?) {
        state.withLock { s in
            s.sender = sender
            s.timeout = timeout ?? retry.defaultTimeout
        }
    }

    /// True when the group's pending notification (or, with none pending, the one being
    /// attempted) has this content, so ``offer(groupID:_:)`` would keep it: a flush then need
    /// not make a new one (see ``Notification/sameContent(as:)``).
    func holds(groupID: String, firing: Set<String>, resolved: Set<String>, alertCount: Int) -> Bool {
        state.withLock { s in
            guard let slot = s.slots[groupID],
                let held = slot.pending ?? (slot.inFlightWithdrawn ? nil : slot.inFlight)
            else { return false }
            return held.firingFingerprints == firing && held.resolvedFingerprints == resolved
                && held.alerts.count == alertCount
        }
    }

    /// Makes `notification` the group's pending notification (replacing an older one), or
    /// withdraws the pending one when nil. Returns true when the pending notification changed
    /// (false: same content as the one held, nothing to withdraw, or over the budget).
    @discardableResult
    func offer(groupID: String, _ notification: Notification?) -> Bool {
        var dropped: Notification?
        let changed = state.withLock { s -> Bool in
            var slot = s.slots[groupID] ?? Slot(dueAt: MonotonicClock.nanoseconds())
            let old = slot.pending
            if let n = notification {
                if let old, old.sameContent(as: n) { return false }
                if old == nil, let f = slot.inFlight, f.sameContent(as: n) {
                    // Wanted again: a failed attempt goes back pending with its id.
                    slot.inFlightWithdrawn = false
                    s.slots[groupID] = slot
                    return false
                }
                guard budget.take(n.estimatedBytes - (old?.estimatedBytes ?? 0)) else {
                    // Over budget: keep nothing stale either; the next flush makes it again.
                    if let old { _ = budget.take(-old.estimatedBytes) }
                    slot.pending = nil
                    dropped = n
                    s.slots[groupID] = slot.isIdle ? nil : slot
                    return false
                }
                slot.pending = n
            } else {
                if slot.inFlight != nil && !slot.inFlightWithdrawn {
                    slot.inFlightWithdrawn = true
                    s.slots[groupID] = slot
                }
                guard let old else { return false }
                _ = budget.take(-old.estimatedBytes)
                slot.pending = nil
            }
            s.slots[groupID] = slot.isIdle ? nil : slot
            s.generation &+= 1
            return true
        }
        if changed { state.broadcast() }
        if let dropped {
            metrics.record(.dropped, receiver: integration.receiver, now: clock())
            let admitted = state.withLock { $0.dropLog.admit(now: clock()) }
            if let held = admitted {
                logger.error(
                    "notification not kept: pending notifications are over the byte budget; the group is sent at its next flush",
                    metadata: [
                        "group_key": "\(dropped.groupKey)", "budget_bytes": "\(budget.limit)",
                        "suppressed": "\(held)",
                    ])
            }
        }
        return changed
    }

    /// True once the delivery thread has ended (or never started): drain did not abandon it.
    var threadFinished: Bool { state.withLock { $0.finished || $0.thread == nil } }

    /// Starts the delivery thread (once).
    func start() throws {
        try state.withLock { s in
            guard s.thread == nil, !s.stopping else { return }
            s.thread = try NativeThread.spawn(name: "notify-\(integration.receiver)") { [self] in run() }
        }
    }

    /// Keeps delivering until `deadline` (no attempt starts after it and each is given only
    /// the time left), cuts an attempt still running at the deadline (its cancellation token),
    /// then stops the thread and returns what is still pending. Should an attempt ignore the
    /// token (a sender that does not take one), drain still returns 200 ms after the deadline
    /// and leaves the thread to finish on its own.
    func drain(deadline: Deadline) -> [Notification] {
        let thread = state.withLock { s -> NativeThread? in
            s.stopping = true
            s.drainDeadline = deadline.nanoseconds
            s.generation &+= 1
            return s.thread
        }
        state.broadcast()
        cancellation.cancel(at: deadline)
        let finished = state.wait(
            untilNanoseconds: deadline.nanoseconds + 200_000_000, for: { $0.finished || $0.thread == nil },
            then: { $0.finished })
        if finished {
            thread?.join()
        } else if thread != nil {
            logger.warning("delivery attempt still running at the shutdown deadline; abandoning it")
        }
        return state.withLock { s in
            let left = s.slots.values.compactMap { $0.pending ?? $0.inFlight }
            for n in left { _ = budget.take(-n.estimatedBytes) }
            s.slots = [:]
            return left
        }
    }

    /// Asks the thread to stop after its current attempt without waiting (a removed receiver).
    func stopSoon() -> NativeThread? {
        let thread = state.withLock { s -> NativeThread? in
            s.stopping = true
            s.drainDeadline = MonotonicClock.nanoseconds()
            s.generation &+= 1
            for slot in s.slots.values { if let p = slot.pending { _ = budget.take(-p.estimatedBytes) } }
            s.slots = s.slots.filter { $0.value.inFlight != nil }.mapValues {
                var v = $0
                v.pending = nil
                return v
            }
            return s.thread
        }
        state.broadcast()
        cancellation.cancel()  // the receiver is gone: its attempt's outcome no longer matters
        return thread
    }

    private enum Step {
        case attempt(String, Notification, any NotificationSender, Int64)
        case wait(Int64?, Int)
        case exit
    }

    private func nextStep() -> Step {
        state.withLock { s -> Step in
            let now = MonotonicClock.nanoseconds()
            if let d = s.drainDeadline, now >= d { return .exit }
            var best: (String, Int64)?
            for (id, slot) in s.slots where slot.pending != nil && slot.inFlight == nil {
                let due = max(slot.dueAt, s.holdUntil)
                if best == nil || due < best!.1 || (due == best!.1 && id < best!.0) { best = (id, due) }
            }
            guard let (id, due) = best else { return s.stopping ? .exit : .wait(nil, s.generation) }
            if due > now {
                if let d = s.drainDeadline, due >= d { return .exit }
                return .wait(due, s.generation)
            }
            var slot = s.slots[id]!
            let n = slot.pending!
            slot.pending = nil
            slot.inFlight = n
            slot.inFlightWithdrawn = false
            slot.recentAttempts = slot.recentAttempts.filter { now - $0 < 60_000_000_000 } + [now]
            s.slots[id] = slot
            var limit = Int64(s.timeout * 1e9)
            if let d = s.drainDeadline { limit = min(limit, d - now) }
            return .attempt(id, n, s.sender, max(limit, 1_000_000))
        }
    }

    private func run() {
        while true {
            switch nextStep() {
            case .exit:
                state.withLock { $0.finished = true }
                state.broadcast()
                return
            case .wait(let until, let generation):
                state.wait(untilNanoseconds: until, for: { $0.generation != generation }, then: { _ in () })
            case .attempt(let groupID, let notification, let sender, let limit):
                let result = sender.send(
                    notification, now: clock(), timeout: .nanoseconds(limit), cancellation: cancellation)
                finish(groupID: groupID, notification: notification, result: result)
            }
        }
    }

    private func finish(groupID: String, notification: Notification, result: DeliveryAttempt) {
        let now = clock()
        var meta: Logger.Metadata = [
            "group_key": "\(notification.groupKey)", "detail": "\(result.detail)",
            "notification_id": "\(notification.id)",
        ]
        if cancellation.isCancelled && !result.answered && result.decision != .success {
            cut(groupID: groupID, notification: notification, requestSent: result.decision == .unknown, now: now)
            return
        }
        switch result.decision {
        case .success:
            // Record first, then free the slot, so a flush never sees neither.
            onDelivered(notification, now)
            metrics.record(.success, receiver: integration.receiver, now: now)
            state.withLock { s in
                s.unreachableStreak = 0
                s.holdUntil = 0
                update(&s, groupID) { slot in
                    slot.inFlight = nil
                    slot.failures = 0
                    if let p = slot.pending, p.sameContent(as: notification) {
                        _ = budget.take(-p.estimatedBytes)
                        slot.pending = nil
                    }
                }
            }
            _ = budget.take(-notification.estimatedBytes)
            logger.debug(
                "notification delivered", metadata: meta.merging(["reason": "\(notification.reason.rawValue)"]) { $1 })
        case .giveUp:
            metrics.record(.failed, receiver: integration.receiver, now: now)
            let held = state.withLock { s -> Int? in
                update(&s, groupID) { slot in
                    slot.inFlight = nil
                    slot.failures = 0
                }
                return s.failLog.admit(now: now)
            }
            _ = budget.take(-notification.estimatedBytes)
            if let held {
                meta["suppressed"] = "\(held)"
                logger.error(
                    "notification rejected by the receiver; the group is sent again at its next flush",
                    metadata: meta)
            }
        case .retry, .unknown:
            // Before it can be replaced or withdrawn: the receiver may hold its alerts open now.
            if result.decision == .unknown { onMaybeDelivered(notification, now) }
            metrics.record(result.decision == .unknown ? .unknown : .retry, receiver: integration.receiver, now: now)
            let (delay, held) = state.withLock { s -> (Double, Int?) in
                let mono = MonotonicClock.nanoseconds()
                var delay = 0.0
                if !result.answered {
                    s.unreachableStreak += 1
                    let hold = retry.delay(
                        after: .retry(after: nil), retry: s.unreachableStreak, random: Double.random(in: 0..<1))
                    s.holdUntil = mono + Int64(hold * 1e9)
                }
                update(&s, groupID) { slot in
                    slot.inFlight = nil
                    slot.failures += 1
                    if slot.pending == nil && !slot.inFlightWithdrawn {
                        slot.pending = notification  // retried with the same id
                    } else {
                        _ = budget.take(-notification.estimatedBytes)  // replaced by a newer one, or withdrawn
                    }
                    slot.inFlightWithdrawn = false
                    delay = retry.delay(
                        after: result.decision, retry: slot.failures, random: Double.random(in: 0..<1))
                    var due = mono + Int64(delay * 1e9)
                    let window = slot.recentAttempts.filter { mono - $0 < 60_000_000_000 }
                    if window.count >= retry.maxAttemptsPerMinute {
                        due = max(due, window[window.count - retry.maxAttemptsPerMinute] + 60_000_000_000)
                    }
                    slot.dueAt = due
                }
                return (delay, s.retryLog.admit(now: now))
            }
            if let held {
                meta["retry_in_seconds"] = "\(delay)"
                meta["suppressed"] = "\(held)"
                meta["outcome"] = "\(result.decision == .unknown ? "unknown" : "failed")"
                logger.warning("notification attempt failed; will retry", metadata: meta)
            }
        }
        state.broadcast()
    }

    /// An attempt cut by the drain deadline: the notification stays pending (no backoff, no
    /// log line: the thread is stopping); `unknown` when its request had been sent.
    private func cut(groupID: String, notification: Notification, requestSent: Bool, now: Double) {
        if requestSent {
            onMaybeDelivered(notification, now)
            metrics.record(.unknown, receiver: integration.receiver, now: now)
        }
        state.withLock { s in
            update(&s, groupID) { slot in
                slot.inFlight = nil
                if slot.pending == nil && !slot.inFlightWithdrawn {
                    slot.pending = notification
                } else {
                    _ = budget.take(-notification.estimatedBytes)
                }
                slot.inFlightWithdrawn = false
            }
        }
        state.broadcast()
    }

    private func update(_ s: inout State, _ groupID: String, _ body: (inout Slot) -> Void) {
        guard var slot = s.slots[groupID] else { return }
        body(&slot)
        s.slots[groupID] = slot.isIdle ? nil : slot
        s.generation &+= 1
    }
}
