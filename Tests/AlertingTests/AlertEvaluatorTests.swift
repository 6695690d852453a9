import Exposition
import Testing

@testable import Alerting

@Suite struct AlertEvaluatorTests {
    static let rules = """
        groups:
          - name: celery
            rules:
              - alert: Backlog
                expr: celery_redis_queue_length > 10
                for: 5m
                labels:
                  severity: warning
                  queue_upper: '{{ $labels.queue | toUpper }}'
                annotations:
                  summary: 'Queue {{ $labels.queue }} has {{ $value }} messages'
              - alert: Down
                expr: celery_redis_up == 0
              - alert: Sticky
                expr: celery_redis_up == 0
                for: 1m
                keep_firing_for: 3m
        """

    private func queues(_ values: [String: Double]) -> [MetricFamily] {
        [
            gauge("celery_redis_queue_length", values.map { (["queue": $0.key], $0.value) }),
            gauge("celery_redis_up", [([:], 1)]),
        ]
    }

    private func up(_ value: Double) -> [MetricFamily] { [gauge("celery_redis_up", [([:], value)])] }

    private func only(_ alerts: [Alert], _ name: String) -> [Alert] { alerts.filter { $0.name == name } }

    @Test func pendingThenFiringThenResolved() throws {
        let evaluator = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        var alerts = only(evaluator.evaluate(families: queues(["celery": 50]), now: 1000), "Backlog")
        #expect(alerts.count == 1)
        #expect(alerts[0].state == .pending)
        #expect(alerts[0].activeAt == 1000)
        #expect(
            alerts[0].labels == [
                "alertname": "Backlog", "queue": "celery", "severity": "warning", "queue_upper": "CELERY",
            ])
        #expect(alerts[0].annotations == ["summary": "Queue celery has 50 messages"])

        alerts = only(evaluator.evaluate(families: queues(["celery": 60]), now: 1299), "Backlog")
        #expect(alerts[0].state == .pending)
        #expect(alerts[0].value == 60)
        #expect(alerts[0].annotations["summary"] == "Queue celery has 60 messages")  // expanded each evaluation

        alerts = only(evaluator.evaluate(families: queues(["celery": 70]), now: 1300), "Backlog")
        #expect(alerts[0].state == .firing)
        #expect(alerts[0].firedAt == 1300)
        #expect(alerts[0].activeAt == 1000)
        #expect(alerts[0].lastTrueAt == 1300)

        alerts = only(evaluator.evaluate(families: queues(["celery": 5]), now: 1360), "Backlog")
        #expect(alerts[0].state == .resolved)
        #expect(alerts[0].resolvedAt == 1360)
        #expect(alerts[0].value == 70)  // the last value that made it fire
        #expect(alerts[0].lastTrueAt == 1300)
    }

    /// After a restart (``AlertEvaluator/restore(_:)`` with the saved activity) an alert still
    /// true keeps its `activeAt` and `firedAt` and fires at once; one found true only later, or
    /// saved with a time in the future, is a new incident.
    @Test func restoredActivityKeepsActiveAtAndFiredAt() throws {
        let before = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        _ = before.evaluate(families: queues(["a": 50, "b": 50]), now: 1000)
        _ = before.evaluate(families: queues(["a": 50, "b": 50]), now: 1300)
        let saved = before.activity
        #expect(saved.count == 2 && saved.values.allSatisfy { $0 == AlertActivity(activeAt: 1000, firedAt: 1300) })

        let after = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        after.restore(saved)
        var alerts = only(after.evaluate(families: queues(["a": 50]), now: 2000), "Backlog")
        #expect(alerts.count == 1)
        #expect(alerts[0].state == .firing && alerts[0].activeAt == 1000 && alerts[0].firedAt == 1300)
        alerts = only(after.evaluate(families: queues(["a": 50, "b": 50]), now: 2010), "Backlog")
        let b = try #require(alerts.first { $0.labels["queue"] == "b" })
        #expect(b.state == .pending && b.activeAt == 2010)  // not true at the first evaluation: new

        let future = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        future.restore(saved.mapValues { _ in AlertActivity(activeAt: 9999, firedAt: 9999) })
        alerts = only(future.evaluate(families: queues(["a": 50]), now: 2000), "Backlog")
        #expect(alerts[0].state == .pending && alerts[0].activeAt == 2000)
    }

    @Test func withoutForFiresOnFirstEvaluation() throws {
        let evaluator = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        let alerts = only(evaluator.evaluate(families: up(0), now: 10), "Down")
        #expect(alerts.map(\.state) == [.firing])
        #expect(alerts[0].activeAt == 10)
        #expect(alerts[0].firedAt == 10)
        #expect(alerts[0].labels == ["alertname": "Down"])  // __name__ removed
    }

    @Test func flappingShorterThanForNeverFires() throws {
        let evaluator = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        var now = 0.0
        for cycle in 0..<10 {
            // True for 4 minutes (less than for: 5m), then one false evaluation.
            for _ in 0..<5 {
                let alerts = only(evaluator.evaluate(families: queues(["celery": 50]), now: now), "Backlog")
                #expect(alerts.map(\.state) == [.pending], "cycle \(cycle) at \(now)")
                now += 60
            }
            #expect(only(evaluator.evaluate(families: queues(["celery": 0]), now: now), "Backlog").isEmpty)
            now += 60
        }
    }

    @Test func keepFiringFor() throws {
        let evaluator = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        _ = evaluator.evaluate(families: up(0), now: 0)
        #expect(only(evaluator.evaluate(families: up(0), now: 60), "Sticky").map(\.state) == [.firing])
        // The condition stops at 120: still firing until keep_firing_for (3m) has passed since then.
        var sticky = only(evaluator.evaluate(families: up(1), now: 120), "Sticky")
        #expect(sticky.map(\.state) == [.firing])
        #expect(sticky[0].keepFiringSince == 120)
        #expect(only(evaluator.evaluate(families: up(1), now: 299), "Sticky").map(\.state) == [.firing])
        // True again in the window: keepFiringSince resets, the alert never resolved.
        sticky = only(evaluator.evaluate(families: up(0), now: 300), "Sticky")
        #expect(sticky.map(\.state) == [.firing])
        #expect(sticky[0].keepFiringSince == nil)
        #expect(sticky[0].activeAt == 0)
        _ = evaluator.evaluate(families: up(1), now: 360)
        #expect(only(evaluator.evaluate(families: up(1), now: 539), "Sticky").map(\.state) == [.firing])
        sticky = only(evaluator.evaluate(families: up(1), now: 540), "Sticky")
        #expect(sticky.map(\.state) == [.resolved])
        #expect(sticky[0].resolvedAt == 540)
        // "Down" (no keep_firing_for) resolved at the first false evaluation.
        #expect(only(evaluator.alerts, "Down").first?.resolvedAt == 360)
    }

    @Test func severalLabelSetsAreIndependent() throws {
        let evaluator = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        _ = evaluator.evaluate(families: queues(["a": 50, "b": 1]), now: 0)
        _ = evaluator.evaluate(families: queues(["a": 50, "b": 50]), now: 120)
        var alerts = only(evaluator.evaluate(families: queues(["a": 50, "b": 50]), now: 300), "Backlog")
        #expect(alerts.map { $0.labels["queue"]! } == ["a", "b"])
        #expect(alerts.map(\.state) == [.firing, .pending])
        alerts = only(evaluator.evaluate(families: queues(["a": 1, "b": 50]), now: 420), "Backlog")
        #expect(alerts.map(\.state) == [.resolved, .firing])
        #expect(alerts[1].activeAt == 120)
    }

    @Test func resolvedAlertsAreRetainedFor15MinutesThenANewCycleStarts() throws {
        let evaluator = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        _ = evaluator.evaluate(families: up(0), now: 0)
        _ = evaluator.evaluate(families: up(1), now: 60)
        #expect(only(evaluator.evaluate(families: up(1), now: 60 + 900), "Down").map(\.state) == [.resolved])
        #expect(only(evaluator.evaluate(families: up(1), now: 60 + 901), "Down").isEmpty)

        // Resolved, then true again within retention: a new cycle with a new activeAt.
        _ = evaluator.evaluate(families: up(0), now: 2000)
        _ = evaluator.evaluate(families: up(1), now: 2060)
        let again = only(evaluator.evaluate(families: up(0), now: 2120), "Down")
        #expect(again.map(\.state) == [.firing])
        #expect(again[0].activeAt == 2120)
        #expect(again[0].resolvedAt == nil)
    }

    @Test func reloadKeepsStateOfUnchangedRules() throws {
        let evaluator = AlertEvaluator(groups: try groups(AlertEvaluatorTests.rules))
        _ = evaluator.evaluate(families: queues(["celery": 50]), now: 0)
        // Same rule text (threshold changed but name and labels the same): progress towards `for` is kept.
        let reloaded = AlertEvaluatorTests.rules.replacingOccurrences("> 10", "> 20")
        evaluator.replaceRules(try groups(reloaded))
        var alerts = only(evaluator.evaluate(families: queues(["celery": 50]), now: 300), "Backlog")
        #expect(alerts.map(\.state) == [.firing])
        #expect(alerts[0].activeAt == 0)
        // A rule whose labels changed starts over.
        evaluator.replaceRules(try groups(reloaded.replacingOccurrences("severity: warning", "severity: page")))
        alerts = only(evaluator.evaluate(families: queues(["celery": 50]), now: 360), "Backlog")
        #expect(alerts.map(\.state) == [.pending])
        #expect(alerts[0].activeAt == 360)
    }

    @Test func labelsThatExpandToEmptyAreRemoved() throws {
        let yaml = """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: celery_redis_up == 0
                    labels: {worker: '{{ $labels.worker }}', team: celery}
            """
        let evaluator = AlertEvaluator(groups: try groups(yaml))
        let alerts = evaluator.evaluate(families: [gauge("celery_redis_up", [(["queue": ""], 0)])], now: 0)
        #expect(alerts.map(\.labels) == [["alertname": "A", "team": "celery"]])
    }

    @Test func evaluationErrorsKeepTheRulesState() throws {
        let yaml = """
            groups:
              - name: g
                rules:
                  - alert: Dup
                    expr: sum by (queue) (celery_redis_queue_length) > 0 or on(queue) celery_redis_queue_length
                  - alert: Collide
                    expr: celery_redis_queue_length > 0
                    labels: {queue: same}
            """
        let evaluator = AlertEvaluator(groups: try groups(yaml))
        let alerts = evaluator.evaluate(families: queues(["a": 1, "b": 2]), now: 0)
        #expect(only(alerts, "Dup").count == 2)
        #expect(only(alerts, "Collide").isEmpty)
        #expect(evaluator.lastErrors.map(\.rule) == ["Collide"])
        #expect(evaluator.lastErrors.first?.description.contains("same labelset after applying alert labels") == true)
        #expect(
            evaluator.lastErrors == [RuleEvaluationError(group: "g", rule: "Collide", reason: .duplicateAlertLabelset)])
    }

    @Test func metricFamiliesHaveTheAlertsShape() throws {
        let yaml = """
            groups:
              - name: g
                rules:
                  - alert: Backlog
                    expr: celery_redis_queue_length > 10
                    for: 1m
                    labels: {alertstate: bogus, alertname: bogus, severity: warning}
                  - alert: Down
                    expr: celery_redis_up == 0
            """
        let evaluator = AlertEvaluator(groups: try groups(yaml))
        _ = evaluator.evaluate(
            families: [
                gauge("celery_redis_queue_length", [(["queue": "a"], 50)]), gauge("celery_redis_up", [([:], 0)]),
            ], now: 100.5)
        _ = evaluator.evaluate(
            families: [
                gauge("celery_redis_queue_length", [(["queue": "a"], 50)]), gauge("celery_redis_up", [([:], 1)]),
            ], now: 130)
        let families = evaluator.metricFamilies(now: 130)
        #expect(
            families.map(\.name).prefix(2) == [
                "celery_redis_alerts", "celery_redis_alert_active_since_timestamp_seconds",
            ])
        let alerts = families[0].samples
        #expect(alerts.count == 1)  // Down is resolved: no series
        #expect(
            alerts[0].labels == [
                Label("alertname", "Backlog"), Label("alertstate", "pending"), Label("queue", "a"),
                Label("severity", "warning"),
            ])
        #expect(alerts[0].value == 1)
        #expect(
            families[1].samples[0].labels == [
                Label("alertname", "Backlog"), Label("queue", "a"), Label("severity", "warning"),
            ])
        #expect(families[1].samples[0].value == 100.5)
        #expect(families[1].unit == "seconds")
    }
}
