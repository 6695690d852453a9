import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Issue 10 item 1: Celery's result backend is not the broker's database
    /// (`broker_url = redis://host/0`, `result_backend = redis://host/1`, or another Redis), and the
    /// exporter gets `--celery.result-backend-url`. Result writes, the census and orphan detection
    /// must follow the results there; queues, unacked and worker heartbeats stay on the broker.
    @Suite struct ResultBackendElsewhere {
        /// `task_track_started`, w1 `-c2 -m1`: 3 × add and boom are counted live (STARTED 4,
        /// SUCCESS 3, FAILURE 1) although no meta is in the broker's database; the census equals
        /// the metas in the result backend; 2 × slow(30) STARTED by w1 read orphaned 0 while w1
        /// lives and 2 once it is SIGKILLed (early ack: lost for good); queue and unacked numbers
        /// agree with the broker. Run with results in db 1 of the broker's server and on a second
        /// server.
        @Test(arguments: [ResultBackendPlacement.brokerServer(db: 1), .otherServer])
        func resultsCensusAndOrphansFollowTheResultBackend(placement: ResultBackendPlacement) throws {
            let scenario = try CeleryScenario(resultBackend: placement) { $0.trackStarted = true }
            let truth = scenario.truth()
            let brokerDB = RedisTruth(
                environment: scenario.environment, port: scenario.redis.port, keyPrefix: "",
                visibilityTimeout: 3600)
            let exporter = try scenario.startExporter(queues: ["celery"])
            try exporter.waitForSubscriber()
            let backendUp = exporter.scrape(until: 10) { $0.value("celery_redis_result_backend_up") == 1 }
            #expect(
                backendUp != nil,
                "celery_redis_result_backend_up never read 1; stderr:\n\(exporter.process.stderr.suffix(2000))")
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)
            guard let up = exporter.scrape(until: 6, { $0.workers == 1 }), let host = up.workerHostname("w1") else {
                Issue.record("worker w1 never reported up (heartbeats come from the broker); \(scenario.logs)")
                return
            }

            let ids = try scenario.producer.send([.add(1, 1), .add(2, 2), .add(3, 3), .boom()])
            try truth.waitForStatuses(ids, in: ["SUCCESS", "FAILURE"], timeout: 20)
            let inBroker = try brokerDB.metas()
            #expect(inBroker.keys == 0, "scenario: results must not be in the broker's database: \(inBroker.summary)")
            let expected: [String: Double] = ["STARTED": 4, "SUCCESS": 3, "FAILURE": 1]
            let counted = exporter.scrape(until: 5) { $0.allResults.filter { $0.value > 0 } == expected }
            #expect(
                counted != nil,
                "live result counts \(String(describing: try? exporter.scrape().allResults)), expected \(expected)")

            let slow = try scenario.producer.send([.slow(30, tag: "a"), .slow(30, tag: "b")])
            try truth.waitForStatuses(slow, in: ["STARTED"], timeout: 15)
            let busy = try Agreement.expectCensusAgreement(exporter, truth, "w1 busy, results in \(placement)")
            #expect(
                busy.before.byStatus == ["SUCCESS": 3, "FAILURE": 1, "STARTED": 2], "scenario: \(busy.before.summary)")
            let healthy = exporter.scrape(until: 8) { $0.orphanedStarted != nil }
            #expect(
                healthy?.orphanedStarted == 0, "orphaned with w1 alive: \(String(describing: healthy?.orphanedStarted))"
            )

            scenario.workers[0].kill()
            let orphaned = exporter.scrape(until: 12) { $0.workerUp(host) == 0 && $0.orphanedStarted == 2 }
            #expect(
                orphaned != nil,
                "orphaned_started_tasks \(String(describing: try? exporter.scrape().orphanedStarted)) after w1 was killed with 2 STARTED tasks in the result backend"
            )
            let obs = try Agreement.expectAgreement(exporter, truth, queues: ["celery"], "w1 killed")
            #expect(obs.scrape.up == 1)
            try Agreement.expectCensusAgreement(exporter, truth, "after the kill, results in \(placement)")
        }

        /// Results on a second Redis that goes away: `celery_redis_result_backend_up` reads 0 within
        /// a few polls while `celery_redis_up` stays 1, `/-/ready` stays 200 and a rule on
        /// `celery_redis_up == 0` (no `for:`) never becomes active; queues are still polled. When
        /// that Redis is back, the gauge returns to 1 and results are counted again.
        @Test func downResultBackendDoesNotMakeTheBrokerLookDown() throws {
            let scenario = try CeleryScenario(resultBackend: .otherServer)
            let rules = scenario.directory.appendingPathComponent("rules.yml")
            try """
            groups:
              - name: t
                rules:
                  - alert: BrokerDown
                    expr: celery_redis_up == 0
                  - alert: ResultBackendDown
                    expr: celery_redis_result_backend_up == 0

            """.write(to: rules, atomically: true, encoding: .utf8)
            let truth = scenario.truth()
            let exporter = try scenario.startExporter(
                queues: ["celery"], extraArguments: ["--rules.file=\(rules.path)"])
            try exporter.waitForSubscriber()
            #expect(exporter.scrape(until: 10) { $0.value("celery_redis_result_backend_up") == 1 } != nil)
            guard let resultRedis = scenario.resultRedis else { throw HarnessError("no second Redis") }
            // Sent before the outage (a producer subscribes to its result on the backend); no worker yet.
            _ = try scenario.producer.send([.add(1, 1)])
            try truth.waitFor("one waiting task", queues: ["celery"], timeout: 5) { $0.queue("celery").length == 1 }

            resultRedis.stop()
            let down = exporter.scrape(until: 10) { $0.value("celery_redis_result_backend_up") == 0 }
            #expect(
                down != nil,
                "celery_redis_result_backend_up still \(String(describing: try? exporter.scrape().value("celery_redis_result_backend_up"))) with the result backend stopped"
            )
            var polls = 0
            var lastPoll = 0.0
            let deadline = Date().addingTimeInterval(4)
            while Date() < deadline {
                let s = try exporter.scrape()
                #expect(s.up == 1, "the broker reads down while only the result backend is")
                #expect(s.value("celery_redis_alerts", ["alertname": "BrokerDown", "alertstate": "firing"]) == nil)
                if let end = s.pollEnd, end > lastPoll {
                    polls += 1
                    lastPoll = end
                }
                usleep(300_000)
            }
            #expect(polls >= 4, "the broker must keep being polled (\(polls) polls in 4 s)")
            #expect(
                try exporter.process.get("/-/ready").status == 200, "/-/ready fails with only the result backend down")
            let s = try exporter.scrape()
            #expect(s.queueLength("celery") == 1, "queue polled while the result backend is down")
            #expect(s.value("celery_redis_alerts", ["alertname": "ResultBackendDown", "alertstate": "firing"]) == 1)
            let stderr = exporter.process.stderr
            #expect(stderr.contains("result backend unreachable"), "no warning logged: \(stderr.suffix(1500))")

            try resultRedis.restart()
            let back = exporter.scrape(until: 15) { $0.value("celery_redis_result_backend_up") == 1 }
            #expect(back != nil, "celery_redis_result_backend_up did not return to 1")
            try scenario.startWorker("w1", concurrency: 1, prefetchMultiplier: 1)
            let counted = exporter.scrape(until: 15) { $0.results("SUCCESS") == 1 }
            #expect(
                counted != nil,
                "result written after the backend came back not counted: \(String(describing: try? exporter.scrape().allResults))"
            )
        }
    }
}
