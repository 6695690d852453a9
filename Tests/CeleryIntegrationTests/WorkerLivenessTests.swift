import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 3 items 5 and 6: workers from heartbeats (no `-E`), and STARTED tasks orphaned by a
    /// worker SIGKILLed mid-task.
    @Suite struct WorkerLiveness {
        /// `task_track_started`, default early ack. w1 (`-Q celery -c2 -m1`) runs 2 × slow(20);
        /// w2 (`-Q other -c1 -m1`) runs 2 × add.
        /// - both up, `celery_redis_workers` 2; w1 tasks_active 2 = its STARTED metas in Redis,
        ///   w2 active 0 and processed 2; census = Redis metas; orphaned 0 (STARTED metas of a
        ///   live worker);
        /// - SIGKILL of w1 (and its pool): nothing in `unacked` (early ack); w1 reads down within
        ///   10 s of the kill, workers 1; orphaned_started_tasks = w1's STARTED metas in Redis (2);
        /// - warm shutdown of w2: down at once (worker-offline), workers 0; orphaned still 2.
        /// Run without and with `global_keyprefix='prod:'` (heartbeats on `prod:/0.celeryev/…`).
        @Test(arguments: ["", "prod:"])
        func workerKilledMidTaskReadsDownAndOrphansItsStartedTasks(keyPrefix: String) throws {
            let scenario = try CeleryScenario {
                $0.trackStarted = true
                $0.keyPrefix = keyPrefix
            }
            let queues = ["celery", "other"]
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: queues)
            try exporter.waitForSubscriber()
            let w1 = try scenario.startWorker("w1", queues: ["celery"], concurrency: 2, prefetchMultiplier: 1)
            let w2 = try scenario.startWorker("w2", queues: ["other"], concurrency: 1, prefetchMultiplier: 1)
            guard let up = exporter.scrape(until: 6, { $0.workers == 2 }),
                let h1 = up.workerHostname("w1"), let h2 = up.workerHostname("w2")
            else {
                Issue.record(
                    "workers never both up: \(String(describing: try? exporter.scrape().text.split(separator: "\n").filter { $0.hasPrefix("celery_redis_worker") }))"
                )
                return
            }
            #expect(up.workerUp(h1) == 1 && up.workerUp(h2) == 1)

            let slow = try scenario.producer.send([.slow(20, tag: "a"), .slow(20, tag: "b")])
            let adds = try scenario.producer.send([.add(1, 1, queue: "other"), .add(2, 2, queue: "other")])
            try truth.waitForStatuses(slow, in: ["STARTED"], timeout: 15)
            try truth.waitForStatuses(adds, in: ["SUCCESS"], timeout: 15)
            let metas = try truth.metas()
            #expect(metas.startedByHost == [h1: 2], "scenario: \(metas.summary)")
            let busy = exporter.scrape(until: 5) {
                $0.workerActive(h1) == 2 && $0.workerActive(h2) == 0 && $0.workerProcessed(h2) == 2
            }
            #expect(
                busy != nil,
                "heartbeats: w1 active \(String(describing: try? exporter.scrape().workerActive(h1))) (Redis: 2 STARTED), w2 active \(String(describing: try? exporter.scrape().workerActive(h2))) processed \(String(describing: try? exporter.scrape().workerProcessed(h2)))"
            )
            try Agreement.expectCensusAgreement(exporter, truth, "w1 busy")
            let healthy = exporter.scrape(until: 8) { $0.orphanedStarted != nil }
            #expect(
                healthy?.orphanedStarted == 0,
                "orphaned with both workers alive: \(String(describing: healthy?.orphanedStarted))")

            let killedAt = Date()
            w1.kill()
            let afterKill = try Agreement.expectAgreement(exporter, truth, queues: queues, "w1 SIGKILLed")
            #expect(afterKill.truth.zcard == 0, "early ack: the running tasks are not in unacked")
            let down = exporter.scrape(until: 12) { $0.workerUp(h1) == 0 && $0.workers == 1 }
            let downAfter = Date().timeIntervalSince(killedAt)
            #expect(down != nil && downAfter <= 10, "w1 down after \(String(format: "%.1f", downAfter)) s (limit 10 s)")
            let lostMetas = try truth.metas()
            #expect(lostMetas.startedByHost[h1] == 2, "the killed worker's STARTED metas stay: \(lostMetas.summary)")
            let orphaned = exporter.scrape(until: 5) { $0.orphanedStarted == Double(lostMetas.startedByHost[h1] ?? -1) }
            #expect(
                orphaned != nil,
                "orphaned_started_tasks \(String(describing: try? exporter.scrape().orphanedStarted)), Redis: \(lostMetas.startedByHost[h1] ?? 0) STARTED metas of \(h1)"
            )
            #expect(down?.workerActive(h1) == 0, "a down worker runs nothing")

            let stoppedAt = Date()
            #expect(w2.stop(grace: 10), "w2 did not stop on SIGTERM")
            let offline = exporter.scrape(until: 4) { $0.workerUp(h2) == 0 && $0.workers == 0 }
            #expect(
                offline != nil,
                "w2 not down \(String(format: "%.1f", Date().timeIntervalSince(stoppedAt))) s after a warm shutdown")
            #expect(exporter.scrape(until: 3) { $0.orphanedStarted == 2 } != nil, "orphaned after w2 left too")
            try Agreement.expectCensusAgreement(exporter, truth, "after the kill")
        }
    }
}
