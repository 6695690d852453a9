import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Scenario 1: tasks waiting in Redis lists, with and without a worker.
    @Suite struct QueuedTasks {
        /// Default priority steps (0, 3, 6, 9): priorities 0, 3, 5, 7, 9 land in four lists of
        /// `celery`; two more queues, one that no worker consumes. The exporter discovers the
        /// queues from kombu's bindings (no `--celery.queues`), sums every priority list, and after
        /// a worker drained `celery` and `other` (Redis deletes the empty lists) reads 0 for them
        /// while `nobody` keeps its tasks.
        @Test func defaultPriorityStepsSeveralQueuesAndDrain() throws {
            let scenario = try CeleryScenario()
            let queues = ["celery", "nobody", "other"]
            try scenario.producer.send(
                [0, 3, 5, 7, 9, 0, 9].map { TaskMessage.add($0, 0, priority: $0) }
                    + [TaskMessage.add(1, 1, queue: "other"), .add(2, 2, queue: "other", priority: 5)]
                    + (0..<3).map { TaskMessage.add($0, 0, queue: "nobody") })
            let truth = scenario.truth()
            let exporter = try scenario.startExporter()

            let seeded = try Agreement.expectAgreement(exporter, truth, queues: queues, "queued, no worker").truth
            // The scenario really produced what it claims (kombu's bisect over steps 0, 3, 6, 9).
            #expect(
                seeded.queue("celery").lists == [
                    "celery": 2, "celery\\x06\\x163": 2, "celery\\x06\\x166": 1,
                    "celery\\x06\\x169": 2,
                ])
            #expect(seeded.queue("other").lists == ["other": 1, "other\\x06\\x163": 1])
            #expect(seeded.queue("nobody").length == 3)
            #expect(seeded.zcard == 0)

            try scenario.startWorker(queues: ["celery", "other"], concurrency: 2)
            try truth.waitFor("celery and other drained", queues: queues, timeout: 30) {
                $0.queue("celery").length == 0 && $0.queue("other").length == 0 && $0.zcard == 0
            }
            let drained = try Agreement.expectAgreement(
                exporter, truth, queues: queues, "after a worker drained celery and other")
            #expect(drained.truth.queue("nobody").length == 3)
            // Redis deleted the drained lists: the exporter must read 0 for a missing key, not drop the series.
            let exists = try scenario.redis.cli(["EXISTS", "celery", "other"]).stdout
            #expect(exists.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "EXISTS celery other → \(exists)")
            #expect(drained.scrape.queueLength("celery") == 0 && drained.scrape.queueLength("other") == 0)
        }

        /// `priority_steps=list(range(10))`: priorities 0…9 make ten lists of one queue; a producer
        /// with the default steps adds to the same queue. The exporter sums all of them.
        @Test func allTenPrioritySteps() throws {
            let scenario = try CeleryScenario { $0.allPrioritySteps = true }
            try scenario.producer.send((0...9).map { TaskMessage.add($0, 0, priority: $0) })
            var defaultSteps = scenario.config
            defaultSteps.allPrioritySteps = false
            try CeleryProducer(environment: scenario.environment, config: defaultSteps)
                .send([1, 4, 8].map { TaskMessage.add($0, 0, priority: $0) })
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["celery"])
            let obs = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "steps 0-9")
            var expected = ["celery": 1]
            for step in 1...9 { expected["celery\\x06\\x16\(step)"] = 1 }
            expected["celery"]! += 1  // default steps: priority 1 → step 0
            expected["celery\\x06\\x163"]! += 1  // priority 4 → step 3
            expected["celery\\x06\\x166"]! += 1  // priority 8 → step 6
            #expect(obs.truth.queue("celery").lists == expected)
            #expect(obs.scrape.queueLength("celery") == 13)
        }
    }
}
