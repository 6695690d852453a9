import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 3 item 6 under `task_acks_late`: the tasks of a SIGKILLed worker are both STARTED
    /// metas naming it and stranded `unacked` entries.
    @Suite struct Orphaned {
        /// The start every test here shares: the exporter subscribed to Celery's events, and worker
        /// w1 (`-c2 -m1`) running two `slow(30)` tasks, both STARTED.
        private func twoSlowTasksStarted(_ scenario: CeleryScenario) throws -> (
            truth: RedisTruth, exporter: ExporterUnderTest, w1: CeleryWorker, ids: [String]
        ) {
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["celery"])
            try exporter.waitForSubscriber()
            let w1 = try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            let ids = try scenario.producer.send([.slow(30, tag: "a"), .slow(30, tag: "b")])
            try truth.waitForStatuses(ids, in: ["STARTED"], timeout: 15)
            return (truth, exporter, w1, ids)
        }

        /// `task_acks_late` + `task_track_started`, visibility timeout 6 s, w1 `-c2 -m1` runs
        /// 2 × slow(30) and is SIGKILLed. Once w1 reads down and the fetches are older than the
        /// visibility timeout, Redis holds 2 STARTED metas of w1 **and** 2 stranded unacked
        /// entries — of the same 2 task ids. The orphaned gauge ("tasks whose worker is gone")
        /// must count 2 tasks, not 4.
        @Test
        func orphanedCountsEachTaskOnceUnderAcksLate() throws {
            let vt = 6
            let scenario = try CeleryScenario {
                $0.acksLate = true
                $0.trackStarted = true
                $0.visibilityTimeout = vt
            }
            let (truth, exporter, w1, ids) = try twoSlowTasksStarted(scenario)
            let held = try truth.read(["celery"])
            w1.kill()
            let oldest = held.queue("celery").oldestScore ?? Date().timeIntervalSince1970
            let remaining = oldest + Double(vt) + 0.3 - Date().timeIntervalSince1970
            if remaining > 0 { usleep(UInt32(remaining * 1_000_000)) }
            _ = exporter.scrape(until: 10) { $0.workers == 0 }
            let obs = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "w1 dead, VT passed")
            let metas = try truth.metas()
            #expect(
                obs.truth.queue("celery").stranded == 2 && obs.truth.unackedTaskIDs == Set(ids),
                "scenario: \(obs.truth.summary)")
            #expect(metas.byStatus == ["STARTED": 2], "scenario: \(metas.summary)")
            let s = exporter.scrape(until: 5) { $0.orphanedStarted != nil && $0.workers == 0 }
            #expect(
                s?.orphanedStarted == 2,
                "orphaned_started_tasks \(String(describing: s?.orphanedStarted)) for 2 distinct tasks (2 STARTED metas of dead w1 that are also the 2 stranded entries)"
            )
        }

        /// Early ack + `task_track_started`: w1 (`-c2 -m1`) runs 2 × slow(30) and is SIGKILLed,
        /// then restarted under the **same** node name (`w1@host`, as a systemd restart would).
        /// The two tasks are lost for good (early ack: never in `unacked`, never re-run) and their
        /// STARTED metas still name `w1@host`. Before the restart orphaned reads 2; after it the
        /// tasks are no less orphaned, so it must still read 2 (until the metas expire).
        /// Issue 10 item 2: the exporter tells the incarnations apart (the restarted worker has a new
        /// `pid` and sends worker-online), so metas first seen before the new one came online stay
        /// orphaned; `celery_redis_worker_restarts_total` counts the restart.
        @Test
        func orphanedSurvivesRestartUnderSameHostname() throws {
            let scenario = try CeleryScenario { $0.trackStarted = true }
            let (truth, exporter, w1, _) = try twoSlowTasksStarted(scenario)
            w1.kill()
            let before = exporter.scrape(until: 12) { $0.workers == 0 && $0.orphanedStarted == 2 }
            #expect(
                before != nil,
                "orphaned before the restart: \(String(describing: try? exporter.scrape().orphanedStarted))")
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            _ = exporter.scrape(until: 6) { $0.workers == 1 }
            usleep(1_500_000)
            let metas = try truth.metas()
            let unacked = try truth.read(["celery"]).zcard
            #expect(
                metas.byStatus == ["STARTED": 2] && unacked == 0,
                "scenario: the lost tasks are neither re-run nor in unacked: \(metas.summary)")
            let after = try exporter.scrape()
            #expect(after.value("celery_redis_worker_restarts_total") == 1, "restart not seen")
            #expect(
                after.orphanedStarted == 2,
                "orphaned_started_tasks \(String(describing: after.orphanedStarted)) after w1 restarted under the same name; Redis: \(metas.summary)"
            )
            // The new incarnation's own running task is not orphaned.
            let fresh = try scenario.producer.send([.slow(20, tag: "new")])
            try truth.waitForStatuses(fresh, in: ["STARTED"], timeout: 15)
            let s = exporter.scrape(until: 3) { $0.metaKeys("STARTED") == 3 }
            #expect(
                s?.orphanedStarted == 2,
                "with the new incarnation running a task: orphaned \(String(describing: s?.orphanedStarted)), expected the 2 lost tasks only"
            )
        }

        /// SIGKILL and an immediate restart under the same name, inside the liveness window (the
        /// worker never reads down; only its new `pid` and worker-online tell): the killed
        /// process's 2 STARTED tasks read orphaned while `celery_redis_workers` stays 1, and a task
        /// the new process starts does not.
        @Test
        func orphanedAfterQuickRestartWithinTheLivenessWindow() throws {
            let scenario = try CeleryScenario { $0.trackStarted = true }
            let (truth, exporter, w1, _) = try twoSlowTasksStarted(scenario)
            let healthy = exporter.scrape(until: 8) { $0.orphanedStarted != nil && $0.workers == 1 }
            #expect(
                healthy?.orphanedStarted == 0, "orphaned with w1 alive: \(String(describing: healthy?.orphanedStarted))"
            )
            w1.kill()
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            let fresh = try scenario.producer.send([.slow(20, tag: "new")])
            try truth.waitForStatuses(fresh, in: ["STARTED"], timeout: 15)
            let s = exporter.scrape(until: 5) { $0.metaKeys("STARTED") == 3 && $0.orphanedStarted == 2 }
            let last = try exporter.scrape()
            #expect(
                s != nil,
                "orphaned \(String(describing: last.orphanedStarted)) (expected the killed process's 2), STARTED metas \(String(describing: last.metaKeys("STARTED")))"
            )
            #expect(
                last.workers == 1 && last.value("celery_redis_worker_restarts_total") == 1,
                "workers \(String(describing: last.workers)), restarts \(String(describing: last.value("celery_redis_worker_restarts_total")))"
            )
        }
    }
}
