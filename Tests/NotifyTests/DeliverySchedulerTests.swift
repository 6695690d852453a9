import Glibc
import Logging
import Sockets
import Testing

@testable import Notify

/// A sender that answers per notification from a rule and records what it was asked.
final class ScriptedSender: NotificationSender {
    private let rule: @Sendable (Notification, Int) -> RetryDecision
    private let sent = Monitor<[(id: String, group: String, now: Double)]>([])
    private let block = Monitor<Bool>(false)
    private let entered = Monitor<Int>(0)

    /// Answers `decisions` in order, then success.
    convenience init(_ decisions: [RetryDecision]) {
        let script = Monitor(decisions)
        self.init { _, _ in script.withLock { $0.isEmpty ? .success : $0.removeFirst() } }
    }

    /// Answers `rule(notification, attempt number of all attempts so far)`.
    init(rule: @escaping @Sendable (Notification, Int) -> RetryDecision) { self.rule = rule }

    func send(_ notification: Notification, now: Double, timeout: Duration) -> DeliveryAttempt {
        let n = entered.withLock {
            $0 += 1
            return $0
        }
        block.wait(untilNanoseconds: nil, for: { !$0 }, then: { _ in () })
        sent.withLock { $0.append((notification.id, notification.groupID, now)) }
        return DeliveryAttempt(decision: rule(notification, n), detail: "scripted")
    }

    var ids: [String] { sent.withLock { $0.map(\.id) } }
    var groups: [String] { sent.withLock { $0.map(\.group) } }
    var attemptsStarted: Int { entered.withLock { $0 } }
    func hold(_ on: Bool) {
        block.withLock { $0 = on }
        block.broadcast()
    }
}

/// The per-integration scheduler with a scripted sender: ordering, coalescing, floors and
/// caps, shutdown. Real receivers are in ``DeliveryGuaranteeTests``.
@Suite struct DeliverySchedulerTests {
    static let id = IntegrationID(receiver: "team", kind: .webhook, index: 0)
    static let fast = RetryConfiguration(initialDelay: 0.02, maxDelay: 0.05, minDelay: 0.01, maxAttemptsPerMinute: 1000)

    func notification(_ n: Int, group: String = "g", alerts: [String]? = nil) -> Notification {
        Notification(
            id: "msg_\(n)", integration: Self.id, groupKey: "{}:{alertname=\"\(group)\"}", groupLabels: [:],
            alerts: (alerts ?? ["A\(n)"]).map { Fixtures.alert($0) }, createdAt: 0, reason: .firstNotification,
            groupID: group)
    }

    final class Delivered: Sendable {
        let ids = Monitor<[String]>([])
    }

    func make(_ sender: ScriptedSender, retry: RetryConfiguration = fast, budget: Int = 1 << 20) -> (
        DeliveryScheduler, NotifierMetrics, Delivered
    ) {
        let metrics = NotifierMetrics(receivers: ["team"], gauges: { DeliveryGauges() })
        let delivered = Delivered()
        let q = DeliveryScheduler(
            integration: Self.id, sender: sender, timeout: nil, retry: retry, budget: ByteBudget(limit: budget),
            metrics: metrics, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            clock: WallClock.now, onDelivered: { n, _ in delivered.ids.withLock { $0.append(n.id) } })
        return (q, metrics, delivered)
    }

    func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            usleepMillis(10)
        }
        return condition()
    }

    @Test func retriesUntilSuccessWithTheSameIDAndRecordsOnlyTheDelivery() throws {
        let sender = ScriptedSender([.retry(after: nil), .unknown, .retry(after: 0.01), .success])
        let (q, m, delivered) = make(sender)
        try q.start()
        q.offer(groupID: "g", notification(1))
        #expect(waitFor { m.count(.success, receiver: "team") == 1 })
        #expect(sender.ids == ["msg_1", "msg_1", "msg_1", "msg_1"])
        #expect(m.count(.retry, receiver: "team") == 2)
        #expect(m.count(.unknown, receiver: "team") == 1)
        #expect(m.count(.failed, receiver: "team") == 0)
        #expect(delivered.ids.withLock { $0 } == ["msg_1"])
        #expect(q.drain(deadline: Deadline(after: .seconds(1))).isEmpty)
    }

    /// Issue 16 row 1: a group the receiver keeps refusing does not hold back the others.
    @Test func aFailingGroupDoesNotBlockTheOthers() throws {
        let sender = ScriptedSender { n, _ in n.groupID == "bad" ? .retry(after: nil) : .success }
        let (q, m, delivered) = make(sender)
        try q.start()
        q.offer(groupID: "bad", notification(1, group: "bad"))
        #expect(waitFor { m.count(.retry, receiver: "team") >= 3 })
        q.offer(groupID: "ok1", notification(2, group: "ok1"))
        q.offer(groupID: "ok2", notification(3, group: "ok2"))
        #expect(waitFor { delivered.ids.withLock { $0 }.sorted() == ["msg_2", "msg_3"] })
        #expect(m.count(.failed, receiver: "team") == 0)
        #expect(q.pendingGroups == 1)  // "bad" keeps retrying
        #expect(q.drain(deadline: Deadline(after: .milliseconds(100))).map(\.id) == ["msg_1"])
    }

    /// A newer flush replaces the pending notification; the receiver never gets the stale one.
    @Test func aNewerFlushReplacesThePendingNotification() throws {
        let sender = ScriptedSender([])
        sender.hold(true)
        let (q, m, delivered) = make(sender)
        try q.start()
        q.offer(groupID: "g", notification(1))
        #expect(waitFor { sender.attemptsStarted == 1 })  // msg_1 in flight
        q.offer(groupID: "g", notification(2))
        q.offer(groupID: "g", notification(3))
        #expect(q.pendingGroups == 1)
        sender.hold(false)
        #expect(waitFor { m.count(.success, receiver: "team") == 2 })
        #expect(sender.ids == ["msg_1", "msg_3"])
        #expect(delivered.ids.withLock { $0 } == ["msg_1", "msg_3"])
        _ = q.drain(deadline: Deadline(after: .seconds(1)))
    }

    /// Same content keeps the pending notification and its id; nil withdraws it.
    @Test func sameContentKeepsTheIDAndNilWithdraws() throws {
        let sender = ScriptedSender(Array(repeating: .retry(after: 0.3), count: 3))
        let (q, m, _) = make(sender)
        try q.start()
        q.offer(groupID: "g", notification(1, alerts: ["X"]))
        #expect(waitFor { m.count(.retry, receiver: "team") == 1 })
        q.offer(groupID: "g", notification(2, alerts: ["X"]))  // same alerts: stays msg_1
        #expect(waitFor { m.count(.retry, receiver: "team") == 2 })
        #expect(sender.ids == ["msg_1", "msg_1"])
        q.offer(groupID: "g", nil)
        #expect(q.pendingGroups == 0)
        usleepMillis(500)
        #expect(sender.ids.count == 2)
        _ = q.drain(deadline: Deadline(after: .seconds(1)))
    }

    @Test func giveUpIsCountedOnceAndNotRetried() throws {
        let sender = ScriptedSender([.giveUp])
        let (q, m, delivered) = make(sender)
        try q.start()
        q.offer(groupID: "a", notification(1, group: "a"))
        #expect(waitFor { m.count(.failed, receiver: "team") == 1 })
        q.offer(groupID: "b", notification(2, group: "b"))
        #expect(waitFor { m.count(.success, receiver: "team") == 1 })
        #expect(sender.ids == ["msg_1", "msg_2"])
        #expect(delivered.ids.withLock { $0 } == ["msg_2"])
        _ = q.drain(deadline: Deadline(after: .seconds(1)))
    }

    /// Issue 16 row 5: `Retry-After: 0` cannot make a hot loop — the floor is 1 s by default.
    @Test func retryAfterZeroIsFloored() throws {
        let sender = ScriptedSender { _, _ in .retry(after: 0) }
        let (q, _, _) = make(sender, retry: RetryConfiguration())
        try q.start()
        q.offer(groupID: "g", notification(1))
        usleepMillis(2500)
        #expect(sender.attemptsStarted >= 2 && sender.attemptsStarted <= 4, "\(sender.attemptsStarted) attempts")
        _ = q.drain(deadline: Deadline(after: .milliseconds(10)))
    }

    /// The per-group cap on attempts per minute holds even with a tiny floor.
    @Test func attemptsPerMinuteAreCapped() throws {
        let sender = ScriptedSender { _, _ in .retry(after: 0) }
        let (q, _, _) = make(
            sender,
            retry: RetryConfiguration(initialDelay: 0.01, maxDelay: 0.01, minDelay: 0.01, maxAttemptsPerMinute: 5))
        try q.start()
        q.offer(groupID: "g", notification(1))
        usleepMillis(1000)
        #expect(sender.attemptsStarted == 5)
        _ = q.drain(deadline: Deadline(after: .milliseconds(10)))
    }

    /// Issue 16 row 9: drain returns by its deadline even while an attempt hangs.
    @Test func drainReturnsByItsDeadlineWhileAnAttemptHangs() throws {
        let sender = ScriptedSender([])
        sender.hold(true)
        let (q, _, _) = make(sender)
        try q.start()
        q.offer(groupID: "g", notification(1))
        #expect(waitFor { sender.attemptsStarted == 1 })
        let started = Deadline.monotonicNow()
        let left = q.drain(deadline: Deadline(after: .milliseconds(300)))
        #expect(Deadline.monotonicNow() - started < 2_000_000_000)
        #expect(left.map(\.id) == ["msg_1"])
        sender.hold(false)
    }

    /// Past the byte budget a notification is not kept (counted `dropped`), never stacked.
    @Test func byteBudgetIsHonoured() throws {
        let sender = ScriptedSender([])
        sender.hold(true)
        let one = notification(1).estimatedBytes
        let (q, m, _) = make(sender, budget: one * 2 + one / 2)
        try q.start()
        for i in 1...5 { q.offer(groupID: "g\(i)", notification(i, group: "g\(i)")) }
        #expect(m.count(.dropped, receiver: "team") == 3)
        #expect(q.pendingGroups == 2)
        sender.hold(false)
        #expect(waitFor { m.count(.success, receiver: "team") == 2 })
        q.offer(groupID: "g3", notification(3, group: "g3"))  // room again: the next flush is kept
        #expect(waitFor { m.count(.success, receiver: "team") == 3 })
        _ = q.drain(deadline: Deadline(after: .seconds(1)))
    }

    @Test func metricFamiliesHaveEveryResultAndTheGauges() {
        var g = DeliveryGauges()
        g.pendingGroups = ["a": 2]
        g.owedResolves = ["a": 1]
        g.bytes = 10
        g.budget = 100
        let gauges = g
        let m = NotifierMetrics(receivers: ["b", "a"], gauges: { gauges })
        m.record(.success, receiver: "a", now: 123)
        let f = m.metricFamilies()
        #expect(
            f.map(\.name) == [
                "celery_redis_notifications", "celery_redis_notification_pending_groups",
                "celery_redis_notification_owed_resolves", "celery_redis_notification_pending_bytes",
                "celery_redis_notification_pending_budget_bytes",
                "celery_redis_notification_last_success_timestamp_seconds",
            ])
        #expect(f[0].samples.count == 10)
        #expect(f[0].samples.first?.labels.map(\.value) == ["a", "success"])
        #expect(f[1].samples.map(\.value) == [2, 0])
        #expect(f[2].samples.map(\.value) == [1, 0])
        #expect(f[3].samples.map(\.value) == [10])
        #expect(f[5].samples.map(\.value) == [123])
    }
}

func usleepMillis(_ ms: Int) {
    var ts = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    nanosleep(&ts, nil)
}
