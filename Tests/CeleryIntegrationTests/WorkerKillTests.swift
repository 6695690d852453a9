import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Scenario 5: a worker SIGKILLed mid-task under `task_acks_late` with an 8 s visibility
    /// timeout, then a new worker restoring its tasks.
    @Suite struct WorkerKill {
        static let visibilityTimeout = 8

        /// 3 × `slow(3)` on `-c2 --prefetch-multiplier 1`: two run (unacked, acks_late), one waits
        /// in the list. SIGKILL of the worker and its pool children leaves both in `unacked`:
        /// - right after the kill: unacked 2, stranded 0, queue 1;
        /// - once the visibility timeout passed, with no worker alive: stranded 2 (nothing restores
        ///   them: restore is done by workers), and it stays 2 while nobody runs;
        /// - a new worker restores them at start-up: stranded back to 0, and all three tasks
        ///   succeed; queue, unacked and stranded match Redis at every step.
        @Test func strandedAfterSIGKILLThenRestored() throws {
            let vt = Self.visibilityTimeout
            let scenario = try CeleryScenario {
                $0.acksLate = true
                $0.trackStarted = true
                $0.visibilityTimeout = vt
            }
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["celery"])
            let worker = try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            let ids = try scenario.producer.send((0..<3).map { TaskMessage.slow(3, tag: "k\($0)") })
            try truth.waitForStatuses(Array(ids.prefix(2)), in: ["STARTED"], timeout: 15)
            let children = worker.poolChildren
            #expect(children.count == 2)
            worker.kill()
            #expect(
                !worker.process.isRunning && !children.contains { $0.isAlive }, "worker or pool child survived SIGKILL")

            let killed = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "just after SIGKILL")
            #expect(killed.truth.queue("celery").unacked == 2 && killed.truth.queue("celery").length == 1)
            let oldest = killed.truth.queue("celery").oldestScore ?? 0
            if killed.truth.time < oldest + Double(vt) {  // (a very slow machine may already be past the VT)
                #expect(killed.truth.queue("celery").stranded == 0 && killed.scrape.stranded("celery") == 0)
            }

            let remaining = oldest + Double(vt) + 0.3 - Date().timeIntervalSince1970
            if remaining > 0 { usleep(UInt32(remaining * 1_000_000)) }
            let stranded = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "VT passed, no worker")
            #expect(stranded.truth.queue("celery").stranded == 2, "\(stranded.truth.summary)")
            #expect(stranded.scrape.stranded("celery") == 2)
            usleep(1_500_000)
            let still = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "still no worker")
            #expect(still.truth.queue("celery").stranded == 2, "something restored the tasks without a worker")

            try scenario.startWorker("w2", concurrency: 2, prefetchMultiplier: 1)
            try truth.waitFor("restored by the new worker", queues: ["celery"], timeout: 15) {
                $0.queue("celery").stranded == 0
            }
            let restored = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "after restore")
            #expect(restored.scrape.stranded("celery") == 0)
            #expect(restored.truth.entries.allSatisfy { $0.score > oldest }, "an entry still has the old fetch time")

            try truth.waitForStatuses(ids, in: ["SUCCESS"], timeout: 30)
            try truth.waitFor("all acked", queues: ["celery"], timeout: 10) {
                $0.zcard == 0 && $0.queue("celery").length == 0
            }
            let done = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "all done")
            #expect(done.scrape.unacked("celery") == 0 && done.scrape.queueLength("celery") == 0)
        }
    }
}
