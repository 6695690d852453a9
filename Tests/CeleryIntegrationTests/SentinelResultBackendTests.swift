import Foundation
import TestSupport
import Testing

extension CeleryIntegration {
    /// Celery's result backend behind Redis Sentinel (`result_backend = 'sentinel://...'`,
    /// `result_backend_transport_options={'master_name': 'results'}`), the broker a plain Redis:
    /// real master, replica and `redis-server --sentinel`, and a `SENTINEL FAILOVER` of the result
    /// backend's master while workers run.
    @Suite struct SentinelResultBackend {
        /// `task_track_started`, w1 `-c2 -m1`: 3 × add and boom before the failover (census SUCCESS 3
        /// FAILURE 1, equal to the metas on the master, and counted live); the failover; the old
        /// master stopped; 2 × add more written by Celery to the new master: the census equals the
        /// new master's metas exactly (SUCCESS 5, FAILURE 1) and live counts reach SUCCESS 5.
        @Test func censusStaysExactAcrossAFailoverOfTheResultBackendsMaster() throws {
            let setup = try spawnWithDefaultSignalMask { try SentinelFailoverSetup(masterName: "results") }
            let (master, replica, sentinel) = (setup.master, setup.replica, setup.sentinel)
            let scenario = try CeleryScenario {
                $0.trackStarted = true
                $0.backendURL = "sentinel://127.0.0.1:\(sentinel.port)/0"
                $0.backendMasterName = "results"
            }
            var truth = scenario.truth()
            truth.resultBackend = "\(master.port)/0"
            let exporter = try scenario.startExporter(
                queues: ["celery"],
                extraArguments: [
                    "--celery.result-backend-sentinel-master=results",
                    "--redis.connect-timeout=1s", "--redis.read-timeout=1s",
                ])
            try exporter.waitForSubscriber()
            let wired = exporter.scrape(until: 10) {
                $0.value("celery_redis_result_backend_up") == 1
                    && $0.value(
                        "celery_redis_sentinel_master_info",
                        ["connection": "result_backend", "master": "results", "address": "127.0.0.1:\(master.port)"])
                        == 1
            }
            #expect(wired != nil, "stderr:\n\(exporter.process.stderr.suffix(2000))")
            try scenario.startWorker("w1", concurrency: 2, prefetchMultiplier: 1)

            let first = try scenario.producer.send([.add(1, 1), .add(2, 2), .add(3, 3), .boom()])
            try truth.waitForStatuses(first, in: ["SUCCESS", "FAILURE"], timeout: 20)
            let live = exporter.scrape(until: 8) { $0.results("SUCCESS") == 3 && $0.results("FAILURE") == 1 }
            #expect(
                live != nil, "live counts before the failover: \(String(describing: try? exporter.scrape().allResults))"
            )
            let before = try Agreement.expectCensusAgreement(exporter, truth, "before the failover")
            #expect(before.before.byStatus == ["SUCCESS": 3, "FAILURE": 1], "scenario: \(before.before.summary)")

            #expect(try master.command("WAIT", "1", "5000").hasPrefix(":1"))
            try setup.failOver()
            let followed = exporter.scrape(until: 30) {
                $0.value(
                    "celery_redis_sentinel_master_info",
                    ["connection": "result_backend", "master": "results", "address": "127.0.0.1:\(replica.port)"]) == 1
            }
            #expect(followed != nil, "stderr:\n\(exporter.process.stderr.suffix(3000))")
            master.stop()
            truth.resultBackend = "\(replica.port)/0"

            let second = try scenario.producer.send([.add(4, 4), .add(5, 5)])
            try truth.waitForStatuses(second, in: ["SUCCESS"], timeout: 30)
            let counted = exporter.scrape(until: 15) {
                $0.metaKeys("SUCCESS") == 5 && $0.metaKeys("FAILURE") == 1 && $0.results("SUCCESS") == 5
                    && $0.value("celery_redis_result_backend_up") == 1
            }
            #expect(
                counted != nil,
                "after the failover: meta SUCCESS \(String(describing: try? exporter.scrape().metaKeys("SUCCESS"))), live \(String(describing: try? exporter.scrape().allResults)); \(scenario.logs)"
            )
            let after = try Agreement.expectCensusAgreement(exporter, truth, "after the failover")
            #expect(after.before.byStatus == ["SUCCESS": 5, "FAILURE": 1], "scenario: \(after.before.summary)")
            let s = try exporter.scrape()
            #expect(s.up == 1 && s.queueLength("celery") == 0)
            #expect(
                s.value("celery_redis_sentinel_failovers_total", ["connection": "result_backend", "master": "results"])
                    == 1)
        }
    }
}
