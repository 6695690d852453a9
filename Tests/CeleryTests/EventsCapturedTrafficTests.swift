import Exposition
import Testing

@testable import Celery

/// Replays real Celery traffic (``EventsCapturedTraffic``) through the monitor, one second apart.
@Suite struct EventsCapturedTrafficTests {
    @Test func realCeleryTrafficDecodesWithoutErrors() {
        let monitor = CeleryEventMonitor(
            configuration: CeleryEventConfiguration(keyPrefix: "prod:", database: 3, taskNameLimit: 10),
            clock: { 0 })
        monitor.subscriptionStarted(at: 0)
        for (i, message) in EventsCapturedTraffic.messages.enumerated() {
            monitor.handle(
                channel: Array(message.channel.utf8), payload: Array(message.payload.utf8), at: Double(i + 1))
        }
        let end = Double(EventsCapturedTraffic.messages.count)
        let lines = String(
            decoding: MetricEncoder.encode(monitor.metricFamilies(at: end), as: .prometheusText), as: UTF8.self
        ).split(separator: "\n").map(String.init)
        for expected in [
            #"celery_redis_event_decode_errors_total{kind="result"} 0"#,
            #"celery_redis_event_decode_errors_total{kind="worker"} 0"#,
            #"celery_redis_event_messages_total{kind="result"} 12"#,
            #"celery_redis_event_messages_total{kind="worker"} 7"#,
            #"celery_redis_task_results_total{state="STARTED",task="app.flaky"} 3"#,
            #"celery_redis_task_results_total{state="RETRY",task="app.flaky"} 2"#,
            #"celery_redis_task_results_total{state="FAILURE",task="app.flaky"} 1"#,
            #"celery_redis_task_results_total{state="FAILURE",task="app.boom"} 1"#,
            #"celery_redis_task_results_total{state="SUCCESS",task="app.add"} 1"#,
            #"celery_redis_task_results_total{state="SUCCESS",task="app.slow"} 1"#,
            #"celery_redis_task_runtime_seconds_count{task="app.flaky"} 1"#,  // the last attempt only
            #"celery_redis_task_runtime_seconds_count{task="app.slow"} 1"#,
            #"celery_redis_task_runtime_pending_tasks 0"#,
            // worker-offline came last (graceful SIGTERM).
            #"celery_redis_worker_up{worker="w1@smoke"} 0"#,
            #"celery_redis_worker_processed_tasks_total{worker="w1@smoke"} 6"#,
            "celery_redis_workers 0",
        ] {
            #expect(lines.contains(expected), "\(expected)\n\(lines.joined(separator: "\n"))")
        }
        #expect(monitor.liveWorkerHostnames(at: end) == [])
    }
}
