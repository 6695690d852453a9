import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Scenarios 3 and 4: what sits in kombu's `unacked` hash while workers hold tasks.
    @Suite struct Unacked {
        /// `-c1 --prefetch-multiplier 4` on two queues with slow tasks: the worker holds 4 messages
        /// it fetched but has not started (the running one is acked at start under the default
        /// early ack). The exporter's unacked per queue equals the entries of `unacked` /
        /// `unacked_index` by routing key, and its oldest-age is the fetch time's age.
        @Test func prefetchedTasksPerQueue() throws {
            let scenario = try CeleryScenario()
            let queues = ["celery", "other"]
            try scenario.producer.send(
                (0..<6).map { TaskMessage.slow(2.5, tag: "c\($0)") }
                    + (0..<4).map { TaskMessage.slow(2.5, tag: "o\($0)", queue: "other") })
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: queues)
            try scenario.startWorker(queues: queues, concurrency: 1, prefetchMultiplier: 4)
            let full = try truth.waitFor("prefetch window of 4 full", queues: queues, timeout: 20) { $0.zcard == 4 }
            #expect(full.hlen == 4)
            let obs = try Agreement.expectAgreement(exporter, truth, queues: queues, "-c1 -m4 prefetch")
            #expect(obs.truth.zcard == 4, "the prefetch window moved while observed: \(obs.truth.summary)")
            #expect(obs.truth.queue("celery").unacked + obs.truth.queue("other").unacked == 4)
            #expect(obs.scrape.unacked("celery").map { $0 + (obs.scrape.unacked("other") ?? 0) } == 4)
            // Every entry is a not-yet-started app.slow (no eta), routed by its queue name.
            #expect(
                obs.truth.entries.allSatisfy {
                    $0.task == "app.slow" && $0.eta == nil && queues.contains($0.queue ?? "")
                })
        }

        /// Warm shutdown (SIGTERM) of a `-c1 --prefetch-multiplier 4` worker: the running task
        /// finishes, the 4 prefetched ones go back to the list (kombu's restore at shutdown) and
        /// leave `unacked`; the exporter follows: unacked 4 → 0, queue length back up.
        @Test func warmShutdownRestoresPrefetchedTasks() throws {
            let scenario = try CeleryScenario()
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["celery"])
            let ids = try scenario.producer.send((0..<6).map { TaskMessage.slow(2, tag: "g\($0)") })
            let worker = try scenario.startWorker(concurrency: 1, prefetchMultiplier: 4)
            try truth.waitFor("prefetch window of 4 full", queues: ["celery"], timeout: 20) { $0.zcard == 4 }
            let before = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "before SIGTERM")
            #expect(before.truth.queue("celery").unacked == 4)
            #expect(worker.stop(grace: 20), "warm shutdown did not finish within 20 s")
            let after = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "after warm shutdown")
            let done = try truth.statuses(ids).filter { $0 == "SUCCESS" }.count
            #expect(after.truth.zcard == 0 && after.scrape.unacked("celery") == 0)
            #expect(
                after.truth.queue("celery").length == 6 - done,
                "restored to the list: \(after.truth.summary), \(done) done")
            #expect(after.scrape.queueLength("celery") == Double(6 - done))
        }

        /// Two slow tasks on a `-c2 --prefetch-multiplier 1` worker with `task_track_started` (so a
        /// running task is visible as STARTED). Default (early ack): the running tasks are acked
        /// at start and are NOT in `unacked` → the exporter reads 0. `task_acks_late`: both running
        /// tasks stay in `unacked` → the exporter reads 2.
        @Test(arguments: [false, true])
        func runningTasksAreUnackedOnlyWithAcksLate(acksLate: Bool) throws {
            let scenario = try CeleryScenario {
                $0.acksLate = acksLate
                $0.trackStarted = true
            }
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["celery"])
            try scenario.startWorker(concurrency: 2, prefetchMultiplier: 1)
            let ids = try scenario.producer.send([.slow(6, tag: "a"), .slow(6, tag: "b")])
            try truth.waitForStatuses(ids, in: ["STARTED"], timeout: 15)
            let obs = try Agreement.expectAgreement(
                exporter, truth, queues: ["celery"],
                acksLate ? "acks_late, 2 running" : "early ack, 2 running")
            #expect(try truth.statuses(ids) == ["STARTED", "STARTED"], "tasks finished before the observation")
            let expected = acksLate ? 2.0 : 0.0
            #expect(obs.truth.queue("celery").unacked == Int(expected))
            #expect(obs.scrape.unacked("celery") == expected)
            #expect(obs.truth.queue("celery").length == 0)
            if acksLate {
                #expect(Set(ids).isSubset(of: obs.truth.unackedTaskIDs))
            } else {
                #expect(obs.truth.unackedTaskIDs.isDisjoint(with: ids))
            }
        }
    }
}
