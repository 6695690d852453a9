import Alerting
import Testing

@testable import Notify

/// Two rules yielding the same labels give the evaluator two alerts of one fingerprint; to the
/// notifier (as to Alertmanager) that is one alert. Before the fix, both reached the dispatcher
/// and the later one won: a rule that had resolved, listed after one still firing, made the
/// group's alert resolved, and a false "resolved" went out while the alert was still firing.
@Suite struct NotifiableAlertMergeTests {
    let labels = ["alertname": "Up", "queue": "celery"]

    func firing(activeAt: Double) -> Alert {
        Alert(
            labels: labels, annotations: [:], state: .firing, activeAt: activeAt, firedAt: activeAt, lastTrueAt: 1100,
            value: 1)
    }

    func resolved(at time: Double) -> Alert {
        Alert(
            labels: labels, annotations: [:], state: .resolved, activeAt: 900, firedAt: 900, resolvedAt: time,
            lastTrueAt: time, value: 1)
    }

    @Test func firingWinsOverResolvedAndTheEarlierStartIsKept() {
        let merged = NotifiableAlert.from(
            [firing(activeAt: 1000), resolved(at: 1100), firing(activeAt: 950)], externalURL: "", rules: [])
        #expect(merged.count == 1)
        #expect(merged.first?.endsAt == nil)
        #expect(merged.first?.startsAt == 950)
        let bothResolved = NotifiableAlert.from([resolved(at: 1100), resolved(at: 1200)])
        #expect(bothResolved.map(\.endsAt) == [1200])
        // Different labels are different alerts, in order.
        var other = firing(activeAt: 1000)
        other.labels["queue"] = "other"
        other.fingerprint = LabelFingerprint.hex(other.labels)
        #expect(NotifiableAlert.from([firing(activeAt: 1000), other]).map(\.labels["queue"]) == ["celery", "other"])
    }

    @Test func aResolvedTwinSendsNoFalseResolve() throws {
        var d = Dispatcher(configuration: try Fixtures.configuration(DispatcherTests.yaml), makeID: Fixtures.counter())
        d.update(alerts: NotifiableAlert.from([firing(activeAt: 1000)], externalURL: "", rules: []), now: 1000)
        let first = d.deliver(now: 1030)
        #expect(first.count == 1 && first[0].resolvedFingerprints.isEmpty)
        // The second rule fired earlier and has just resolved; the first still fires.
        for now in stride(from: 1100.0, through: 1700, by: 100) {
            d.update(
                alerts: NotifiableAlert.from(
                    [firing(activeAt: 1000), resolved(at: 1100)], externalURL: "", rules: []),
                now: now)
            let sent = d.deliver(now: now)
            #expect(sent.isEmpty, "at \(now): \(sent.map { ($0.reason, $0.resolvedFingerprints) })")
        }
    }
}
