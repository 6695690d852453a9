import Exposition
import Testing

@testable import Celery

@Suite struct TaskNameLimiterTests {
    @Test func aFullTableHealsWhenANameHasBeenIdleForAnHour() {
        var limiter = TaskNameLimiter(limit: 2)
        limiter.advance(to: 0)
        #expect(limiter.label(for: "old.a") == "old.a")
        #expect(limiter.label(for: "old.b") == "old.b")
        limiter.advance(to: 1_800)
        #expect(limiter.label(for: "old.b") == "old.b")  // still in use
        #expect(limiter.label(for: "new.c") == "other")  // full, nobody idle long enough
        limiter.advance(to: 3_600)
        // old.a was last seen at 0: it gives way; old.b (seen at 1800) keeps its slot.
        let (label, evicted) = limiter.labelEvicting(for: "new.c")
        #expect(label == "new.c")
        #expect(evicted == "old.a")
        #expect(limiter.admitted == ["old.b", "new.c"])
        #expect(limiter.label(for: "new.d") == "other")
        #expect(limiter.evicted == 1)
    }

    @Test func liveResultSeriesOfAnEvictedNameAreDropped() {
        let clock = EventsTestClock(0)
        let monitor = CeleryEventMonitor(
            configuration: CeleryEventConfiguration(taskNameLimit: 1), clock: { clock.now })
        func result(_ id: String, _ name: String) -> [UInt8] {
            Array(#"{"status": "SUCCESS", "result": 1, "name": "\#(name)", "task_id": "\#(id)"}"#.utf8)
        }
        monitor.handle(channel: EventsFixtures.resultChannel("1"), payload: result("1", "retired.task"))
        clock.set(10)
        monitor.handle(channel: EventsFixtures.resultChannel("2"), payload: result("2", "renamed.task"))
        var lines = String(decoding: MetricEncoder.encode(monitor.metricFamilies(), as: .prometheusText), as: UTF8.self)
        #expect(lines.contains(#"celery_redis_task_results_total{state="SUCCESS",task="retired.task"} 1"#))
        #expect(lines.contains(#"celery_redis_task_results_total{state="SUCCESS",task="other"} 1"#))

        clock.set(3_700)
        monitor.handle(channel: EventsFixtures.resultChannel("3"), payload: result("3", "renamed.task"))
        lines = String(decoding: MetricEncoder.encode(monitor.metricFamilies(), as: .prometheusText), as: UTF8.self)
        #expect(lines.contains(#"celery_redis_task_results_total{state="SUCCESS",task="renamed.task"} 1"#))
        #expect(!lines.contains("retired.task"))
        #expect(lines.contains("celery_redis_task_names_evicted_total 1"))
    }
}
