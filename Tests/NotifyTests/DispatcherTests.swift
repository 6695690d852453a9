import Alerting
import Testing

@testable import Notify

extension Dispatcher {
    /// Flushes at `now` and records every notification as delivered at once (a healthy receiver).
    mutating func deliver(now: Double) -> [Notification] {
        let out = tick(now: now)
        for n in out { markDelivered(n, at: now) }
        return out
    }
}

@Suite struct DispatcherTests {
    static let yaml = """
        route:
          receiver: default
          group_by: [alertname]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 1h
          routes:
            - receiver: pager
              matchers: ['severity="page"']
              continue: true
            - receiver: infra
              matchers: ['team=~"infra|ops"']
              group_by: ['...']
              group_wait: 10s
            - receiver: quiet
              matchers: ['team!=""', 'team!~"infra|ops"']
        receivers:
          - name: default
            webhook_configs: [{url: "https://default.example/hook"}]
          - name: pager
            webhook_configs: [{url: "https://pager.example/hook"}]
            slack_configs: [{api_url: "https://hooks.slack.com/services/x", send_resolved: false}]
          - name: infra
            webhook_configs: [{url: "https://infra.example/hook", send_resolved: false}]
          - name: quiet
            webhook_configs: [{url: "https://quiet.example/hook"}]
        """

    func dispatcher() throws -> Dispatcher {
        Dispatcher(configuration: try Fixtures.configuration(Self.yaml), makeID: Fixtures.counter())
    }

    /// A dispatcher restarted at 2000 from the record of one that notified `alert` at 1030.
    func restartedAfterNotifying(
        _ alert: NotifiableAlert, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Dispatcher {
        var d = try dispatcher()
        d.update(alerts: [alert], now: 1000)
        #expect(d.deliver(now: 1030).count == 1, sourceLocation: sourceLocation)
        var restarted = try dispatcher()
        restarted.restore(d.record(), now: 2000)
        return restarted
    }

    @Test func groupWaitThenGroupIntervalThenRepeat() throws {
        var d = try dispatcher()
        let a = Fixtures.alert("Backlog", ["queue": "a"], startsAt: 1000)
        d.update(alerts: [a], now: 1000)
        #expect(d.deliver(now: 1029).isEmpty)  // group_wait not over
        let first = d.deliver(now: 1030)
        #expect(first.count == 1)
        #expect(first[0].integration == IntegrationID(receiver: "default", kind: .webhook, index: 0))
        #expect(first[0].reason == .firstNotification)
        #expect(first[0].groupKey == #"{}:{alertname="Backlog"}"#)
        #expect(first[0].groupLabels == ["alertname": "Backlog"])
        #expect(first[0].id == "msg_1")

        // A second alert joins: sent at the next group_interval, not before.
        let b = Fixtures.alert("Backlog", ["queue": "b"], startsAt: 1100)
        d.update(alerts: [a, b], now: 1100)
        #expect(d.deliver(now: 1329).isEmpty)
        let second = d.deliver(now: 1330)
        #expect(second.count == 1)
        #expect(second[0].reason == .newAlerts)
        #expect(second[0].alerts.map { $0.labels["queue"] } == ["a", "b"])

        // Nothing changes: silent until repeat_interval (1h after the last send) has passed.
        for t in stride(from: 1630.0, to: 1330 + 3600, by: 300) {
            d.update(alerts: [a, b], now: t)
            #expect(d.deliver(now: t).isEmpty, "t=\(t)")
        }
        d.update(alerts: [a, b], now: 4930)
        let repeated = d.deliver(now: 4930)
        #expect(repeated.count == 1)
        #expect(repeated[0].reason == .repeatInterval)
    }

    @Test func resolvedIsSentOnceThenDropped() throws {
        var d = try dispatcher()
        let a = Fixtures.alert("Backlog", ["queue": "a"], startsAt: 1000)
        let b = Fixtures.alert("Backlog", ["queue": "b"], startsAt: 1000)
        d.update(alerts: [a, b], now: 1000)
        #expect(d.deliver(now: 1030).count == 1)
        d.update(alerts: [a], now: 1200)  // b vanished: resolved at 1200
        let n = d.deliver(now: 1330)
        #expect(n.count == 1)
        #expect(n[0].reason == .someResolved)
        #expect(n[0].status == "firing")
        let resolvedB = n[0].alerts.first { $0.labels["queue"] == "b" }
        #expect(resolvedB?.endsAt == 1200)
        #expect(resolvedB?.isResolved(at: 1330) == true)
        // b has left the group: the next interval has nothing new.
        d.update(alerts: [a], now: 1630)
        #expect(d.deliver(now: 1630).isEmpty)
        // a resolves too: "all resolved", then the group is gone.
        d.update(alerts: [], now: 1700)
        let last = d.deliver(now: 1930)
        #expect(last.count == 1)
        #expect(last[0].reason == .allResolved)
        #expect(last[0].status == "resolved")
        #expect(d.groupCount == 0)
    }

    @Test func resolvedBeforeGroupWaitSendsNothing() throws {
        var d = try dispatcher()
        d.update(alerts: [Fixtures.alert("Flap", startsAt: 1000)], now: 1000)
        d.update(alerts: [], now: 1010)
        #expect(d.deliver(now: 1030).isEmpty)
        #expect(d.groupCount == 0)
    }

    @Test func explicitEndTimeResolves() throws {
        var d = try dispatcher()
        d.update(alerts: [Fixtures.alert("X", startsAt: 1000)], now: 1000)
        #expect(d.deliver(now: 1030).count == 1)
        d.update(alerts: [Fixtures.alert("X", startsAt: 1000, endsAt: 1100)], now: 1100)
        let n = d.deliver(now: 1330)
        #expect(n.map(\.reason) == [.allResolved])
        #expect(n.first?.alerts.first?.endsAt == 1100)
    }

    @Test func oldAlertFlushesWithoutGroupWait() throws {
        var d = try dispatcher()
        d.update(alerts: [Fixtures.alert("Old", startsAt: 500)], now: 1000)
        #expect(d.deliver(now: 1000).count == 1)
    }

    @Test func continueAndChildRoutes() throws {
        var d = try dispatcher()
        // severity=page matches pager (continue: true), then team=ops matches infra.
        let both = Fixtures.alert("Down", ["severity": "page", "team": "ops", "queue": "q"], startsAt: 1000)
        d.update(alerts: [both], now: 1000)
        let atInfraWait = d.deliver(now: 1010)
        #expect(atInfraWait.map(\.integration.receiver) == ["infra"])
        // infra groups by all labels.
        #expect(
            atInfraWait[0].groupKey
                == #"{}/{team=~"infra|ops"}:{alertname="Down", queue="q", severity="page", team="ops"}"#)
        let atPagerWait = d.deliver(now: 1030)
        #expect(atPagerWait.map(\.integration.description) == ["pager/webhook[0]", "pager/slack[0]"])
        #expect(atPagerWait[0].groupKey == #"{}/{severity="page"}:{alertname="Down"}"#)
        #expect(atPagerWait[0].id != atPagerWait[1].id)

        // team=web: not infra; quiet matches (team!="" and team!~"infra|ops").
        var d2 = try dispatcher()
        d2.update(alerts: [Fixtures.alert("Down", ["team": "web"], startsAt: 1000)], now: 1000)
        #expect(d2.deliver(now: 1030).map(\.integration.receiver) == ["quiet"])
        // No team label: falls through to the root route.
        var d3 = try dispatcher()
        d3.update(alerts: [Fixtures.alert("Down", startsAt: 1000)], now: 1000)
        #expect(d3.deliver(now: 1030).map(\.integration.receiver) == ["default"])
    }

    @Test func sendResolvedFalseDropsResolvedAlerts() throws {
        var d = try dispatcher()
        let a = Fixtures.alert("Down", ["severity": "page", "queue": "a"], startsAt: 1000)
        let b = Fixtures.alert("Down", ["severity": "page", "queue": "b"], startsAt: 1000)
        d.update(alerts: [a, b], now: 1000)
        #expect(d.deliver(now: 1030).count == 2)
        d.update(alerts: [a], now: 1100)
        let n = d.deliver(now: 1330)
        // The webhook (send_resolved default true) hears about b; Slack (false) does not.
        #expect(n.map(\.integration.description) == ["pager/webhook[0]"])
        d.update(alerts: [], now: 1400)
        let all = d.deliver(now: 1630)
        #expect(all.map(\.integration.description) == ["pager/webhook[0]"])
        #expect(all[0].reason == .allResolved)
    }

    @Test func separateGroupsPerGroupByValue() throws {
        var d = try dispatcher()
        d.update(alerts: [Fixtures.alert("A", startsAt: 1000), Fixtures.alert("B", startsAt: 1000)], now: 1000)
        let n = d.deliver(now: 1030)
        #expect(n.map(\.groupKey) == [#"{}:{alertname="A"}"#, #"{}:{alertname="B"}"#])
        #expect(d.nextFlushTime == 1330)
    }

    @Test func mappingFromEvaluatorAlerts() {
        // Pending alerts are not sent; firing use firedAt; resolved carry resolvedAt.
        let labels = ["alertname": "X"]
        let pending = Alert(labels: labels, annotations: [:], state: .pending, activeAt: 10, lastTrueAt: 20, value: 1)
        let firing = Alert(
            labels: labels, annotations: [:], state: .firing, activeAt: 10, firedAt: 40, lastTrueAt: 50, value: 1)
        let resolved = Alert(
            labels: labels, annotations: [:], state: .resolved, activeAt: 10, firedAt: 40, resolvedAt: 90,
            lastTrueAt: 80,
            value: 1)
        #expect(NotifiableAlert(pending) == nil)
        #expect(NotifiableAlert(firing)?.startsAt == 40)
        #expect(NotifiableAlert(firing)?.endsAt == nil)
        #expect(NotifiableAlert(resolved)?.endsAt == 90)
        #expect(NotifiableAlert(firing)?.fingerprint == firing.fingerprint)
    }

    // MARK: issue 16 — remember only what was delivered

    /// Row 2: a notification that was never delivered is made again at the next flush (the
    /// log is written on delivery, not when the notification is made).
    @Test func undeliveredIsMadeAgainAtTheNextFlush() throws {
        var d = try dispatcher()
        d.update(alerts: [Fixtures.alert("Backlog", ["queue": "a"], startsAt: 1000)], now: 1000)
        let first = d.tick(now: 1030)
        #expect(first.map(\.reason) == [.firstNotification])
        let again = d.tick(now: 1330)  // not delivered: still owed
        #expect(again.map(\.reason) == [.firstNotification])
        d.markDelivered(again[0], at: 1331)
        #expect(d.tick(now: 1630).isEmpty)
    }

    /// Row 2/6: a resolve stays owed until it is delivered; the resolved alert stays in its group.
    @Test func aResolveStaysOwedUntilDelivered() throws {
        var d = try dispatcher()
        let a = Fixtures.alert("Backlog", ["queue": "a"], startsAt: 1000)
        d.update(alerts: [a], now: 1000)
        #expect(d.deliver(now: 1030).count == 1)
        d.update(alerts: [], now: 1100)
        for t in [1330.0, 1630, 1930] {
            let n = d.tick(now: t)  // the receiver is down: nothing delivered
            #expect(n.map(\.reason) == [.allResolved], "t=\(t)")
            #expect(d.owedResolveCount == 1)
        }
        let last = d.deliver(now: 2230)
        #expect(last.map(\.status) == ["resolved"])
        #expect(d.owedResolveCount == 0)
        #expect(d.groupCount == 0)
    }

    /// Row 6: an alert that fired and resolved while the receiver was down is never announced
    /// as firing: the flush withdraws the stale pending notification.
    @Test func aFiringNeverDeliveredIsWithdrawnWhenItResolves() throws {
        var d = try dispatcher()
        d.update(alerts: [Fixtures.alert("Blip", startsAt: 1000)], now: 1000)
        let first = d.flush(now: 1030)
        #expect(first.compactMap(\.notification).map(\.status) == ["firing"])
        d.update(alerts: [], now: 1100)
        let second = d.flush(now: 1330)
        #expect(second.count == 1 && second[0].notification == nil)  // withdraw
        #expect(d.groupCount == 0)
    }

    /// A firing notification delivered after its alert left the group puts the alert back as
    /// resolved, so the receiver still hears the resolve.
    @Test func lateDeliveryOfAFiringMakesTheResolveOwed() throws {
        var d = try dispatcher()
        d.update(alerts: [Fixtures.alert("Slow", startsAt: 1000)], now: 1000)
        let inFlight = d.tick(now: 1030)
        d.update(alerts: [], now: 1100)
        _ = d.flush(now: 1330)  // withdraws; the group is gone
        #expect(d.groupCount == 0)
        d.markDelivered(inFlight[0], at: 1340)  // the old attempt succeeded after all
        #expect(d.owedResolveCount == 1)
        let n = d.deliver(now: 1640)
        #expect(n.map(\.status) == ["resolved"])
        #expect(d.groupCount == 0)
    }

    /// Row 3: a reload keeps the log, groups and owed resolves of receivers still configured;
    /// no duplicate firing; a removed receiver forgets.
    @Test func adoptKeepsWhatReceiversWereTold() throws {
        var d = try dispatcher()
        let a = Fixtures.alert("Backlog", ["queue": "a"], startsAt: 1000)
        let b = Fixtures.alert("Backlog", ["queue": "b"], startsAt: 1000)
        d.update(alerts: [a, b], now: 1000)
        #expect(d.deliver(now: 1030).count == 1)
        d.update(alerts: [a], now: 1100)  // b resolves; its resolve waits for group_interval
        let changed = Self.yaml.replacingOccurrences(
            of: "https://default.example/hook", with: "https://default.example/v2")
        var fresh = Dispatcher(configuration: try Fixtures.configuration(changed), makeID: Fixtures.counter())
        fresh.adopt(d)
        fresh.update(alerts: [a], now: 1200)
        let n = fresh.deliver(now: 1330)
        #expect(n.map(\.reason) == [.someResolved])
        #expect(n.first?.alerts.count == 2)
        #expect(fresh.deliver(now: 1630).isEmpty)  // no duplicate of a

        let removed = Self.yaml.replacingOccurrences(of: "receiver: default", with: "receiver: quiet")
        var other = Dispatcher(configuration: try Fixtures.configuration(removed), makeID: Fixtures.counter())
        other.adopt(fresh)
        // The route now notifies "quiet", which was never told: it hears of a, once.
        let toQuiet = other.deliver(now: 1930)
        #expect(toQuiet.map(\.integration.receiver) == ["quiet"])
        #expect(toQuiet.map(\.reason) == [.firstNotification])
        #expect(other.deliver(now: 2230).isEmpty)
    }

    /// Row 8: the record round-trips through its text form, keeps `startsAt` and sends the
    /// resolve of an alert that ended while the exporter was down.
    @Test func restoreKeepsStartsAtAndOwesResolves() throws {
        var d = try dispatcher()
        let a = Fixtures.alert("Backlog", ["queue": "a\t%,=\n"], startsAt: 1000, annotations: ["s": "x=y,z%"])
        let b = Fixtures.alert("Backlog", ["queue": "b"], startsAt: 1000)
        d.update(alerts: [a, b], now: 1000)
        #expect(d.deliver(now: 1030).count == 1)
        let text = d.record().encoded()
        let decoded = try DeliveryRecord.decode(text)
        #expect(decoded == d.record())

        var restarted = try dispatcher()
        restarted.restore(decoded, now: 2000)
        var reset = a
        reset.startsAt = 2000  // the evaluator starts afresh after a restart
        restarted.update(alerts: [reset], now: 2000)  // b ended while the exporter was down
        let n = restarted.deliver(now: 2000 + 300)
        #expect(n.map(\.reason) == [.someResolved])
        #expect(n.first?.alerts.first { $0.labels["queue"] == "b" }?.isResolved(at: 2300) == true)
        #expect(n.first?.alerts.first { $0.fingerprint == a.fingerprint }?.startsAt == 1000)
    }

    /// After a restart the evaluator may report a still-open incident with a later `startsAt`;
    /// the stored one is kept in the resolve too, although the evaluator keeps reporting the
    /// resolved alert (with its own `startsAt`) at every evaluation until it is sent.
    @Test func resolvedAfterRestartKeepsTheStoredStartsAt() throws {
        let a = Fixtures.alert("Backlog", ["queue": "a"], startsAt: 1000)
        var restarted = try restartedAfterNotifying(a)
        var later = a
        later.startsAt = 2000
        restarted.update(alerts: [later], now: 2000)
        later.endsAt = 2100
        for now in [2100.0, 2115, 2130] { restarted.update(alerts: [later], now: now) }
        let n = restarted.deliver(now: 2400)
        #expect(n.map(\.reason) == [.allResolved])
        #expect(n.first?.alerts.map(\.startsAt) == [1000])
    }

    /// After a restart the evaluator reports a firing alert as pending until `for:` passes
    /// again; that is not a resolve.
    @Test func pendingAfterRestartIsNotAResolve() throws {
        let a = Fixtures.alert("Backlog", ["queue": "a"], startsAt: 1000)
        var restarted = try restartedAfterNotifying(a)
        restarted.update(alerts: [], pending: [a.fingerprint], now: 2000)
        #expect(restarted.deliver(now: 2400).isEmpty)
        #expect(restarted.owedResolveCount == 0)
    }

    /// An attempt with no answer makes its receiver "maybe told": the log is untouched, the
    /// resolve is owed through a flush that finds nothing else to say, the state round-trips
    /// through the record's text, and a delivered resolve ends it.
    @Test func maybeToldOwesTheResolve() throws {
        var d = try dispatcher()
        let a = Fixtures.alert("Backlog", ["queue": "a"], startsAt: 1000)
        d.update(alerts: [a], now: 1000)
        let firing = try #require(d.tick(now: 1030).first)
        d.markMaybeDelivered(firing, at: 1031)
        #expect(d.groups.values.first?.log.isEmpty == true)
        d.update(alerts: [], now: 1040)
        #expect(d.owedResolveCount == 1)
        var record = d.record()
        record.activity = ["f": AlertActivity(activeAt: 900, firedAt: 1000), "g": AlertActivity(activeAt: 950)]
        let decoded = try DeliveryRecord.decode(record.encoded())
        #expect(decoded == record)
        var restarted = try dispatcher()
        restarted.restore(decoded, now: 1050)
        for var x in [d, restarted] {
            let resolved = x.tick(now: 1400)
            #expect(resolved.map(\.reason) == [.allResolved])
            #expect(resolved.first?.status == "resolved")
            x.markDelivered(resolved[0], at: 1401)
            #expect(x.owedResolveCount == 0 && x.groupCount == 0)
        }
    }

    @Test func corruptOrForeignRecordsAreRejected() throws {
        var d = try dispatcher()
        d.update(alerts: [Fixtures.alert("A", startsAt: 1000)], now: 1000)
        _ = d.deliver(now: 1030)
        let good = d.record().encoded()
        let cases: [(String, DeliveryRecordError)] = [
            ("", .unknownHeader), ("hello\n", .unknownHeader), (String(good.dropLast(5)), .truncated),
            (good.replacingOccurrences(of: "\nA\t", with: "\nA\tx\t"), .malformedLine(line: 3)),
        ]
        for (bad, expected) in cases {
            #expect(throws: expected) { try DeliveryRecord.decode(bad) }
        }
    }

    /// Times in a stored record must be finite and within 1e11 s of the epoch: `nan`, `inf` or
    /// `-1e300` trapped formatting an alert's time (API, webhook, PagerDuty, Alertmanager push),
    /// and a `nan` flush time spun the flush thread every 10 ms.
    @Test(arguments: ["nan", "inf", "-inf", "-1e300", "1e300", "100000000001", "-100000000001"])
    func storedTimesOutOfRangeAreMalformed(_ bad: String) throws {
        let fingerprint = Fixtures.alert("A").fingerprint
        let head = DeliveryRecord.header + "\n"
        let group = "G\tg1\t{}:{}\talertname=A\t1000\t1\n"
        let alert = "A\t\(fingerprint)\t1000\t-\talertname=A\t\t\n"
        let log = "L\tr\twebhook\t0\t1000\t\(fingerprint)\t\n"
        let good = head + "R\t\(fingerprint)\t900\t950\n" + group + alert + log + "end\n"
        #expect(try DeliveryRecord.decode(good).groups.count == 1)
        let cases: [(String, Int)] = [
            (head + "R\t\(fingerprint)\t\(bad)\t950\n" + group + "end\n", 2),
            (head + "R\t\(fingerprint)\t900\t\(bad)\n" + group + "end\n", 2),
            (head + "G\tg1\t{}:{}\talertname=A\t\(bad)\t1\n" + "end\n", 2),
            (head + group + "A\t\(fingerprint)\t\(bad)\t-\talertname=A\t\t\n" + "end\n", 3),
            (head + group + "A\t\(fingerprint)\t1000\t\(bad)\talertname=A\t\t\n" + "end\n", 3),
            (head + group + alert + "L\tr\twebhook\t0\t\(bad)\t\(fingerprint)\t\n" + "end\n", 4),
        ]
        for (text, line) in cases {
            #expect(throws: DeliveryRecordError.malformedLine(line: line), "\(text)") {
                try DeliveryRecord.decode(text)
            }
        }
    }

    /// Row 10: `generatorURL` is Prometheus's expression link for the alert's rule.
    @Test func generatorURLLinksTheRuleExpression() throws {
        let rule = try AlertingRule(name: "Backlog", expression: "celery_redis_queue_length{queue=\"a b\"} > 5")
        let firing = Alert(
            labels: ["alertname": "Backlog"], annotations: [:], state: .firing, activeAt: 10, firedAt: 40,
            lastTrueAt: 50, value: 1)
        let other = Alert(
            labels: ["alertname": "Unknown"], annotations: [:], state: .firing, activeAt: 10, firedAt: 40,
            lastTrueAt: 50, value: 1)
        let mapped = NotifiableAlert.from(
            [firing, other], externalURL: "https://exporter.example/", rules: [RuleGroup(name: "g", rules: [rule])])
        #expect(
            mapped.first?.generatorURL
                == "https://exporter.example/graph?g0.expr=celery_redis_queue_length%7Bqueue%3D%22a+b%22%7D+%3E+5&g0.tab=1"
        )
        #expect(mapped.last?.generatorURL == "https://exporter.example/")
    }
}
