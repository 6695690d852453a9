import Foundation
import TestSupport
import Testing

/// Range functions in the running binary: the shipped rules load as they are, and a rule over
/// `increase(…[3s])` of the result counters fires when failures are published on Redis and
/// resolves once they leave the window, from the exporter's own poll history alone.
@Suite(.serialized) struct RangeRulesEndToEndTests {
    @Test func rateRuleFiresAndResolvesFromThePollHistory() throws {
        let redis = try RedisServer()
        let dir = try makeTemporaryDirectory("range-rules")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("fast.yml")
        try """
        groups:
          - name: fast
            rules:
              - alert: TasksFailedRecently
                expr: sum(increase(celery_redis_task_results_total{state="FAILURE"}[3s])) > 0
                annotations:
                  summary: "{{ $value }} failures"
        """.write(to: rules, atomically: true, encoding: .utf8)
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/prometheus/celery-redis-rules.yml").path
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s",
            "--rules.file=\(shipped)", "--rules.file=\(rules.path)",
        ])
        defer { _ = exporter.terminate() }
        func metrics() -> MetricsText { MetricsText(text: (try? exporter.get("/metrics").text) ?? "") }
        let subscribed = waitUntil(timeout: 10) { metrics().value("celery_redis_event_subscriber_up") == 1 }
        #expect(subscribed, "stderr: \(exporter.stderr)")
        // The longest range of the loaded rules (the shipped CeleryQueueNotDraining's 30m) sets the retention.
        #expect(metrics().value("celery_redis_rule_history_retention_seconds") == 1800)
        #expect(
            metrics().value("celery_redis_alerts", ["alertname": "TasksFailedRecently", "alertstate": "firing"]) == nil)

        for id in ["f1", "f2", "f3"] {
            let meta =
                #"{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"}, "traceback": null, "children": [], "date_done": "2026-12-05T00:00:00.000000+00:00", "task_id": "\#(id)"}"#
            _ = try redis.command([Array("PUBLISH".utf8), Array("celery-task-meta-\(id)".utf8), Array(meta.utf8)])
        }
        let firing = waitUntil(timeout: 10) {
            metrics().value("celery_redis_alerts", ["alertname": "TasksFailedRecently", "alertstate": "firing"]) == 1
        }
        #expect(firing, "stderr: \(exporter.stderr)")
        let history = metrics()
        #expect((history.value("celery_redis_rule_history_series") ?? 0) >= 1)
        #expect((history.value("celery_redis_rule_history_samples") ?? 0) >= 2)
        #expect((history.value("celery_redis_rule_history_bytes") ?? 0) > 0)
        // No more failures: once the 3 s window holds only the steady count, the increase is 0.
        let resolved = waitUntil(timeout: 10) {
            metrics().value("celery_redis_alerts", ["alertname": "TasksFailedRecently", "alertstate": "firing"]) == nil
        }
        #expect(resolved, "stderr: \(exporter.stderr)")
        #expect(!exporter.stderr.contains("rule evaluation failed"), "stderr: \(exporter.stderr)")
    }
}
