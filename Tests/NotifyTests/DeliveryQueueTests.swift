import Glibc
import Logging
import Sockets
import Testing

@testable import Notify

/// A sender that answers from a script and records what it was asked.
final class ScriptedSender: NotificationSender {
    private let script = Monitor<[RetryDecision]>([])
    private let sent = Monitor<[(id: String, now: Double)]>([])
    private let block = Monitor<Bool>(false)
    private let entered = Monitor<Int>(0)

    init(_ decisions: [RetryDecision]) { script.withLock { $0 = decisions } }

    func send(_ notification: Notification, now: Double, timeout: Duration) -> DeliveryAttempt {
        entered.withLock { $0 += 1 }
        block.wait(untilNanoseconds: nil, for: { !$0 }, then: { _ in () })
        sent.withLock { $0.append((notification.id, now)) }
        let d = script.withLock { $0.isEmpty ? RetryDecision.success : $0.removeFirst() }
        return DeliveryAttempt(decision: d, detail: "scripted")
    }

    var ids: [String] { sent.withLock { $0.map(\.id) } }
    var attemptsStarted: Int { entered.withLock { $0 } }
    func hold(_ on: Bool) {
        block.withLock { $0 = on }
        block.broadcast()
    }
}

@Suite struct DeliveryQueueTests {
    static let id = IntegrationID(receiver: "team", kind: .webhook, index: 0)
    static let fast = RetryConfiguration(initialDelay: 0.02, maxDelay: 0.05, retryWindow: 2)

    func notification(_ n: Int) -> Notification {
        Notification(
            id: "msg_\(n)", integration: Self.id, groupKey: "{}:{}", groupLabels: [:],
            alerts: [Fixtures.alert("A\(n)")], createdAt: 0, reason: .firstNotification)
    }

    func make(_ sender: ScriptedSender, capacity: Int = 10, retry: RetryConfiguration = fast) -> (
        DeliveryQueue, NotifierMetrics
    ) {
        let metrics = NotifierMetrics(receivers: ["team"], queueLengths: { [:] })
        let q = DeliveryQueue(
            integration: Self.id, sender: sender, capacity: capacity, retry: retry, metrics: metrics,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return (q, metrics)
    }

    func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            usleepMillis(10)
        }
        return condition()
    }

    @Test func retriesUntilSuccessWithTheSameID() throws {
        let sender = ScriptedSender([.retry(after: nil), .retry(after: 0.01), .retry(after: nil), .success])
        let (q, m) = make(sender)
        try q.start()
        q.enqueue(notification(1))
        #expect(waitFor { m.count(.success, receiver: "team") == 1 })
        #expect(sender.ids == ["msg_1", "msg_1", "msg_1", "msg_1"])
        #expect(m.count(.retry, receiver: "team") == 3)
        #expect(q.drain(deadline: Deadline(after: .seconds(1))).isEmpty)
    }

    @Test func giveUpIsNotRetried() throws {
        let sender = ScriptedSender([.giveUp])
        let (q, m) = make(sender)
        try q.start()
        q.enqueue(notification(1))
        q.enqueue(notification(2))
        #expect(waitFor { m.count(.success, receiver: "team") == 1 })
        #expect(sender.ids == ["msg_1", "msg_2"])
        #expect(m.count(.failed, receiver: "team") == 1)
        _ = q.drain(deadline: Deadline(after: .seconds(1)))
    }

    @Test func retryWindowExhaustedCountsFailed() throws {
        let sender = ScriptedSender(Array(repeating: .retry(after: nil), count: 1000))
        let (q, m) = make(sender, retry: RetryConfiguration(initialDelay: 0.05, maxDelay: 0.1, retryWindow: 0.3))
        try q.start()
        q.enqueue(notification(1))
        #expect(waitFor { m.count(.failed, receiver: "team") == 1 })
        #expect(m.count(.retry, receiver: "team") >= 2)
        _ = q.drain(deadline: Deadline(after: .seconds(1)))
    }

    @Test func fullQueueDropsAndCounts() throws {
        let sender = ScriptedSender([])
        sender.hold(true)
        let (q, m) = make(sender, capacity: 2)
        try q.start()
        #expect(q.enqueue(notification(1)))
        #expect(waitFor { sender.attemptsStarted == 1 && q.length == 1 })  // taken, blocked in send
        #expect(q.enqueue(notification(2)))
        #expect(q.enqueue(notification(3)))
        #expect(!q.enqueue(notification(4)))
        #expect(m.count(.dropped, receiver: "team") == 1)
        #expect(q.length == 3)
        sender.hold(false)
        #expect(waitFor { m.count(.success, receiver: "team") == 3 })
        _ = q.drain(deadline: Deadline(after: .seconds(1)))
    }

    @Test func drainReportsWhatIsLeft() throws {
        let sender = ScriptedSender(Array(repeating: .retry(after: 5), count: 10))
        let (q, m) = make(sender, retry: RetryConfiguration(initialDelay: 5, maxDelay: 5, retryWindow: 60))
        try q.start()
        q.enqueue(notification(1))
        q.enqueue(notification(2))
        #expect(waitFor { sender.ids.count == 1 })
        let started = Deadline.monotonicNow()
        let left = q.drain(deadline: Deadline(after: .milliseconds(300)))
        #expect(Deadline.monotonicNow() - started < 2_000_000_000)  // did not sit out the 5 s backoff
        #expect(left.map(\.id) == ["msg_1", "msg_2"])
        #expect(m.count(.failed, receiver: "team") == 2)
        #expect(!q.enqueue(notification(3)))  // closed after drain
    }

    @Test func metricFamiliesHaveEveryResult() {
        let m = NotifierMetrics(receivers: ["b", "a"], queueLengths: { ["a": 2] })
        m.record(.success, receiver: "a", now: 123)
        let f = m.metricFamilies()
        #expect(
            f.map(\.name) == [
                "celery_redis_notifications", "celery_redis_notification_queue_length",
                "celery_redis_notification_last_success_timestamp_seconds",
            ])
        #expect(f[0].samples.count == 8)
        #expect(f[0].samples.first?.labels.map(\.value) == ["a", "success"])
        #expect(f[1].samples.map(\.value) == [2, 0])
        #expect(f[2].samples.map(\.value) == [123])
    }
}

func usleepMillis(_ ms: Int) {
    var ts = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    nanosleep(&ts, nil)
}
