import Foundation
import Logging
import Sockets
import TestSupport
import Testing

@testable import Notify

/// Issue 16, the resolves of "maybe told" receivers, against real Python receivers
/// (`scripts/webhook_receiver.py`): a firing notification whose request reached a receiver
/// that never answered (`unknown`) may have opened an incident there, so its resolve is owed
/// through later flushes, reloads and restarts, and goes out once, with nothing stale after it.
@Suite(.serialized) struct MaybeToldTests {
    let base = DeliveryGuaranteeTests()

    /// "group/status" of every request the receiver answered 200, in arrival order.
    func answered(_ r: WebhookReceiver) -> [String] {
        base.delivered(r).map { "\($0.0) \($0.1)" }
    }

    /// A receiver that hangs (the request reached it) on `port`.
    func hanging(_ port: UInt16) throws -> WebhookReceiver {
        try base.plain(port, extra: ["hang": true])
    }

    /// The soak's lost resolve: the firing notification reaches a receiver that hangs past
    /// `timeout` (`unknown`), the alert resolves before any retry succeeds, the receiver comes
    /// back: it gets exactly one resolved for the group and no firing after it.
    @Test func anUnansweredFiringGetsItsResolveOnce() throws {
        let port = try freePort()
        let hang = try hanging(port)
        let c = try base.config(root: "hooks", receivers: [("hooks", base.hook(port, timeout: "1s"))])
        let n = try base.notifier(c)
        n.update(alerts: [base.alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { n.count(.unknown, receiver: "hooks") >= 1 })
        n.update(alerts: [], now: WallClock.now())  // A resolves; the receiver may hold it open
        usleepMillis(2500)  // past group_interval: the flush replaces or withdraws the firing
        #expect(hang.requests.contains { $0.json["status"] as? String == "firing" })
        #expect(n.state.withLock { $0.dispatcher!.owedResolveCount } == 1)
        hang.stop()
        let r = try base.plain(port)
        #expect(waitUntil(timeout: 15) { n.count(.success, receiver: "hooks") >= 1 })
        usleepMillis(2500)  // two more group_intervals: nothing else may arrive
        #expect(answered(r) == ["A resolved"])
        #expect(n.state.withLock { $0.dispatcher!.owedResolveCount } == 0)
        #expect(n.count(.failed, receiver: "hooks") == 0)
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        r.stop()
    }

    /// A restart keeps the owed resolve of a maybe-told receiver: the firing attempt got no
    /// answer, the exporter stopped, the alert ended while it was down; after the restart the
    /// receiver gets exactly one resolved.
    @Test func aRestartKeepsTheResolveOwedToAMaybeToldReceiver() throws {
        let port = try freePort()
        let hang = try hanging(port)
        let dir = try makeTemporaryDirectory("maybe").path
        let c = try base.config(root: "hooks", receivers: [("hooks", base.hook(port, timeout: "1s"))])
        let first = try base.notifier(c, storage: dir)
        first.update(alerts: [base.alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { first.count(.unknown, receiver: "hooks") >= 1 })
        _ = first.drain(deadline: Deadline(after: .milliseconds(300)))
        hang.stop()

        let r = try base.plain(port)
        let second = try base.notifier(c, storage: dir)
        second.update(alerts: [], now: WallClock.now())  // A ended while the exporter was down
        #expect(waitUntil(timeout: 10) { second.count(.success, receiver: "hooks") >= 1 })
        usleepMillis(2500)
        #expect(answered(r) == ["A resolved"])
        _ = second.drain(deadline: Deadline(after: .milliseconds(200)))
        r.stop()
    }

    /// A reload that changes the maybe-told receiver's URL keeps the owed resolve, which goes
    /// out with the new settings, once.
    @Test func aReloadKeepsTheResolveOwedToAMaybeToldReceiver() throws {
        let hang = try hanging(try freePort())
        let r = try base.plain()
        let before = try base.config(root: "hooks", receivers: [("hooks", base.hook(hang.port, timeout: "1s"))])
        let n = try base.notifier(before)
        n.update(alerts: [base.alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { n.count(.unknown, receiver: "hooks") >= 1 })
        n.update(alerts: [], now: WallClock.now())  // A resolves; the resolve waits for the receiver
        usleepMillis(1500)  // past group_interval: the resolve replaced the firing
        try n.reload(configuration: try base.config(root: "hooks", receivers: [("hooks", base.hook(r.port))]))
        #expect(n.state.withLock { $0.dispatcher!.owedResolveCount } == 1)
        #expect(waitUntil(timeout: 10) { n.count(.success, receiver: "hooks") >= 1 })
        usleepMillis(2500)
        #expect(answered(r) == ["A resolved"])
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        hang.stop()
        r.stop()
    }

    /// A firing attempt the receiver answers 503 (slowly) while the alert resolves and the
    /// flush withdraws the group: the attempt is not retried, so the receiver never gets a
    /// stale "firing" for an alert that already ended (nor a resolve for one it never saw).
    @Test func aWithdrawnAttemptIsNotRetried() throws {
        let r = try base.plain(plan: [503], extra: ["slow_first": 1, "slow_seconds": 2])
        let n = try base.notifier(try base.config(root: "hooks", receivers: [("hooks", base.hook(r.port))]))
        n.update(alerts: [base.alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { r.requests.count == 1 })
        n.update(alerts: [], now: WallClock.now())  // resolves while the attempt waits for its answer
        #expect(waitUntil(timeout: 10) { n.count(.retry, receiver: "hooks") == 1 })
        usleepMillis(2500)  // backoff and two group_intervals
        #expect(r.requests.count == 1)
        #expect(answered(r).isEmpty)
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        r.stop()
    }
}
