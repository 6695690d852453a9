import Foundation
import TestSupport
import Testing

/// Issue 10 item 3: the binary as users run it behind Redis Sentinel (a master, a replica and a
/// sentinel, all real processes on loopback), through a forced failover.
@Suite(.serialized) struct SentinelEndToEndTests {
    static let meta =
        #"{"status": "SUCCESS", "result": 3, "traceback": null, "children": [], "date_done": "2026-12-05T00:00:00.000000+00:00", "task_id": "ID"}"#

    static func publishResult(_ redis: RedisServer, id: String) throws {
        let payload = meta.replacingOccurrences(of: "\"ID\"", with: "\"\(id)\"")
        _ = try redis.command([Array("PUBLISH".utf8), Array("celery-task-meta-\(id)".utf8), Array(payload.utf8)])
    }

    @Test func followsAForcedFailoverWithExactCountsAndLiveEvents() throws {
        let setup = try SentinelFailoverSetup()
        let (master, replica, sentinel) = (setup.master, setup.replica, setup.sentinel)
        try CelerySeed.bind(master, queue: "celery")
        try CelerySeed.enqueue(master, queue: "celery", count: 3)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=sentinel://127.0.0.1:\(sentinel.port)/0", "--redis.sentinel-master=mymaster",
            "--poll.interval=0.2s", "--redis.connect-timeout=1s", "--redis.read-timeout=1s",
        ])
        let before = ["connection": "broker", "master": "mymaster", "address": "127.0.0.1:\(master.port)"]
        var m = MetricsText(text: "")
        let sawMaster = waitUntil(timeout: 15) {
            m = SentinelScrapes.metrics(exporter)
            return m.value("celery_redis_up") == 1 && m.value("celery_redis_queue_length", ["queue": "celery"]) == 3
                && m.value("celery_redis_sentinel_master_info", before) == 1
                && m.value("celery_redis_event_subscriber_up") == 1
        }
        #expect(sawMaster, "metrics: \(m.text.prefix(300)) stderr: \(exporter.stderr)")
        try Self.publishResult(master, id: "before")
        #expect(
            waitUntil(timeout: 10) {
                SentinelScrapes.metrics(exporter).value("celery_redis_task_results_total", ["state": "SUCCESS"]) == 1
            })
        // Everything written so far has reached the replica before it is promoted.
        #expect(try master.command("WAIT", "1", "5000").hasPrefix(":1"))

        try setup.failOver()
        let after = ["connection": "broker", "master": "mymaster", "address": "127.0.0.1:\(replica.port)"]
        // The old master is still running (now a replica): the exporter must move by itself.
        let followed = waitUntil(timeout: 30) {
            m = SentinelScrapes.metrics(exporter)
            return m.value("celery_redis_sentinel_master_info", after) == 1
        }
        #expect(followed, "stderr: \(exporter.stderr)")
        #expect(m.value("celery_redis_sentinel_master_info", before) == nil)
        #expect(m.value("celery_redis_sentinel_failovers_total", ["connection": "broker", "master": "mymaster"]) == 1)
        #expect(ServedCatalogue.problems(m.text) == [])

        // Only the new master is left; writes and results there are seen exactly.
        master.stop()
        try CelerySeed.enqueue(replica, queue: "celery", step: 0, count: 2)
        let counted = waitUntil(timeout: 15) {
            m = SentinelScrapes.metrics(exporter)
            return m.value("celery_redis_queue_length", ["queue": "celery"]) == 5 && m.value("celery_redis_up") == 1
        }
        #expect(
            counted, "queue length \(String(describing: m.value("celery_redis_queue_length", ["queue": "celery"])))")
        #expect(
            waitUntil(timeout: 15) { SentinelScrapes.metrics(exporter).value("celery_redis_event_subscriber_up") == 1 })
        let eventsAfter = waitUntil(timeout: 15) {
            // Published until seen: the subscription may still be re-forming when the first goes out.
            try? Self.publishResult(replica, id: "after-\(UUID().uuidString)")
            return
                (SentinelScrapes.metrics(exporter).value("celery_redis_task_results_total", ["state": "SUCCESS"]) ?? 0)
                >= 2
        }
        #expect(eventsAfter, "stderr: \(exporter.stderr)")
        m = SentinelScrapes.metrics(exporter)
        #expect(m.value("celery_redis_sentinel_failovers_total", ["connection": "broker", "master": "mymaster"]) == 1)
        #expect(exporter.terminate() == 0)
    }

    @Test func aWrongMasterNameIsAClearErrorAndUpZeroWithoutACrash() throws {
        let master = try RedisServer()
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=sentinel://127.0.0.1:\(sentinel.port)", "--redis.sentinel-master=wrongname",
            "--poll.interval=0.2s",
        ])
        let (reported, m) = SentinelScrapes.waitForQueryFailure(exporter, master: "wrongname", reason: "unknown_master")
        #expect(reported, "metrics: \(m.text.prefix(300))")
        #expect(
            exporter.stderr.contains("no master named \\\"wrongname\\\"")
                || exporter.stderr.contains("no master named \"wrongname\""),
            "stderr: \(exporter.stderr)")
        #expect(
            m.value(
                "celery_redis_sentinel_master_info",
                ["connection": "broker", "master": "wrongname", "address": "127.0.0.1:\(master.port)"]) == nil)
        #expect(exporter.terminate() == 0)
    }

    /// The Sentinel password (file or environment) goes only to the sentinels, the URL's password
    /// only to the master; a wrong Sentinel password is counted and logged, and neither secret shows.
    @Test func sentinelAndRedisPasswordsAreSeparateAndNeverShown() throws {
        let master = try RedisServer(password: "redis-Secret1")
        let sentinel = try RedisSentinel(
            masterName: "mymaster", masterPort: master.port, password: "sentinel-Secret2",
            masterPassword: "redis-Secret1")
        try CelerySeed.bind(master, queue: "celery")
        try CelerySeed.enqueue(master, queue: "celery", count: 4)
        let directory = try makeTemporaryDirectory("sentinel-secret")
        let file = directory.appendingPathComponent("sentinel-password")
        try "sentinel-Secret2\n".write(to: file, atomically: true, encoding: .utf8)
        let url = "--redis.url=sentinel://:redis-Secret1@127.0.0.1:\(sentinel.port)/0"
        let viaFile = try ExporterProcess(arguments: [
            url, "--redis.sentinel-master=mymaster", "--redis.sentinel-password-file=\(file.path)",
            "--poll.interval=0.2s",
        ])
        let viaEnvironment = try ExporterProcess(
            arguments: [url, "--redis.sentinel-master=mymaster", "--poll.interval=0.2s"],
            environment: ["CELERY_REDIS_EXPORTER_REDIS_SENTINEL_PASSWORD": "sentinel-Secret2"])
        for exporter in [viaFile, viaEnvironment] {
            var m = MetricsText(text: "")
            let up = waitUntil(timeout: 15) {
                m = SentinelScrapes.metrics(exporter)
                return m.value("celery_redis_up") == 1 && m.value("celery_redis_queue_length", ["queue": "celery"]) == 4
            }
            #expect(up, "stderr: \(exporter.stderr)")
            #expect(!m.text.contains("Secret"))
            #expect(exporter.terminate() == 0)
            #expect(!exporter.stderr.contains("Secret"))
        }

        // Without the Sentinel password the sentinel refuses us: counted as unreachable, not a crash.
        let refused = try ExporterProcess(arguments: [url, "--redis.sentinel-master=mymaster", "--poll.interval=0.2s"])
        let (counted, m) = SentinelScrapes.waitForQueryFailure(refused, master: "mymaster", reason: "unreachable")
        #expect(counted, "stderr: \(refused.stderr)")
        #expect(refused.terminate() == 0)
        #expect(!refused.stderr.contains("Secret") && !m.text.contains("Secret"))
        #expect(
            refused.stderr.contains("NOAUTH") || refused.stderr.contains("authentication"), "stderr: \(refused.stderr)")
    }

    @Test(arguments: [
        (["--redis.url=sentinel://127.0.0.1:26379"], "--redis.sentinel-master"),
        (["--redis.url=redis://127.0.0.1:6379/0", "--redis.sentinel-master=m"], "needs a sentinel://"),
        (["--redis.url=sentinel://127.0.0.1:26379;redis://127.0.0.1", "--redis.sentinel-master=m"], "sentinel://"),
        (["--redis.url=sentinel://:s3cret@127.0.0.1:99999", "--redis.sentinel-master=m"], "port number"),
        (["--redis.url=sentinel://127.0.0.1", "--redis.sentinel-master=has space"], "--redis.sentinel-master"),
    ])
    func badSentinelSettingsExitTwoWithOneLine(arguments: [String], expected: String) throws {
        let (status, stderr) = try runExporterToExit(arguments)
        #expect(status == 2)
        #expect(stderr.contains(expected), "stderr: \(stderr)")
        #expect(!stderr.contains("s3cret"))
        #expect(stderr.split(separator: "\n").count == 1, "stderr: \(stderr)")
    }
}
