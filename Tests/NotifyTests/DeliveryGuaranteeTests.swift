import Foundation
import Logging
import Sockets
import TestSupport
import Testing

@testable import Notify

/// Issue 16, row by row, against real Python receivers (`scripts/webhook_receiver.py`) over
/// real sockets: what a receiver gets when another group, the network, a reload, a restart or
/// a shutdown gets in the way.
@Suite(.serialized) struct DeliveryGuaranteeTests {
    static let fast = RetryConfiguration(initialDelay: 0.1, maxDelay: 0.5, minDelay: 0.05, defaultTimeout: 5)
    static let quiet = Logger(label: "delivery-test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A configuration: `receivers` maps a name to its webhook YAML lines; `routes` are extra
    /// child routes under a root that notifies `root`.
    func config(
        root: String, receivers: [(String, String)], routes: String = "", groupBy: String = "[alertname]",
        interval: String = "1s"
    ) throws -> AlertingConfiguration {
        var yaml = """
            route:
              receiver: \(root)
              group_by: \(groupBy)
              group_wait: 0s
              group_interval: \(interval)
              repeat_interval: 1h
            \(routes)
            receivers:

            """
        for (name, body) in receivers {
            yaml +=
                "  - name: \(name)\n" + body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") + "\n"
        }
        return try Fixtures.configuration(yaml)
    }

    func hook(_ port: UInt16, _ path: String = "/hook", timeout: String = "5s") -> String {
        "webhook_configs:\n  - {url: \"http://127.0.0.1:\(port)\(path)\", timeout: \(timeout)}"
    }

    func notifier(
        _ c: AlertingConfiguration, retry: RetryConfiguration = fast, storage: String? = nil, budget: Int = 16 << 20
    ) throws -> Notifier {
        let n = try Notifier(
            configuration: c,
            options: NotifierOptions(
                byteBudget: budget, retry: retry, tickInterval: .milliseconds(100), storagePath: storage),
            logger: Self.quiet)
        try n.start()
        return n
    }

    func alert(_ name: String, _ extra: [String: String] = [:]) -> NotifiableAlert {
        var labels = extra
        labels["alertname"] = name
        return NotifiableAlert(labels: labels, annotations: ["summary": "s"], startsAt: WallClock.now())
    }

    func plain(_ port: UInt16? = nil, plan: [Int] = [], extra: [String: Any] = [:]) throws -> WebhookReceiver {
        let r = try WebhookReceiver(port: port, tls: nil, plan: plan, extra: extra)
        try r.start()
        return r
    }

    /// (group label value, status) of every request whose answer was 200.
    func delivered(_ r: WebhookReceiver, label: String = "alertname") -> [(String, String)] {
        r.requests.filter { $0.status == 200 }.map {
            (($0.json["groupLabels"] as? [String: String])?[label] ?? "?", $0.json["status"] as? String ?? "?")
        }
    }

    /// Row 1: a group whose payload the receiver answers with 500 never delays the healthy
    /// groups of the same receiver.
    @Test func aPoisonedGroupDoesNotDelayHealthyOnes() throws {
        let r = try plain(extra: ["fail_contains": "Poison"])
        let n = try notifier(try config(root: "hooks", receivers: [("hooks", hook(r.port))]))
        n.update(alerts: [alert("Poison")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { n.count(.retry, receiver: "hooks") >= 3 })
        n.update(alerts: [alert("Poison"), alert("A"), alert("B")], now: WallClock.now())
        #expect(waitUntil(timeout: 5) { Set(delivered(r).map(\.0)) == ["A", "B"] })
        #expect(n.count(.failed, receiver: "hooks") == 0)
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        r.stop()
    }

    /// Row 2: 1200 groups backing up while the receiver is down: every firing arrives, then
    /// every resolve, each exactly once; nothing is dropped.
    @Test func twelveHundredGroupsDownThenUpLoseNothing() throws {
        let port = try freePort()
        let n = try notifier(
            try config(root: "hooks", receivers: [("hooks", hook(port))], groupBy: "[queue]", interval: "2s"))
        let alerts = (0..<1200).map { alert("Backlog", ["queue": "q\($0)"]) }
        n.update(alerts: alerts, now: WallClock.now())
        #expect(waitUntil(timeout: 10) { n.count(.retry, receiver: "hooks") >= 2 })
        let r = try plain(port)
        #expect(waitUntil(timeout: 90) { n.count(.success, receiver: "hooks") >= 1200 })
        n.update(alerts: [], now: WallClock.now())
        #expect(waitUntil(timeout: 90) { n.count(.success, receiver: "hooks") >= 2400 })
        usleepMillis(2500)  // one more group_interval: nothing else may arrive
        let got = delivered(r, label: "queue")
        let firing = got.filter { $0.1 == "firing" }.map(\.0)
        let resolved = got.filter { $0.1 == "resolved" }.map(\.0)
        #expect(firing.count == 1200 && Set(firing).count == 1200)
        #expect(resolved.count == 1200 && Set(resolved).count == 1200)
        #expect(n.count(.dropped, receiver: "hooks") == 0 && n.count(.failed, receiver: "hooks") == 0)
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        r.stop()
    }

    /// Row 3: a reload that changes one receiver while a resolve waits for group_interval:
    /// both receivers get the resolve (the changed one with its new URL), nobody gets a
    /// duplicate firing, counters carry on.
    @Test func reloadKeepsOwedResolvesAndSendsNoDuplicates() throws {
        let r = try plain()
        let routes = """
              routes:
                - {receiver: a, matchers: ['severity="page"'], continue: true}
                - {receiver: b, matchers: ['severity="page"']}
            """
        func cfg(_ bPath: String) throws -> AlertingConfiguration {
            try config(
                root: "a", receivers: [("a", hook(r.port, "/a")), ("b", hook(r.port, bPath))], routes: routes,
                groupBy: "[severity]", interval: "3s")
        }
        let n = try notifier(try cfg("/b"))
        let x = alert("X", ["severity": "page"])
        let y = alert("Y", ["severity": "page"])
        n.update(alerts: [x, y], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { r.requests.count == 2 })
        n.update(alerts: [x], now: WallClock.now())  // Y resolves; the resolve waits for group_interval
        try n.reload(configuration: try cfg("/b2"))
        n.update(alerts: [x], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { r.requests.count == 4 })
        usleepMillis(3500)
        let requests = r.requests
        #expect(requests.map(\.path).sorted() == ["/a", "/a", "/b", "/b2"])
        let after = requests.dropFirst(2)
        #expect(after.allSatisfy { ($0.json["alerts"] as? [[String: Any]])?.count == 2 })
        #expect(after.allSatisfy { $0.body.contains("\"resolved\"") })
        #expect(n.count(.success, receiver: "a") == 2 && n.count(.success, receiver: "b") == 2)
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        r.stop()
    }

    /// Row 10: twenty changing reloads while one receiver hangs leave no threads behind and
    /// reset no counter.
    @Test func reloadsWhileAReceiverHangsPileUpNothing() throws {
        let hang = try plain(extra: ["hang": true])
        let ok = try plain()
        func cfg(_ i: Int) throws -> AlertingConfiguration {
            try config(
                root: "ok",
                receivers: [("ok", hook(ok.port)), ("stuck", hook(hang.port, "/h?v=\(i)", timeout: "30s"))],
                routes: "  routes:\n    - {receiver: stuck, matchers: ['alertname=\"Stuck\"']}")
        }
        let n = try notifier(try cfg(0))
        n.update(alerts: [alert("Fine"), alert("Stuck")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { n.count(.success, receiver: "ok") == 1 && hang.requests.count == 1 })
        let threadsBefore = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count
        for i in 1...20 { try n.reload(configuration: try cfg(i)) }
        let threadsAfter = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count
        #expect(threadsAfter <= threadsBefore + 1, "\(threadsBefore) → \(threadsAfter) threads")
        #expect(n.count(.success, receiver: "ok") == 1)
        n.update(alerts: [alert("Fine"), alert("Fine2"), alert("Stuck")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { n.count(.success, receiver: "ok") == 2 })
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        hang.stop()
        ok.stop()
    }

    /// Row 9 / item 7: an attempt stuck on a receiver that read the request and never answers
    /// (`timeout: 30s`) is cut at the drain deadline: drain returns by then, the delivery
    /// thread has ended (it is not left running), the cut attempt counts as `unknown` (the
    /// request was sent) and not `failed`, and the notification is reported undelivered; with
    /// storage its group is kept and sent after a restart.
    @Test func drainCutsAHangingAttemptAtItsDeadline() throws {
        let hang = try plain(extra: ["hang": true])
        let ok = try plain()
        let storage = try makeTemporaryDirectory("cut").path
        let c = try config(root: "stuck", receivers: [("stuck", hook(hang.port, timeout: "30s"))])
        let n = try notifier(c, storage: storage)
        n.update(alerts: [alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { hang.requests.count == 1 })
        let started = Deadline.monotonicNow()
        let report = n.drain(deadline: Deadline(after: .milliseconds(500)))
        let took = Double(Deadline.monotonicNow() - started) / 1e9
        #expect(took < 1.5, "drain took \(took) s")
        #expect(n.deliveryThreadsFinished, "a delivery thread was abandoned at the deadline")
        #expect(report.undeliveredCount == 1)
        #expect(n.count(.unknown, receiver: "stuck") == 1)
        #expect(n.count(.failed, receiver: "stuck") == 0)
        hang.stop()

        // After a restart (same storage, the receiver now answering) the group is sent.
        let again = try config(root: "stuck", receivers: [("stuck", hook(ok.port))])
        let m = try notifier(again, storage: storage)
        m.update(alerts: [alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { m.count(.success, receiver: "stuck") == 1 })
        #expect(delivered(ok).map(\.0) == ["A"])
        _ = m.drain(deadline: Deadline(after: .milliseconds(200)))
        ok.stop()
    }

    /// Row 4 (outcome part): the receiver read the request but never answered: counted
    /// `unknown`, not `failed`, and retried with the same `webhook-id`.
    @Test func noAnswerIsUnknownAndRetriedWithTheSameID() throws {
        let r = try plain(extra: ["drop_first": 1])
        let secretDir = try makeTemporaryDirectory("unknown").path
        try ("whsec_" + Data("0123456789abcdef0123456789abcdef".utf8).base64EncodedString()).write(
            toFile: secretDir + "/k", atomically: true, encoding: .utf8)
        let body = "signing: {scheme: standard-webhooks, secret_file: \(secretDir)/k}\n" + hook(r.port)
        let n = try notifier(try config(root: "hooks", receivers: [("hooks", body)]))
        n.update(alerts: [alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { n.count(.success, receiver: "hooks") == 1 })
        let ids = r.requests.compactMap { $0.headers["webhook-id"] }
        #expect(ids.count == 2 && Set(ids).count == 1)
        #expect(n.count(.unknown, receiver: "hooks") == 1)
        #expect(n.count(.failed, receiver: "hooks") == 0 && n.count(.retry, receiver: "hooks") == 0)
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        r.stop()
    }

    /// Row 5: 503 with `Retry-After: 0` is not a hot loop.
    @Test func retryAfterZeroIsNotAHotLoop() throws {
        let r = try plain(plan: Array(repeating: 503, count: 1000), extra: ["retry_after": 0])
        let n = try notifier(
            try config(root: "hooks", receivers: [("hooks", hook(r.port))]), retry: RetryConfiguration())
        n.update(alerts: [alert("A")], now: WallClock.now())
        usleepMillis(3000)
        #expect(r.requests.count >= 2 && r.requests.count <= 4, "\(r.requests.count) requests in 3 s")
        _ = n.drain(deadline: Deadline(after: .milliseconds(100)))
        r.stop()
    }

    /// A receiver's `Retry-After` HTTP-date with an absurd year is no Retry-After: the normal
    /// backoff applies and the alert arrives on the next attempt (it trapped converting the year
    /// to `Int32` right after the first 503).
    @Test func absurdRetryAfterYearFallsBackToTheNormalBackoff() throws {
        let r = try plain(plan: [503], extra: ["retry_after": "Wed, 21 Oct 99999999999 07:28:00 GMT"])
        let n = try notifier(try config(root: "hooks", receivers: [("hooks", hook(r.port))]))
        n.update(alerts: [alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { n.count(.success, receiver: "hooks") == 1 })
        #expect(r.requests.map(\.status) == [503, 200])
        #expect(delivered(r).map(\.0) == ["A"])
        _ = n.drain(deadline: Deadline(after: .milliseconds(200)))
        r.stop()
    }

    /// Row 6: after an outage the receiver hears within 30 s, once per group, with the current
    /// state: an alert that fired and resolved meanwhile is never announced as firing.
    @Test func afterAnOutageCurrentStateArrivesWithin30Seconds() throws {
        let port = try freePort()
        let n = try notifier(try config(root: "hooks", receivers: [("hooks", hook(port))]), retry: RetryConfiguration())
        n.update(alerts: [alert("A"), alert("B"), alert("C")], now: WallClock.now())
        usleepMillis(1500)
        n.update(alerts: [alert("A"), alert("C")], now: WallClock.now())  // B resolves while down
        usleepMillis(4000)
        let r = try plain(port)
        let up = Date()
        #expect(waitUntil(timeout: 30) { !r.requests.isEmpty })
        #expect(Date().timeIntervalSince(up) < 30)
        #expect(waitUntil(timeout: 10) { n.count(.success, receiver: "hooks") == 2 })
        usleepMillis(1500)
        let got = delivered(r)
        #expect(got.map(\.0).sorted() == ["A", "C"])
        #expect(got.allSatisfy { $0.1 == "firing" })
        _ = n.drain(deadline: Deadline(after: .milliseconds(100)))
        r.stop()
    }

    /// Row 7: receiver down, 20 routes × 60 alerts, one alert flapping: each group holds one
    /// notification, so the bytes held stop growing; nothing is stacked.
    @Test func heldBytesStayBoundedWhileTheReceiverIsDown() throws {
        let port = try freePort()
        let routes =
            "  routes:\n"
            + (0..<20).map {
                "    - {receiver: r\($0), matchers: ['alertname=\"Backlog\"'], continue: true}"
            }.joined(separator: "\n")
        let receivers = (0..<20).map { ("r\($0)", hook(port)) } + [("hooks", hook(port))]
        let n = try notifier(
            try config(root: "hooks", receivers: receivers, routes: routes, groupBy: "[queue]", interval: "5m"))
        let steady = (0..<59).map { alert("Backlog", ["queue": "q\($0)"]) }
        let flapper = alert("Backlog", ["queue": "flap"])
        var t = WallClock.now()
        var samples: [Int] = []
        for round in 0..<40 {
            n.update(alerts: round % 2 == 0 ? steady + [flapper] : steady, now: t)
            t += 301  // one group_interval per round
            n.tick(now: t)
            samples.append(n.budget.bytes)
        }
        let groups = n.gauges().pendingGroups.values.reduce(0, +)
        #expect(groups <= 20 * 60)
        #expect(samples[39] <= samples[9] + samples[9] / 20, "bytes grew: \(samples[9]) → \(samples[39])")
        #expect(n.count(.dropped, receiver: "r0") == 0)
        _ = n.drain(deadline: Deadline(after: .milliseconds(100)))
    }

    /// Row 8: a restart with `--storage.path` keeps `startsAt` and sends the resolve of an
    /// alert that ended while the exporter was down; a corrupt file is ignored, not fatal.
    @Test func restartWithStorageKeepsStartsAtAndOwedResolves() throws {
        let r = try plain()
        let dir = try makeTemporaryDirectory("storage").path
        let c = try config(root: "hooks", receivers: [("hooks", hook(r.port))])
        var a = alert("A")
        a.startsAt = 1_000_000
        let b = alert("B")
        let first = try notifier(c, storage: dir)
        first.update(alerts: [a, b], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { first.count(.success, receiver: "hooks") == 2 })
        _ = first.drain(deadline: Deadline(after: .milliseconds(500)))
        #expect(FileManager.default.fileExists(atPath: dir + "/delivery-record.txt"))

        let second = try notifier(c, storage: dir)
        var restarted = a
        restarted.startsAt = WallClock.now()  // the evaluator starts afresh
        second.update(alerts: [restarted], now: WallClock.now())  // B ended while down
        #expect(waitUntil(timeout: 10) { r.requests.count == 3 })
        usleepMillis(1500)
        #expect(r.requests.count == 3)  // A is not announced again
        #expect(delivered(r).last.map { "\($0.0) \($0.1)" } == "B resolved")
        let kept = second.state.withLock { $0.dispatcher!.record() }.groups.flatMap(\.alerts)
        #expect(kept.first { $0.fingerprint == a.fingerprint }?.startsAt == 1_000_000)
        _ = second.drain(deadline: Deadline(after: .milliseconds(500)))

        try "garbage\u{0}\n".write(toFile: dir + "/delivery-record.txt", atomically: true, encoding: .utf8)
        let third = try notifier(c, storage: dir)
        #expect(third.state.withLock { $0.dispatcher!.groupCount } == 0)
        _ = third.drain(deadline: Deadline(after: .milliseconds(100)))
        r.stop()
    }

    /// A stored record whose alert starts at -1e300 restored the alert, and the resolve's payload
    /// trapped formatting the time; now the line is malformed, the record is ignored (logged as
    /// any corrupt record) and the notifier goes on delivering.
    @Test func storedRecordWithAnAbsurdTimeIsIgnoredNotFatal() throws {
        let r = try plain()
        let dir = try makeTemporaryDirectory("storage-times").path
        let c = try config(root: "hooks", receivers: [("hooks", hook(r.port))])
        let first = try notifier(c, storage: dir)
        first.update(alerts: [alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { first.count(.success, receiver: "hooks") == 1 })
        _ = first.drain(deadline: Deadline(after: .milliseconds(500)))
        let path = dir + "/delivery-record.txt"
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        let damaged = saved.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("A\t") else { return String(line) }
            var fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            fields[2] = "-1e300"
            return fields.joined(separator: "\t")
        }.joined(separator: "\n")
        #expect(damaged != saved)
        try damaged.write(toFile: path, atomically: true, encoding: .utf8)

        let second = try notifier(c, storage: dir)
        #expect(second.state.withLock { $0.dispatcher!.groupCount } == 0)
        second.update(alerts: [], now: WallClock.now())  // on main: the restored A resolved and trapped
        second.update(alerts: [alert("B")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { second.count(.success, receiver: "hooks") == 1 })
        #expect(delivered(r).map(\.0) == ["A", "B"])
        _ = second.drain(deadline: Deadline(after: .milliseconds(500)))
        r.stop()
    }

    /// Row 9: shutdown while a receiver hangs (30 s timeout) ends by the drain deadline.
    @Test func drainEndsByItsDeadlineWhileTheReceiverHangs() throws {
        let hang = try plain(extra: ["hang": true])
        let n = try notifier(try config(root: "hooks", receivers: [("hooks", hook(hang.port, timeout: "30s"))]))
        n.update(alerts: [alert("A")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { hang.requests.count == 1 })
        let started = Date()
        let report = n.drain(deadline: Deadline(after: .seconds(1)))
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(report.undeliveredCount == 1)
        hang.stop()
    }
}
