import Foundation
import TestSupport
import Testing

/// Issue 9: anyone who can publish can send a message of any size on Celery's channels. The
/// exporter drops one over its Pub/Sub budget unread, says so in a metric, and keeps listening.
@Suite(.serialized) struct OversizedPubSubEndToEndTests {
    @Test func aMessageOverTheBudgetIsDroppedCountedAndTheListenerGoesOn() throws {
        let redis = try RedisServer()
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s",
        ])
        let subscribed = waitUntil(timeout: 10) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value("celery_redis_event_subscriber_up") == 1
        }
        #expect(subscribed, "stderr: \(exporter.stderr)")

        // 20 MB on a result channel, built inside Redis so the test sends little.
        let script = "return redis.call('PUBLISH', KEYS[1], string.rep('x', 20000000))"
        _ = try redis.command([
            Array("EVAL".utf8), Array(script.utf8), Array("1".utf8), Array("celery-task-meta-big".utf8),
        ])
        // Then an ordinary result write: it must still be counted.
        let meta =
            #"{"status": "SUCCESS", "result": 3, "traceback": null, "children": [], "date_done": "2026-12-05T00:00:00.000000+00:00", "task_id": "small"}"#
        _ = try redis.command([Array("PUBLISH".utf8), Array("celery-task-meta-small".utf8), Array(meta.utf8)])

        var metrics = MetricsText(text: "")
        let counted = waitUntil(timeout: 10) {
            metrics = MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
            return metrics.value("celery_redis_event_messages_dropped_total") == 1
                && metrics.value("celery_redis_task_results_total", ["state": "SUCCESS"]) == 1
        }
        #expect(
            counted,
            "dropped \(String(describing: metrics.value("celery_redis_event_messages_dropped_total"))), stderr: \(exporter.stderr)"
        )
        #expect(metrics.value("celery_redis_event_subscriber_up") == 1)
        #expect(metrics.value("celery_redis_up") == 1)
        #expect(exporter.terminate() == 0)
    }
}
