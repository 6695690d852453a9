import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 17 item 6: what a backlog is made of, from messages real Celery (`apply_async`) wrote.
    @Suite struct Backlog {
        /// No worker consumes; the producer sends three task names with priorities (four priority
        /// lists) under kombu's `global_keyprefix`, and a large-argument task. The exporter reports
        /// every waiting message by task name, exactly, and then follows a second batch.
        @Test func exactCountsByTaskNameFromRealCelery() throws {
            let scenario = try CeleryScenario { $0.keyPrefix = "prod:" }
            try scenario.producer.send(
                (0..<7).map { TaskMessage.add($0, 0, priority: [0, 3, 6, 9][$0 % 4]) }
                    + (0..<4).map { TaskMessage.slow(1, tag: "s\($0)", priority: $0 % 2 == 0 ? 5 : nil) }
                    + (0..<3).map { _ in TaskMessage.boom() }
                    + [TaskMessage.slow(1, tag: "big", padBytes: 3_000_000)]
                    + (0..<2).map { TaskMessage.add($0, 1, queue: "other") })
            let exporter = try scenario.startExporter(extraArguments: ["--celery.task-name-limit=10"])
            func byName(_ scrape: Scrape, _ queue: String) -> [String: Double] {
                var out: [String: Double] = [:]
                for task in scrape.labelValues("celery_redis_queue_tasks_by_name", "task") {
                    if let v = scrape.value("celery_redis_queue_tasks_by_name", ["queue": queue, "task": task]) {
                        out[task] = v
                    }
                }
                return out
            }
            let expected: [String: Double] = ["app.add": 7, "app.slow": 5, "app.boom": 3]
            let seen = exporter.scrape(until: 30) { byName($0, "celery") == expected }
            let scrape = try exporter.scrape()
            #expect(
                seen != nil, "celery by task: \(byName(scrape, "celery")), length \(scrape.queueLength("celery") ?? -1)"
            )
            #expect(scrape.queueLength("celery") == 15)
            #expect(scrape.value("celery_redis_queue_sampled_messages", ["queue": "celery"]) == 15)
            #expect(byName(scrape, "other") == ["app.add": 2])
            #expect(scrape.labelValues("celery_redis_queue_unclassified_messages", "queue").isEmpty)

            try scenario.producer.send((0..<4).map { _ in TaskMessage.quiet() })
            var more = expected
            more["app.quiet"] = 4
            #expect(exporter.scrape(until: 30) { byName($0, "celery") == more } != nil)
        }
    }
}
