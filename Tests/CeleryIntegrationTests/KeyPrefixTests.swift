import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Scenario 2: kombu's `global_keyprefix` ('prod:') on broker and result backend.
    @Suite struct KeyPrefix {
        /// Producer and worker with `global_keyprefix='prod:'`: every broker key is prefixed
        /// (`prod:celery`, `prod:unacked`, …). With `--celery.key-prefix=prod:` the exporter
        /// reports the same numbers as Redis holds: priority lists summed, a second queue, and the
        /// unacked entries of a `-c1 --prefetch-multiplier 2` worker busy with slow tasks.
        @Test func sameNumbersUnderPrefix() throws {
            let scenario = try CeleryScenario { $0.keyPrefix = "prod:" }
            let queues = ["celery", "other"]
            try scenario.producer.send(
                (0..<5).map { TaskMessage.slow(1.5, tag: "s\($0)") }
                    + [TaskMessage.add(1, 1, priority: 5), .add(2, 2, priority: 9)]
                    + [TaskMessage.add(3, 3, queue: "other"), .add(4, 4, queue: "other", priority: 3)])
            let truth = scenario.truth()
            let exporter = try scenario.startExporter()

            let queued = try Agreement.expectAgreement(exporter, truth, queues: queues, "prefix, no worker")
            #expect(queued.truth.queue("celery").length == 7 && queued.truth.queue("other").length == 2)
            // The keys really carry the prefix: nothing under the bare names.
            let bare = try scenario.redis.cli(["EXISTS", "celery", "other", "unacked", "_kombu.binding.celery"]).stdout
            #expect(bare.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "unprefixed keys exist: \(bare)")

            try scenario.startWorker(queues: ["celery"], concurrency: 1, prefetchMultiplier: 2)
            let busy = try truth.waitFor("prefetched tasks in prod:unacked", queues: queues, timeout: 20) {
                $0.queue("celery").unacked >= 1
            }
            #expect(busy.zcard == busy.hlen)
            let obs = try Agreement.expectAgreement(exporter, truth, queues: queues, "prefix, worker busy")
            #expect(obs.truth.queue("celery").unacked >= 1, "no unacked entry under the prefix while observed")
        }
    }
}
