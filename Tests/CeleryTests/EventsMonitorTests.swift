import Exposition
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Celery

/// A settable clock for the monitor.
final class EventsTestClock: Sendable {
    private let value: Mutex<Double>
    init(_ start: Double) { value = Mutex(start) }
    var now: Double { value.withLock { $0 } }
    func set(_ t: Double) { value.withLock { $0 = t } }
}

@Suite struct EventsMonitorTests {
    func text(_ families: [MetricFamily]) -> [String] {
        String(decoding: MetricEncoder.encode(families, as: .prometheusText), as: UTF8.self)
            .split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    @Test func rendersEveryFamilyWithDocumentedNamesBeforeAnyMessage() {
        let monitor = CeleryEventMonitor(configuration: CeleryEventConfiguration(), clock: { 0 })
        let names = Set(monitor.metricFamilies().map(\.name))
        #expect(
            names == [
                "celery_redis_task_results", "celery_redis_task_runtime_seconds", "celery_redis_worker_lost_tasks",
                "celery_redis_task_runtime_pending_tasks", "celery_redis_task_runtime_evicted_tasks",
                "celery_redis_worker_up", "celery_redis_worker_tasks_active", "celery_redis_worker_processed_tasks",
                "celery_redis_workers", "celery_redis_workers_evicted",
                "celery_redis_event_heartbeat_frequency_clamped", "celery_redis_worker_restarts",
                "celery_redis_event_subscriber_up",
                "celery_redis_event_subscriber_reconnects", "celery_redis_event_messages",
                "celery_redis_event_decode_errors", "celery_redis_tasks", "celery_redis_task_failures",
                "celery_redis_task_queue_wait_seconds", "celery_redis_task_table_entries",
                "celery_redis_task_table_evicted", "celery_redis_task_events_discarded",
                "celery_redis_task_names_refused",
            ])
        let lines = text(monitor.metricFamilies())
        #expect(lines.contains(#"celery_redis_task_results_total{state="SUCCESS"} 0"#))
        #expect(lines.contains("celery_redis_worker_lost_tasks_total 0"))
        #expect(lines.contains(#"celery_redis_task_runtime_seconds_bucket{le="+Inf"} 0"#))
        #expect(lines.contains("celery_redis_workers 0"))
        #expect(lines.contains("celery_redis_event_subscriber_up 0"))
        #expect(lines.contains(#"celery_redis_event_decode_errors_total{kind="worker"} 0"#))
    }

    @Test func endToEndFromLiteralMessagesWithExplicitTimes() {
        let clock = EventsTestClock(100)
        let monitor = CeleryEventMonitor(configuration: CeleryEventConfiguration(), clock: { clock.now })
        monitor.subscriptionStarted()
        let hb = EventsFixtures.heartbeat(active: 2, processed: 40)
        monitor.handle(channel: hb.channel, payload: hb.payload)
        let other = EventsFixtures.heartbeat(host: "w2@vm", active: 1, processed: 7)
        monitor.handle(channel: other.channel, payload: other.payload)
        let id = "6f98c76c-0000-0000-0000-000000000001"
        monitor.handle(channel: EventsFixtures.resultChannel(id), payload: EventsFixtures.started(id))
        clock.set(101.5)
        monitor.handle(channel: EventsFixtures.resultChannel(id), payload: EventsFixtures.success(id))
        monitor.handle(channel: EventsFixtures.resultChannel("lost"), payload: EventsFixtures.workerLost("lost"))
        monitor.handle(channel: EventsFixtures.resultChannel("bad"), payload: Array("not json".utf8))
        // Not a kombu envelope: a task-event decode error, counted and nothing else.
        monitor.handle(channel: Array("/0.celeryev/task.multi".utf8), payload: Array("garbage".utf8))

        var lines = text(monitor.metricFamilies())
        #expect(lines.contains(#"celery_redis_worker_up{worker="w1@vm"} 1"#))
        #expect(lines.contains(#"celery_redis_worker_tasks_active{worker="w1@vm"} 2"#))
        #expect(lines.contains(#"celery_redis_worker_processed_tasks_total{worker="w1@vm"} 40"#))
        #expect(lines.contains("celery_redis_workers 2"))
        #expect(lines.contains(#"celery_redis_task_results_total{state="STARTED"} 1"#))
        #expect(lines.contains(#"celery_redis_task_results_total{state="SUCCESS"} 1"#))
        #expect(lines.contains(#"celery_redis_task_results_total{state="FAILURE"} 1"#))
        #expect(lines.contains("celery_redis_worker_lost_tasks_total 1"))
        #expect(lines.contains(#"celery_redis_task_runtime_seconds_bucket{le="1"} 0"#))
        #expect(lines.contains(#"celery_redis_task_runtime_seconds_bucket{le="2.5"} 1"#))
        #expect(lines.contains("celery_redis_task_runtime_seconds_sum 1.5"))
        #expect(lines.contains("celery_redis_task_runtime_seconds_count 1"))
        #expect(lines.contains(#"celery_redis_event_decode_errors_total{kind="result"} 1"#))
        #expect(lines.contains(#"celery_redis_event_messages_total{kind="result"} 4"#))
        #expect(lines.contains(#"celery_redis_event_messages_total{kind="worker"} 2"#))
        #expect(lines.contains(#"celery_redis_event_decode_errors_total{kind="task"} 1"#))
        #expect(lines.contains(#"celery_redis_tasks_total{state="SUCCESS"} 1"#))
        #expect(lines.contains(#"celery_redis_tasks_total{state="FAILURE"} 1"#))
        #expect(lines.contains("celery_redis_event_subscriber_up 1"))
        #expect(monitor.liveWorkerHostnames() == nil)  // 1.5 s into the subscription

        // w2 keeps beating; w1 was SIGKILLed: down at the first render after 3 × 2 s.
        for t in stride(from: 102.0, through: 110, by: 2) {
            clock.set(t)
            monitor.handle(channel: other.channel, payload: other.payload)
        }
        clock.set(110.5)
        lines = text(monitor.metricFamilies())
        #expect(lines.contains(#"celery_redis_worker_up{worker="w1@vm"} 0"#))
        #expect(lines.contains(#"celery_redis_worker_tasks_active{worker="w1@vm"} 0"#))
        #expect(lines.contains(#"celery_redis_worker_up{worker="w2@vm"} 1"#))
        #expect(lines.contains("celery_redis_workers 1"))
        #expect(monitor.liveWorkerHostnames() == ["w2@vm"])

        // Reconnect bookkeeping.
        monitor.subscriptionLost()
        #expect(monitor.liveWorkerHostnames() == nil)
        monitor.subscriptionStarted()
        lines = text(monitor.metricFamilies())
        #expect(lines.contains("celery_redis_event_subscriber_reconnects_total 1"))

        // After the forget time (1 h) w1 disappears from the output.
        clock.set(110.5 + 3_600)
        lines = text(monitor.metricFamilies())
        #expect(!lines.contains { $0.contains(#"worker="w1@vm""#) })
    }

    @Test func taskLabelWhenEnabled() {
        let monitor = CeleryEventMonitor(configuration: CeleryEventConfiguration(taskNameLimit: 1), clock: { 0 })
        monitor.handle(
            channel: EventsFixtures.resultChannel("1"),
            payload: EventsFixtures.extended("1", status: "STARTED", name: "app.slow"), at: 10)
        monitor.handle(
            channel: EventsFixtures.resultChannel("1"),
            payload: EventsFixtures.extended("1", status: "SUCCESS", name: "app.slow"), at: 13)
        monitor.handle(
            channel: EventsFixtures.resultChannel("2"),
            payload: EventsFixtures.extended("2", status: "SUCCESS", name: "app.other"), at: 13)
        let lines = text(monitor.metricFamilies(at: 14))
        #expect(lines.contains(#"celery_redis_task_results_total{state="SUCCESS",task="app.slow"} 1"#))
        #expect(lines.contains(#"celery_redis_task_results_total{state="SUCCESS",task="other"} 1"#))
        #expect(lines.contains(#"celery_redis_task_runtime_seconds_sum{task="app.slow"} 3"#))
    }

    @Test(arguments: [0, 3])
    func promtoolAcceptsTheOutput(taskNameLimit: Int) throws {
        let monitor = CeleryEventMonitor(
            configuration: CeleryEventConfiguration(taskNameLimit: taskNameLimit), clock: { 0 })
        monitor.subscriptionStarted(at: 0)
        for (i, host) in ["w1@vm", "celery@host-\"quoted\"", "w3@\u{00e9}"].enumerated() {
            let hb = EventsFixtures.heartbeat(host: EventsFixtures.jsonString(host), active: i, processed: 10 * i)
            monitor.handle(channel: hb.channel, payload: hb.payload, at: Double(i))
        }
        for (i, name) in ["app.a", "app.b", "app.c", "app.d", "app.e"].enumerated() {
            let id = "id-\(i)"
            monitor.handle(
                channel: EventsFixtures.resultChannel(id),
                payload: EventsFixtures.extended(id, status: "STARTED", name: name), at: Double(i))
            monitor.handle(
                channel: EventsFixtures.resultChannel(id),
                payload: EventsFixtures.extended(id, status: "SUCCESS", name: name), at: Double(i) * 7.3)
        }
        monitor.handle(channel: EventsFixtures.resultChannel("l"), payload: EventsFixtures.workerLost("l"), at: 3)
        // promtool parses the text format only (as in ExpositionTests' PromtoolTests).
        for format in [ExpositionFormat.prometheusText] {
            let body = MetricEncoder.encode(monitor.metricFamilies(at: 10), as: format)
            let result = try runCommand(try requireTool("promtool"), ["check", "metrics"], input: Data(body))
            let text = String(decoding: body, as: UTF8.self)
            #expect(result.status == 0, "\(format): \(result.stdout)\(result.stderr)\n\(text)")
            #expect((result.stdout + result.stderr).isEmpty, "\(format): \(result.stdout)\(result.stderr)\n\(text)")
        }
    }

    @Test func garbageFloodNeverCrashes() {
        let monitor = CeleryEventMonitor(configuration: CeleryEventConfiguration(), clock: { 0 })
        var generator = SystemRandomNumberGenerator()
        let channels = [EventsFixtures.resultChannel("x"), EventsFixtures.heartbeat().channel]
        let valid = EventsFixtures.heartbeat().payload
        for i in 0..<2_000 {
            var payload = valid
            // Flip, cut and splice bytes of a valid envelope.
            for _ in 0..<(1 + i % 5) where !payload.isEmpty {
                payload[Int.random(in: 0..<payload.count, using: &generator)] = UInt8.random(
                    in: 0...255, using: &generator)
            }
            if i % 3 == 0 { payload = Array(payload.prefix(Int.random(in: 0...payload.count, using: &generator))) }
            monitor.handle(channel: channels[i % 2], payload: payload, at: Double(i))
        }
        _ = monitor.metricFamilies(at: 2_000)
    }
}
