import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 3 items 3 and 4: result writes counted live from the result backend's Pub/Sub
    /// (`celery_redis_task_results_total`, runtime histogram, worker-lost counter) and the census
    /// of `celery-task-meta-*` keys, against the metas Redis holds. The exporter is subscribed
    /// before anything is produced (Pub/Sub has no replay).
    @Suite struct Results {
        /// Default settings (early ack, no track_started), `-c2 -m1`: 3 × add, boom, 2 × quiet
        /// (`ignore_result`). Results: SUCCESS 3 = the add metas in Redis, FAILURE 1, no STARTED,
        /// no RETRY, nothing for quiet (no meta, no write), no runtime observation (no STARTED).
        /// Workers from heartbeats alone (no `-E`): w1 up 1, `celery_redis_workers` 1, processed
        /// reaches the 6 tasks it ran; then 2 × slow(4): tasks_active 2 while both run (allowing
        /// heartbeat lag; the worker log confirms both started and none finished), back to 0, and
        /// processed 8 (a revoked task is not run). An `add` with countdown 3 revoked while held:
        /// REVOKED 1. Census at the end: task_meta_keys{state} = Redis metas by status.
        @Test func defaultSettingsResultsAndWorkerHeartbeats() throws {
            let scenario = try CeleryScenario()
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["celery"])
            try exporter.waitForSubscriber()
            let worker = try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            guard let up = exporter.scrape(until: 6, { $0.workers == 1 }), let host = up.workerHostname("w1") else {
                Issue.record("worker w1 never reported up; \(scenario.logs)")
                return
            }
            #expect(up.workerUp(host) == 1)

            let ids = try scenario.producer.send([.add(1, 1), .add(2, 2), .add(3, 3), .boom(), .quiet(), .quiet()])
            try truth.waitForStatuses(Array(ids.prefix(4)), in: ["SUCCESS", "FAILURE"], timeout: 20)
            let quietDone = waitUntil(timeout: 10) {
                ids.suffix(2).allSatisfy { worker.process.log.contains("Task app.quiet[\($0)] succeeded") }
            }
            #expect(quietDone, "quiet tasks did not run; \(scenario.logs)")
            let metas = try truth.results(ids)
            #expect(ids.prefix(3).allSatisfy { metas[$0]??.status == "SUCCESS" } && metas[ids[3]]??.status == "FAILURE")
            #expect(ids.suffix(2).allSatisfy { hasNoMeta(metas, $0) }, "ignore_result tasks wrote a result")

            let counted = exporter.scrape(until: 5) { $0.results("SUCCESS") == 3 && $0.results("FAILURE") == 1 }
            let s = try counted ?? exporter.scrape()
            #expect(s.results("SUCCESS") == 3 && s.results("FAILURE") == 1, "results: \(s.allResults)")
            #expect(s.results("STARTED") == 0 && s.results("RETRY") == 0, "results: \(s.allResults)")
            #expect(s.allResults.values.reduce(0, +) == 4, "a write nobody made was counted (quiet?): \(s.allResults)")
            #expect(s.value("celery_redis_task_runtime_seconds_count") == 0, "runtime needs STARTED writes")
            #expect(s.workerLostTotal == 0)
            let processed6 = exporter.scrape(until: 5) { $0.workerProcessed(host) == 6 }
            #expect(
                processed6 != nil,
                "processed \(String(describing: try? exporter.scrape().workerProcessed(host))), expected 6")

            // Revoked while held by the worker for its countdown: REVOKED written when it falls due.
            let held = try scenario.producer.send([.add(9, 9, countdown: 3)])
            try truth.waitFor("countdown task held", queues: ["celery"], timeout: 10) { $0.zcard == 1 }
            try scenario.producer.revoke(held)
            try truth.waitForStatuses(held, in: ["REVOKED"], timeout: 10)
            let revoked = exporter.scrape(until: 5) { $0.results("REVOKED") == 1 }
            #expect(
                revoked != nil, "REVOKED write not counted: \(String(describing: try? exporter.scrape().allResults))")

            let slow = try scenario.producer.send([.slow(4, tag: "a"), .slow(4, tag: "b")])
            let busy = exporter.scrape(until: 4) { $0.workerActive(host) == 2 }
            let log = worker.process.log
            let running = slow.filter { log.contains("[\($0)] received") && !log.contains("[\($0)] succeeded") }.count
            #expect(
                busy != nil,
                "tasks_active never read 2 while 2 slow tasks ran (last \(String(describing: try? exporter.scrape().workerActive(host))))"
            )
            #expect(running == 2, "scenario: both slow tasks should be running at that moment; \(scenario.logs)")
            try truth.waitForStatuses(slow, in: ["SUCCESS"], timeout: 15)
            let idle = exporter.scrape(until: 5) { $0.workerActive(host) == 0 && $0.workerProcessed(host) == 8 }
            #expect(
                idle != nil,
                "after the slow tasks: active \(String(describing: try? exporter.scrape().workerActive(host))), processed \(String(describing: try? exporter.scrape().workerProcessed(host)))"
            )
            #expect(exporter.scrape(until: 3) { $0.results("SUCCESS") == 5 } != nil)

            let census = try Agreement.expectCensusAgreement(exporter, truth, "default settings")
            #expect(
                census.before.byStatus == ["SUCCESS": 5, "FAILURE": 1, "REVOKED": 1],
                "scenario: \(census.before.summary)")
            try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "all done")
        }

        /// `global_keyprefix='prod:'` (channels and keys prefixed), `task_track_started`,
        /// `result_extended`, exporter `--celery.task-name-limit=10`; `-c2 -m1` runs 2 × add, boom,
        /// flaky (max_retries 2, 1 s delay), quiet, slow(1), slow(2). With the real task names
        /// from the metas as `task` label, the counters are exactly: STARTED add 2, boom 1,
        /// flaky 3 (three runs), slow 2; SUCCESS add 2, slow 2; FAILURE boom 1, flaky 1; RETRY
        /// flaky 2; nothing for quiet. Runtime histogram: one observation per task id with STARTED
        /// and a final write (6), app.slow's sum within 0.5 s per task of its 3 s of sleep. The
        /// census under the prefix equals Redis metas by status.
        @Test func trackStartedRetriesFailuresRuntimeAndTaskNamesUnderPrefix() throws {
            let scenario = try CeleryScenario {
                $0.keyPrefix = "prod:"
                $0.trackStarted = true
                $0.resultExtended = true
            }
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(
                queues: ["celery"], extraArguments: ["--celery.task-name-limit=10"])
            // A second exporter on the same Redis with room for only 2 names: the rest is 'other'.
            let capped = try spawnWithDefaultSignalMask {
                try ExporterUnderTest(
                    redisPort: scenario.redis.port, keyPrefix: "prod:", queues: ["celery"],
                    extraArguments: ["--celery.task-name-limit=2"])
            }
            defer { capped.terminate() }
            try exporter.waitForSubscriber()
            try capped.waitForSubscriber()
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            let workerUp = exporter.scrape(until: 6) { $0.workers == 1 }
            #expect(
                workerUp.flatMap { s in s.workerHostname("w1").flatMap { s.workerUp($0) } } == 1,
                "heartbeats under the prefix: \(String(describing: try? exporter.scrape().text.split(separator: "\n").filter { $0.hasPrefix("celery_redis_worker") }))"
            )
            let ids = try scenario.producer.send([
                .add(1, 2), .add(2, 3), .boom(), .flaky(), .quiet(), .slow(1), .slow(2),
            ])
            let tracked = ids.enumerated().filter { $0.offset != 4 }.map(\.element)
            try truth.waitForStatuses(tracked, in: ["SUCCESS", "FAILURE"], timeout: 30)
            let metas = try truth.results(ids)
            #expect(hasNoMeta(metas, ids[4]), "ignore_result task wrote a result")
            #expect(
                metas[ids[3]]??.status == "FAILURE" && metas[ids[3]]??.retries == 2,
                "flaky: \(String(describing: metas[ids[3]]))")
            let names = Set(tracked.compactMap { metas[$0]??.name })
            #expect(names == ["app.add", "app.boom", "app.flaky", "app.slow"], "result_extended names: \(names)")
            let bare = try scenario.redis.cli(["EXISTS", "celery-task-meta-\(ids[0])"]).stdout
            #expect(bare.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "unprefixed meta key exists")

            let expected: [String: Double] = [
                "STARTED app.add": 2, "STARTED app.boom": 1, "STARTED app.flaky": 3, "STARTED app.slow": 2,
                "SUCCESS app.add": 2, "SUCCESS app.slow": 2, "FAILURE app.boom": 1, "FAILURE app.flaky": 1,
                "RETRY app.flaky": 2,
            ]
            let done = exporter.scrape(until: 5) { $0.allResults.filter { $0.value > 0 } == expected }
            let s = try done ?? exporter.scrape()
            #expect(s.allResults.filter { $0.value > 0 } == expected, "results by state and task: \(s.allResults)")
            #expect(!s.text.contains("app.quiet"))
            #expect(
                s.value("celery_redis_task_runtime_seconds_count", ["task": "app.slow"]) == 2,
                "runtime series: \(s.text.split(separator: "\n").filter { $0.hasPrefix("celery_redis_task_runtime_seconds_count") })"
            )
            let slowSum = s.value("celery_redis_task_runtime_seconds_sum", ["task": "app.slow"]) ?? -1
            #expect(
                slowSum >= 3 - 0.05 && slowSum <= 3 + 2 * 0.5,
                "app.slow runtime sum \(slowSum) for sleeps of 1 s and 2 s")
            let counts = s.text.split(separator: "\n").filter {
                $0.hasPrefix("celery_redis_task_runtime_seconds_count")
            }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            #expect(counts.reduce(0, +) == 6, "runtime observations \(counts): one per tracked task id")
            #expect(s.value("celery_redis_task_runtime_pending_tasks") == 0)
            let host = s.workerHostname("w1") ?? "?"
            #expect(
                exporter.scrape(until: 5) { $0.workerProcessed(host) == 9 && $0.workerActive(host) == 0 } != nil,
                "processed \(String(describing: try? exporter.scrape().workerProcessed(host))): w1 ran 7 tasks, flaky 3 times: 9 runs"
            )

            // The capped exporter: per state the same totals, at most 2 real names plus 'other'.
            let c = try capped.scrape()
            var byState: [String: Double] = [:]
            var cappedByState: [String: Double] = [:]
            var cappedNames: Set<String> = []
            for (key, value) in expected { byState[String(key.split(separator: " ")[0]), default: 0] += value }
            for (key, value) in c.allResults where value > 0 {
                let parts = key.split(separator: " ")
                cappedByState[String(parts[0]), default: 0] += value
                if parts.count > 1 { cappedNames.insert(String(parts[1])) }
            }
            #expect(cappedByState == byState, "capped exporter totals by state: \(c.allResults)")
            #expect(
                cappedNames.contains("other") && cappedNames.subtracting(["other"]).count == 2
                    && cappedNames.subtracting(["other"]).isSubset(of: names),
                "task-name-limit=2 names: \(cappedNames)")

            let lost = s.text.split(separator: "\n").filter { $0.hasPrefix("celery_redis_worker_lost_tasks_total") }
            #expect(lost.allSatisfy { $0.hasSuffix(" 0") }, "worker lost: \(lost)")

            let census = try Agreement.expectCensusAgreement(exporter, truth, "prefix prod:")
            #expect(census.before.byStatus == ["SUCCESS": 4, "FAILURE": 2], "scenario: \(census.before.summary)")
            try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "prefix, all done")
        }

        /// `task_acks_late` + `task_track_started`, `-c1 -m1`: the pool process running slow(30)
        /// (its pid from the STARTED meta) is SIGKILLed, like the OOM killer would. Celery writes
        /// FAILURE WorkerLostError and acks it (no `task_reject_on_worker_lost`): results FAILURE 1,
        /// worker_lost_tasks_total 1; the census counts one FAILURE with one worker-lost key; the
        /// worker itself stays up; unacked back to 0. Run without and with `global_keyprefix='prod:'`.
        @Test(arguments: ["", "prod:"])
        func poolChildSIGKILLUnderAcksLateIsWorkerLost(keyPrefix: String) throws {
            let scenario = try CeleryScenario {
                $0.acksLate = true
                $0.trackStarted = true
                $0.keyPrefix = keyPrefix
            }
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(queues: ["celery"])
            try exporter.waitForSubscriber()
            let worker = try scenario.startWorker("w1", concurrency: 1, prefetchMultiplier: 1)
            let ids = try scenario.producer.send([.slow(30)])
            try truth.waitForStatuses(ids, in: ["STARTED"], timeout: 15)
            let pid = try childPid(of: ids[0], truth: truth)
            let child = worker.poolChildren.first { $0.pid == pid }
            #expect(
                child != nil,
                "STARTED pid \(String(describing: pid)) is not a pool child of the worker \(worker.poolChildren)")
            child?.send(SIGKILL)
            try truth.waitForStatuses(ids, in: ["FAILURE"], timeout: 15)
            let s = exporter.scrape(until: 5) { $0.workerLostTotal == 1 && $0.results("FAILURE") == 1 }
            #expect(
                s != nil,
                "worker_lost_tasks_total \(String(describing: try? exporter.scrape().workerLostTotal)), results \(String(describing: try? exporter.scrape().allResults))"
            )
            #expect(s?.results("STARTED") == 1 && s?.results("SUCCESS") == 0)
            try truth.waitFor("acked after the loss", queues: ["celery"], timeout: 5) { $0.zcard == 0 }
            let census = try Agreement.expectCensusAgreement(exporter, truth, "worker lost")
            #expect(
                census.before.workerLost == 1 && census.before.byStatus == ["FAILURE": 1],
                "scenario: \(census.before.summary)")
            #expect(census.scrape.value("celery_redis_task_meta_worker_lost_keys") == 1)
            let host = census.scrape.workerHostname("w1")
            #expect(host.flatMap { census.scrape.workerUp($0) } == 1, "the worker survives a pool child's death")
            try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "after worker lost")
        }

        /// The id was looked up and has no result key.
        private func hasNoMeta(_ metas: [String: ResultMeta?], _ id: String) -> Bool {
            if case .some(.none) = metas[id] { return true }
            return false
        }

        /// `result.pid` of the STARTED meta of `id` (the pool process running it).
        private func childPid(of id: String, truth: RedisTruth) throws -> pid_t? {
            let r = try runCommand(
                truth.environment.python,
                [
                    "-c",
                    """
                    import json, sys, redis
                    v = redis.Redis(host='127.0.0.1', port=int(sys.argv[1])).get(sys.argv[2] + 'celery-task-meta-' + sys.argv[3])
                    print(json.loads(v)['result']['pid'] if v else '')
                    """, String(truth.port), truth.keyPrefix, id,
                ], environment: CeleryConfig.baseEnvironment())
            return pid_t(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
