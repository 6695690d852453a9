import Foundation
import TestSupport
import Testing

/// Issue 9 rows 6 and 12 through the binary: `--celery.max-queues`, the queue-table metrics and
/// label values capped at 256 bytes, however long the names in Redis are.
@Suite(.serialized) struct BoundedTablesEndToEndTests {
    @Test func longNamesAndTheQueueLimitKeepMetricsSmallAndHonest() throws {
        let redis = try RedisServer()
        let stem = String(repeating: "q", count: 900)
        let huge = String(repeating: "x", count: 1 << 20)
        for queue in ["celery", "high", stem + "-a", stem + "-b", huge] {
            try CelerySeed.bind(redis, queue: queue)
        }
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s", "--celery.max-queues=3",
        ])
        let subscribed = waitUntil(timeout: 10) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value("celery_redis_event_subscriber_up") == 1
        }
        #expect(subscribed, "stderr: \(exporter.stderr)")

        // A worker whose node name is 20 KB, published like a real heartbeat (a bare event body).
        // A megabyte one no longer gets this far: worker events over 64 KiB are refused whole.
        let host = String(repeating: "w", count: 20_000) + "@vm"
        let event = #"{"hostname": "\#(host)", "freq": 2.0, "active": 1, "processed": 3, "type": "worker-heartbeat"}"#
        let envelope = #"{"body": \#(event), "content-type": "application/json", "properties": {}}"#
        _ = try redis.command([Array("PUBLISH".utf8), Array("/0.celeryev/worker.heartbeat".utf8), Array(envelope.utf8)])

        var metrics = MetricsText(text: "")
        let settled = waitUntil(timeout: 10) {
            metrics = MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
            return metrics.value("celery_redis_workers") == 1 && metrics.value("celery_redis_discovered_queues") == 3
        }
        #expect(settled, "stderr: \(exporter.stderr)")
        // Three of the four eligible queues (ties go by name), one over the limit, one name too long.
        #expect(metrics.value("celery_redis_discovered_queues_limit") == 3)
        #expect(metrics.value("celery_redis_discovered_queues_ignored", ["reason": "over_limit"]) == 1)
        #expect(metrics.value("celery_redis_discovered_queues_ignored", ["reason": "name_too_long"]) == 1)
        #expect(metrics.value("celery_redis_discovered_queues_evicted_total") == 0)
        #expect(metrics.value("celery_redis_queue_length", ["queue": "celery"]) == 0)
        #expect(metrics.value("celery_redis_label_values_truncated_total", ["kind": "queue"]) == 1)
        #expect(metrics.value("celery_redis_label_values_truncated_total", ["kind": "worker"]) == 1)
        #expect(exporter.stderr.contains("--celery.max-queues"), "no warning logged: \(exporter.stderr)")

        // Every label value is at most 256 bytes; the shortened ones end in "…" and 8 hex digits.
        let response = try exporter.get("/metrics")
        #expect(response.body.count < 64 * 1024, "/metrics is \(response.body.count) bytes")
        let values = response.text.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(values.allSatisfy { $0.utf8.count <= 256 })
        let shortened = Set(values.filter { $0.contains("\u{2026}") })
        #expect(shortened.count == 2, "expected one queue and one worker label shortened: \(shortened)")
        #expect(shortened.contains { $0.hasPrefix("qqqq") } && shortened.contains { $0.hasPrefix("wwww") })
        #expect(metrics.text.contains("celery_redis_worker_up{worker=\"www"))

        let lint = try runCommand(try requireTool("promtool"), ["check", "metrics"], input: Data(response.body))
        #expect(
            lint.status == 0 && lint.stdout.isEmpty && lint.stderr.isEmpty, "promtool: \(lint.stdout)\(lint.stderr)")
        #expect(exporter.terminate() == 0)
    }

    @Test(arguments: [
        ["--celery.max-queues=0"], ["--celery.max-queues=1e12"], ["--celery.max-queues=100001"],
        ["--celery.max-workers=0"], ["--celery.max-workers=99999999999999999999"],
    ])
    func outOfRangeLimitsExitWithStatus2(arguments: [String]) throws {
        let result = try runExporterToExit(arguments)
        #expect(result.status == 2)
        let flag = arguments[0].split(separator: "=")[0]
        #expect(result.stderr.contains("\(flag)="), "stderr was: \(result.stderr)")
        #expect(result.stderr.contains("expected a whole number from 1 to"), "stderr was: \(result.stderr)")
    }
}
