import Exposition
import TestSupport
import Testing

@testable import Celery

/// Once a task-name (or exception-name) table was full, new names went to `other` with no counter
/// and no log line. Now each refusal is counted (`celery_redis_task_names_refused_total{kind}`)
/// and logged at most once in ten minutes.
@Suite struct TaskNamesRefusedTests {
    @Test func theLimiterCountsEachRefusedLookup() {
        var limiter = TaskNameLimiter(limit: 2)
        limiter.advance(to: 0)
        #expect(limiter.label(for: "app.a") == "app.a")
        #expect(limiter.label(for: "app.b") == "app.b")
        #expect(limiter.refused == 0)
        #expect(limiter.label(for: "app.c") == "other")
        #expect(limiter.label(for: "app.c") == "other")
        #expect(limiter.refused == 2)
        // Admitted names, missing names and "other" itself are not refusals.
        #expect(limiter.label(for: "app.a") == "app.a")
        #expect(limiter.label(for: nil) == "other")
        #expect(limiter.label(for: "") == "other")
        #expect(limiter.label(for: "other") == "other")
        #expect(limiter.refused == 2)
        // Healing is not a refusal: after an hour app.b (unseen since 0) gives way.
        limiter.advance(to: 3_600)
        #expect(limiter.label(for: "app.a") == "app.a")
        #expect(limiter.label(for: "app.d") == "app.d")
        #expect(limiter.refused == 2 && limiter.evicted == 1)
        // The breakdown off: nothing is refused, everything is "other".
        var off = TaskNameLimiter(limit: 0)
        #expect(off.label(for: "app.a") == "other")
        #expect(off.refused == 0)
    }

    func lines(_ monitor: CeleryEventMonitor, at now: Double) -> [String] {
        String(decoding: MetricEncoder.encode(monitor.metricFamilies(at: now), as: .prometheusText), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    func failure(_ id: String, name: String, exception: String) -> [UInt8] {
        Array(
            #"{"status": "FAILURE", "result": {"exc_type": "\#(exception)", "exc_message": ["x"], "exc_module": "builtins"}, "traceback": null, "name": "\#(name)", "task_id": "\#(id)"}"#
                .utf8)
    }

    @Test func liveResultsCountAndLogRefusedTaskAndExceptionNames() {
        let recorder = LogRecorder()
        let monitor = CeleryEventMonitor(
            configuration: CeleryEventConfiguration(taskNameLimit: 1, exceptionNameLimit: 1),
            logger: recorder.logger(), clock: { 0 })
        func refusals() -> [String] { recorder.messages.filter { $0.contains("name table full") } }
        let results: [(String, String, String)] = [
            ("1", "app.a", "ValueError"), ("2", "app.b", "KeyError"), ("3", "app.c", "KeyError"),
            ("4", "app.a", "ValueError"),
        ]
        for (id, name, exception) in results {
            monitor.handle(
                channel: EventsFixtures.resultChannel(id), payload: failure(id, name: name, exception: exception),
                at: 10)
        }
        let text = lines(monitor, at: 11)
        #expect(text.contains(#"celery_redis_task_names_refused_total{kind="task"} 2"#))
        #expect(text.contains(#"celery_redis_task_names_refused_total{kind="exception"} 2"#))
        #expect(text.contains(#"celery_redis_task_failures_total{exception="other",task="other"} 2"#))
        // One line for the first refusal; the next within ten minutes are counted, not logged.
        #expect(refusals().count == 1)
        #expect(refusals().first?.contains("refused_task_names=1") == true)
        monitor.handle(
            channel: EventsFixtures.resultChannel("5"), payload: failure("5", name: "app.e", exception: "OSError"),
            at: 611)
        #expect(refusals().count == 2)
        #expect(refusals().last?.contains("suppressed_lines=1") == true)
        #expect(refusals().last?.contains("refused_exception_names=3") == true)
    }

    /// Without the task label only the exception kind is served (the task kind cannot happen).
    @Test func withoutTheTaskLabelOnlyExceptionsAreServed() {
        let monitor = CeleryEventMonitor(configuration: CeleryEventConfiguration(), clock: { 0 })
        let text = lines(monitor, at: 0).filter { $0.hasPrefix("celery_redis_task_names_refused_total") }
        #expect(text == [#"celery_redis_task_names_refused_total{kind="exception"} 0"#])
    }
}
