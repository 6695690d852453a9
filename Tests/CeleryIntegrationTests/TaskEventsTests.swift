import Foundation
import TestSupport
import Testing

extension Scrape {
    /// `celery_redis_tasks_total{state}` (summed over tasks unless `task` is given).
    func tasks(_ state: String, task: String? = nil) -> Double {
        sum("celery_redis_tasks_total", ["state": state].merging(task.map { ["task": $0] } ?? [:]) { a, _ in a })
    }

    /// `celery_redis_task_failures_total{exception}` (summed over tasks unless `task` is given).
    func failures(_ exception: String, task: String? = nil) -> Double {
        sum(
            "celery_redis_task_failures_total",
            ["exception": exception].merging(task.map { ["task": $0] } ?? [:]) { a, _ in a })
    }

    /// Every `celery_redis_tasks_total` state with a non-zero count.
    var allTasks: [String: Double] {
        var out: [String: Double] = [:]
        for state in labelValues("celery_redis_tasks_total", "state") {
            let n = tasks(state)
            if n > 0 { out[state] = n }
        }
        return out
    }

    /// The sum of the series of `name` whose labels include `labels`.
    func sum(_ name: String, _ labels: [String: String]) -> Double {
        (samples[name] ?? []).filter { series in labels.allSatisfy { series.0[$0.key] == $0.value } }
            .map(\.1).reduce(0, +)
    }
}

extension CeleryIntegration {
    /// Issue 17: one outcome count whichever sources a deployment has. Each scenario runs real
    /// prefork workers; the exporter is subscribed before anything is produced; the counts are
    /// exact, and still exact a few polls later (nothing counted twice late).
    @Suite struct TaskEvents {
        /// Waits until `celery_redis_tasks_total` reads exactly `expected`, then a little longer to
        /// see that it stays there.
        func expectTasks(
            _ exporter: ExporterUnderTest, _ expected: [String: Double], _ scenario: CeleryScenario,
            timeout: Double = 30
        ) throws -> Scrape {
            let reached = exporter.scrape(until: timeout) { $0.allTasks == expected }
            #expect(
                reached != nil,
                "tasks_total \(String(describing: try? exporter.scrape().allTasks)), expected \(expected); \(scenario.logs)"
            )
            usleep(1_500_000)
            let later = try exporter.scrape()
            #expect(later.allTasks == expected, "tasks_total moved after reaching the expected counts")
            return later
        }

        /// Results in Redis, no events (the default deployment): add, boom, flaky (2 retries, then
        /// RuntimeError) and quiet (ignore_result: invisible without events). No RECEIVED or
        /// STARTED (no events, no task_track_started); failures of two exception types.
        @Test func resultsInRedisWithoutEvents() throws {
            let scenario = try CeleryScenario()
            let exporter = try scenario.startExporter(queues: ["celery"])
            try exporter.waitForSubscriber()
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            let ids = try scenario.producer.send([.add(1, 1), .boom(), .flaky(), .quiet()])
            try scenario.truth().waitForStatuses(Array(ids.prefix(3)), in: ["SUCCESS", "FAILURE"], timeout: 30)
            let s = try expectTasks(exporter, ["SUCCESS": 1, "FAILURE": 2, "RETRY": 2], scenario)
            #expect(s.failures("ValueError") == 1 && s.failures("RuntimeError") == 1)
            #expect(s.value("celery_redis_task_queue_wait_seconds_count") == 0, "queue wait needs events")
            #expect(s.value("celery_redis_event_messages_total", ["kind": "task"]) == 0)
        }

        /// Events with ignore_result tasks and a key prefix: 3 × quiet, 2 × quiet_boom (KeyError).
        /// No result is ever written; the events count everything, by task name, with runtimes
        /// (task-succeeded) and queue waits (task-sent → task-started).
        @Test func eventsWithIgnoreResultTasks() throws {
            let scenario = try CeleryScenario {
                $0.events = true
                $0.keyPrefix = "pfx:"
            }
            let exporter = try scenario.startExporter(
                queues: ["celery"], extraArguments: ["--celery.task-name-limit=10"])
            try exporter.waitForSubscriber()
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            try scenario.producer.send([
                .quiet(), .quiet(), .quiet(), TaskMessage(task: "app.quiet_boom"), TaskMessage(task: "app.quiet_boom"),
            ])
            let s = try expectTasks(
                exporter, ["RECEIVED": 5, "STARTED": 5, "SUCCESS": 3, "FAILURE": 2], scenario)
            #expect(s.tasks("SUCCESS", task: "app.quiet") == 3)
            #expect(s.tasks("FAILURE", task: "app.quiet_boom") == 2)
            #expect(s.failures("KeyError", task: "app.quiet_boom") == 2)
            #expect(s.value("celery_redis_task_runtime_seconds_count", ["task": "app.quiet"]) == 3)
            #expect(s.sum("celery_redis_task_queue_wait_seconds_count", [:]) == 5)
            #expect(s.allResults.values.reduce(0, +) == 0, "no result write exists: \(s.allResults)")
        }

        /// Events with results in SQLite (`db+sqlite:///`): nothing of the outcome reaches Redis
        /// but the events. 2 × add, boom (ValueError), quiet_boom (KeyError).
        @Test func eventsWithResultsInSQLite() throws {
            let database = try makeTemporaryDirectory("celery-sqlite").appendingPathComponent("results.sqlite").path
            let scenario = try CeleryScenario {
                $0.events = true
                $0.sqliteResults = database
            }
            let exporter = try scenario.startExporter(queues: ["celery"])
            try exporter.waitForSubscriber()
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            try scenario.producer.send([.add(1, 2), .add(3, 4), .boom(), TaskMessage(task: "app.quiet_boom")])
            let s = try expectTasks(
                exporter, ["RECEIVED": 4, "STARTED": 4, "SUCCESS": 2, "FAILURE": 2], scenario)
            #expect(s.failures("ValueError") == 1 && s.failures("KeyError") == 1)
            #expect(s.allResults.values.reduce(0, +) == 0, "results went to SQLite, not Redis: \(s.allResults)")
            #expect(FileManager.default.fileExists(atPath: database), "Celery wrote no SQLite database")
        }

        /// Both sources at once, task_track_started: results in Redis and `-E`. 3 × add, boom,
        /// flaky (2 retries): every task counted once per transition although each transition
        /// arrives twice (result write and event): STARTED 7 (add 3, boom 1, flaky 3), RETRY 2.
        @Test func bothSourcesCountEachTaskOnce() throws {
            let scenario = try CeleryScenario {
                $0.events = true
                $0.trackStarted = true
            }
            let exporter = try scenario.startExporter(
                queues: ["celery"], extraArguments: ["--celery.task-name-limit=10"])
            try exporter.waitForSubscriber()
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            let ids = try scenario.producer.send([.add(1, 1), .add(2, 2), .add(3, 3), .boom(), .flaky()])
            try scenario.truth().waitForStatuses(ids, in: ["SUCCESS", "FAILURE"], timeout: 30)
            let s = try expectTasks(
                exporter, ["RECEIVED": 7, "STARTED": 7, "RETRY": 2, "SUCCESS": 3, "FAILURE": 2], scenario)
            #expect(s.tasks("RETRY", task: "app.flaky") == 2 && s.tasks("FAILURE", task: "app.flaky") == 1)
            #expect(
                s.failures("RuntimeError", task: "app.flaky") == 1 && s.failures("ValueError", task: "app.boom") == 1)
            // The writes themselves are still counted as writes (STARTED 7 + RETRY 2 + final 5).
            #expect(s.allResults.values.reduce(0, +) == 14, "result writes: \(s.allResults)")
            // One runtime per task that finished: 3 add + boom + flaky.
            #expect(s.sum("celery_redis_task_runtime_seconds_count", [:]) == 5)
            #expect(s.sum("celery_redis_task_queue_wait_seconds_count", [:]) == 7)
        }
    }
}
