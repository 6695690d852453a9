import Foundation
import TestSupport
import Testing

/// A result backend behind Redis Sentinel (Celery's `result_backend = 'sentinel://...'` with
/// `result_backend_transport_options={'master_name': ...}`), the broker a plain Redis: real
/// `redis-server` master, replica and `--sentinel` processes on loopback, and a forced
/// `SENTINEL FAILOVER` of the result backend's master mid-run. The census and the result-write
/// subscription follow the new master; the counts stay exact; the broker is never disturbed.
@Suite(.serialized) struct SentinelResultBackendEndToEndTests {
    /// Writes a result the way Celery's Redis backend does: the meta, then a PUBLISH on its key.
    static func writeResult(_ redis: RedisServer, id: String, status: String) throws {
        let json =
            #"{"status": "\#(status)", "result": null, "traceback": null, "children": [], "date_done": "2026-12-05T10:00:00+00:00", "task_id": "\#(id)"}"#
        let key = Array("celery-task-meta-\(id)".utf8)
        _ = try redis.command([Array("SETEX".utf8), key, Array("3600".utf8), Array(json.utf8)])
        _ = try redis.command([Array("PUBLISH".utf8), key, Array(json.utf8)])
    }

    static func metaKeys(_ m: MetricsText) -> [String: Double] {
        var counts: [String: Double] = [:]
        for state in ["SUCCESS", "FAILURE", "STARTED", "PENDING", "RETRY", "REVOKED"] {
            if let v = m.value("celery_redis_task_meta_keys", ["state": state]), v > 0 { counts[state] = v }
        }
        return counts
    }

    @Test func censusAndResultEventsFollowAFailoverOfTheResultBackendsMaster() throws {
        let broker = try RedisServer()
        try CelerySeed.bind(broker, queue: "celery")
        try CelerySeed.enqueue(broker, queue: "celery", count: 2)
        let setup = try SentinelFailoverSetup(masterName: "results")
        let (master, replica, sentinel) = (setup.master, setup.replica, setup.sentinel)
        try Self.writeResult(master, id: "a", status: "SUCCESS")
        try Self.writeResult(master, id: "b", status: "FAILURE")
        try Self.writeResult(master, id: "c", status: "STARTED")

        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(broker.port)/0",
            "--celery.result-backend-url=sentinel://127.0.0.1:\(sentinel.port)/0",
            "--celery.result-backend-sentinel-master=results",
            "--poll.interval=0.2s", "--redis.connect-timeout=1s", "--redis.read-timeout=1s", "--log.level=debug",
        ])
        defer { exporter.terminate() }
        let before = ["connection": "result_backend", "master": "results", "address": "127.0.0.1:\(master.port)"]
        var m = MetricsText(text: "")
        let seen = waitUntil(timeout: 20) {
            m = SentinelScrapes.metrics(exporter)
            return Self.metaKeys(m) == ["SUCCESS": 1, "FAILURE": 1, "STARTED": 1]
                && m.value("celery_redis_result_backend_up") == 1
                && m.value("celery_redis_sentinel_master_info", before) == 1
        }
        #expect(seen, "metas \(Self.metaKeys(m)); stderr: \(exporter.stderr.suffix(2000))")
        #expect(m.value("celery_redis_up") == 1 && m.value("celery_redis_queue_length", ["queue": "celery"]) == 2)
        // The start-up line names the result backend's sentinels and master, not a placeholder address.
        #expect(
            exporter.stderr.contains("sentinel://127.0.0.1:\(sentinel.port) master=results db=0"),
            "stderr: \(exporter.stderr.prefix(1500))")
        // The broker is not behind Sentinel: no broker resolver series.
        #expect(!m.text.contains("connection=\"broker\""))
        // A result written now is counted live (the result-write subscription is on the master).
        var successesBefore = 0
        let live = waitUntil(timeout: 10) {
            if (try? Self.writeResult(master, id: "d-\(UUID().uuidString)", status: "SUCCESS")) != nil {
                successesBefore += 1
            }
            return
                (SentinelScrapes.metrics(exporter).value("celery_redis_task_results_total", ["state": "SUCCESS"]) ?? 0)
                >= 1
        }
        #expect(live, "no live result event; stderr: \(exporter.stderr.suffix(2000))")
        // Everything so far is on the replica before it is promoted.
        #expect(try master.command("WAIT", "1", "5000").hasPrefix(":1"))

        try setup.failOver()
        let after = ["connection": "result_backend", "master": "results", "address": "127.0.0.1:\(replica.port)"]
        let followed = waitUntil(timeout: 30) {
            m = SentinelScrapes.metrics(exporter)
            return m.value("celery_redis_sentinel_master_info", after) == 1
        }
        #expect(followed, "stderr: \(exporter.stderr.suffix(3000))")
        #expect(m.value("celery_redis_sentinel_master_info", before) == nil)
        #expect(
            m.value("celery_redis_sentinel_failovers_total", ["connection": "result_backend", "master": "results"]) == 1
        )
        #expect(ServedCatalogue.problems(m.text) == [])

        // Only the new master is left. The STARTED task finishes there, another result is written:
        // the census counts exactly what the new master holds, and live events arrive again.
        master.stop()
        try Self.writeResult(replica, id: "c", status: "SUCCESS")
        try Self.writeResult(replica, id: "e", status: "FAILURE")
        let expected: [String: Double] = ["SUCCESS": Double(2 + successesBefore), "FAILURE": 2]
        let exact = waitUntil(timeout: 20) {
            m = SentinelScrapes.metrics(exporter)
            return Self.metaKeys(m) == expected && m.value("celery_redis_result_backend_up") == 1
        }
        #expect(exact, "metas \(Self.metaKeys(m)), expected \(expected); stderr: \(exporter.stderr.suffix(3000))")
        let failuresBefore =
            SentinelScrapes.metrics(exporter).value("celery_redis_task_results_total", ["state": "FAILURE"]) ?? 0
        let eventsAfter = waitUntil(timeout: 15) {
            // Published until seen: the subscription may still be re-forming when the first goes out.
            try? Self.writeResult(replica, id: "f-\(UUID().uuidString)", status: "FAILURE")
            return
                (SentinelScrapes.metrics(exporter).value("celery_redis_task_results_total", ["state": "FAILURE"]) ?? 0)
                > failuresBefore
        }
        #expect(eventsAfter, "no live result event after the failover; stderr: \(exporter.stderr.suffix(2000))")
        m = SentinelScrapes.metrics(exporter)
        // Live counts equal the new master's keys (each f-* write counted once, by the census too).
        let keysNow = try #require(Int(replica.cli(["DBSIZE"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let counted = Self.metaKeys(m).values.reduce(0, +)
        #expect(
            waitUntil(timeout: 10) {
                Self.metaKeys(SentinelScrapes.metrics(exporter)).values.reduce(0, +) == Double(keysNow)
            },
            "census \(counted) vs \(keysNow) keys on the new master")
        #expect(m.value("celery_redis_up") == 1 && m.value("celery_redis_queue_length", ["queue": "celery"]) == 2)
        #expect(
            m.value("celery_redis_sentinel_failovers_total", ["connection": "result_backend", "master": "results"]) == 1
        )
        #expect(exporter.terminate() == 0)
    }

    /// Broker and results on one Sentinel-managed Redis (db 0 and db 1): the result backend's URL
    /// lists the same sentinels, so it takes the broker's master name and Sentinel password, and
    /// both share one resolver (one `connection="broker"` series, no second).
    @Test func resultsInAnotherDatabaseOfTheBrokersSentinelMasterShareItsSettings() throws {
        let master = try RedisServer(password: "redis-Secret1")
        let sentinel = try RedisSentinel(
            masterName: "mymaster", masterPort: master.port, password: "sentinel-Secret2",
            masterPassword: "redis-Secret1")
        try CelerySeed.bind(master, queue: "celery")
        try CelerySeed.enqueue(master, queue: "celery", count: 3)
        _ = try master.cli([
            "-n", "1", "SETEX", "celery-task-meta-x", "3600",
            #"{"status": "SUCCESS", "result": 1, "traceback": null, "children": [], "date_done": null, "task_id": "x"}"#,
        ])
        let directory = try makeTemporaryDirectory("sentinel-rb")
        let file = directory.appendingPathComponent("sentinel-password")
        try "sentinel-Secret2\n".write(to: file, atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=sentinel://:redis-Secret1@127.0.0.1:\(sentinel.port)/0", "--redis.sentinel-master=mymaster",
            "--redis.sentinel-password-file=\(file.path)",
            "--celery.result-backend-url=sentinel://:redis-Secret1@127.0.0.1:\(sentinel.port)/1",
            "--poll.interval=0.2s",
        ])
        defer { exporter.terminate() }
        var m = MetricsText(text: "")
        let up = waitUntil(timeout: 15) {
            m = SentinelScrapes.metrics(exporter)
            return m.value("celery_redis_up") == 1 && m.value("celery_redis_queue_length", ["queue": "celery"]) == 3
                && m.value("celery_redis_task_meta_keys", ["state": "SUCCESS"]) == 1
                && m.value("celery_redis_result_backend_up") == 1
        }
        #expect(up, "stderr: \(exporter.stderr.suffix(2000))")
        #expect(
            m.value(
                "celery_redis_sentinel_master_info",
                ["connection": "broker", "master": "mymaster", "address": "127.0.0.1:\(master.port)"]) == 1)
        #expect(!m.text.contains("connection=\"result_backend\""), "a second resolver for the same master")
        #expect(!m.text.contains("Secret") && !exporter.stderr.contains("Secret"))
        #expect(ServedCatalogue.problems(m.text) == [])
    }

    @Test(arguments: [
        // Other sentinels than the broker's (none here): the master name is needed.
        (["--celery.result-backend-url=sentinel://127.0.0.1:26390/1"], "--celery.result-backend-sentinel-master"),
        (
            ["--celery.result-backend-url=redis://127.0.0.1:6379/1", "--celery.result-backend-sentinel-master=m"],
            "needs a sentinel://"
        ),
        (["--celery.result-backend-sentinel-master=m"], "needs --celery.result-backend-url"),
        (
            [
                "--celery.result-backend-url=sentinel://:s3cret@127.0.0.1:99999/1",
                "--celery.result-backend-sentinel-master=m",
            ],
            "port number"
        ),
        (
            [
                "--celery.result-backend-url=sentinel://127.0.0.1/1",
                "--celery.result-backend-sentinel-master=has space",
            ],
            "--celery.result-backend-sentinel-master"
        ),
    ])
    func badResultBackendSentinelSettingsExitTwoWithOneLine(arguments: [String], expected: String) throws {
        let (status, stderr) = try runExporterToExit(["--redis.url=redis://127.0.0.1:6379/0"] + arguments)
        #expect(status == 2)
        #expect(stderr.contains(expected), "stderr: \(stderr)")
        #expect(!stderr.contains("s3cret"))
        #expect(stderr.split(separator: "\n").count == 1, "stderr: \(stderr)")
    }
}
