import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 3 item 2 (+ items 1 and 6 where a countdown meets a dead worker): unacked entries
    /// split into scheduled (future ETA) and ETA-beyond-visibility, and what happens to them when
    /// their worker dies.
    @Suite struct Scheduled {
        static let visibilityTimeout = 6

        /// Worker w2 (`-Q side -c1 -m1`) fetches `add` with `countdown=4` and `countdown=60`,
        /// visibility timeout 6 s. Every step is also checked by ``Agreement`` (queue, unacked,
        /// stranded, scheduled, eta-beyond-visibility equal Redis at the same moment):
        /// 1. both held in `unacked`: scheduled 2, eta_beyond_visibility 1 (only the 60 s one: its
        ///    ETA is more than the visibility timeout after its fetch); with
        ///    `--celery.task-name-limit` also unacked/scheduled_tasks_by_name{task="app.add"} 2;
        /// 2. the 4 s one ran: scheduled 1, eta_beyond_visibility 1;
        /// 3. w2 SIGKILLed; once the fetch is older than the visibility timeout the entry is
        ///    **stranded** although its ETA is still in the future (the exporter's documented rule:
        ///    kombu restores by fetch time alone), still scheduled 1; with no worker alive the
        ///    orphaned gauge counts it (1);
        /// 4. w1 (`-Q celery`, not `side`) starts and its start-up sweep restores the entry to the
        ///    `side` list with `redelivered`: queue 1, unacked 0, stranded 0,
        ///    queue_redelivered_tail_messages 1, oldest waiting age 0 (future ETA skipped), orphaned 0.
        /// Run without and with `global_keyprefix='prod:'`.
        @Test(arguments: ["", "prod:"])
        func countdownBeyondVisibilityScheduledStrandedRedelivered(keyPrefix: String) throws {
            let vt = Self.visibilityTimeout
            let scenario = try CeleryScenario {
                $0.visibilityTimeout = vt
                $0.keyPrefix = keyPrefix
            }
            let queues = ["celery", "side"]
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: queues, extraArguments: ["--celery.task-name-limit=5"])
            try exporter.waitForSubscriber()
            let w2 = try scenario.startWorker("w2", queues: ["side"], concurrency: 1, prefetchMultiplier: 1)
            let ids = try scenario.producer.send([
                .add(1, 1, queue: "side", countdown: 4), .add(2, 2, queue: "side", countdown: 60),
            ])

            try truth.waitFor("both countdown tasks held", queues: queues, timeout: 10) { $0.zcard == 2 }
            let held = try Agreement.expectAgreement(exporter, truth, queues: queues, "both held")
            #expect(
                held.truth.scheduled("side", at: held.truth.time, margin: 0).count == 2
                    && held.truth.etaBeyondVisibility("side", visibilityTimeout: Double(vt)) == 1,
                "scenario: \(held.truth.entries)")
            #expect(held.scrape.scheduled("side") == 2 && held.scrape.etaBeyondVisibility("side") == 1)
            #expect(held.scrape.unacked("side") == 2 && held.scrape.queueLength("side") == 0)
            // --celery.task-name-limit: the same split by the task name in the unacked headers.
            let byName = ["queue": "side", "task": "app.add"]
            #expect(
                held.scrape.value("celery_redis_unacked_tasks_by_name", byName) == 2
                    && held.scrape.value("celery_redis_scheduled_tasks_by_name", byName) == 2,
                "by-name series: \(held.scrape.text.split(separator: "\n").filter { $0.contains("_by_name{") })")

            try truth.waitForStatuses([ids[0]], in: ["SUCCESS"], timeout: 10)
            let one = try truth.waitFor("the 4 s task acked", queues: queues, timeout: 5) { $0.zcard == 1 }
            #expect(one.entries.first?.id == ids[1])
            let ran = try Agreement.expectAgreement(exporter, truth, queues: queues, "4 s task ran")
            #expect(ran.scrape.scheduled("side") == 1 && ran.scrape.etaBeyondVisibility("side") == 1)

            // Healthy worker, entry not yet past the visibility timeout: not orphaned.
            // The entry's score is read after the kill: until then w2 restores the entry once its
            // fetch is older than the visibility timeout and fetches it again (a new score), so a
            // score read earlier can be stale on a loaded machine. With w2 dead nothing moves it.
            w2.kill()
            let current = try truth.waitFor("the 60 s task still held", queues: queues, timeout: 5) { $0.zcard == 1 }
            let fetched = current.entries.first?.score ?? 0
            let remaining = fetched + Double(vt) + 0.3 - Date().timeIntervalSince1970
            if remaining > 0 { usleep(UInt32(remaining * 1_000_000)) }
            let stranded = try Agreement.expectAgreement(exporter, truth, queues: queues, "w2 dead, VT passed")
            #expect(stranded.truth.queue("side").stranded == 1, "\(stranded.truth.summary)")
            #expect(
                stranded.scrape.stranded("side") == 1, "stranded includes a future-ETA entry past the VT (documented)")
            #expect(stranded.scrape.scheduled("side") == 1 && stranded.scrape.etaBeyondVisibility("side") == 1)
            let orphaned = exporter.scrape(until: 10) { $0.orphanedStarted == 1 }
            #expect(
                orphaned != nil,
                "orphaned_started_tasks should count the stranded entry once no worker is alive (last: \(String(describing: try? exporter.scrape().orphanedStarted)), workers \(String(describing: try? exporter.scrape().workers)))"
            )

            try scenario.startWorker("w1", queues: ["celery"], concurrency: 1, prefetchMultiplier: 1)
            try truth.waitFor("restored to the side list", queues: queues, timeout: 10) {
                $0.zcard == 0 && $0.queue("side").length == 1
            }
            let restored = try Agreement.expectAgreement(
                exporter, truth, queues: queues, "restored, nobody consumes side")
            let tails = try truth.tails(["side"])
            #expect(
                tails.queues["side"]?.first?.id == ids[1] && tails.redeliveredTails("side") == 1,
                "restored tail: \(String(describing: tails.queues["side"]))")
            #expect(restored.scrape.redeliveredTails("side") == 1)
            #expect(restored.scrape.oldestMessageAge("side") == 0, "future-ETA tail must not count as waiting")
            #expect(restored.scrape.stranded("side") == 0 && restored.scrape.scheduled("side") == 0)
            let healed = exporter.scrape(until: 8) { $0.orphanedStarted == 0 }
            #expect(healed != nil, "orphaned_started_tasks should return to 0 with a live worker and nothing stranded")
            #expect(try truth.statuses([ids[1]]) == [nil], "the 60 s countdown task ran early")
        }
    }
}
