import Foundation
import TestSupport
import Testing

/// The binary behind sentinels that mislead or stall (real master, replica and sentinel; scripted
/// sentinels for the answers a real one never gives).
@Suite(.serialized) struct SentinelTrapsEndToEndTests {
    /// S1 names the replica, S2 (real) the master: the exporter is up through S2, and S1's answer
    /// is counted as `not_master`. Before: `celery_redis_up 0` for ever, S2 never asked.
    @Test func aSentinelNamingTheReplicaDoesNotKeepTheExporterDown() throws {
        let setup = try SentinelFailoverSetup()
        let stale = try FakeSentinel(naming: "127.0.0.1", port: setup.replica.port)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=sentinel://127.0.0.1:\(stale.port);sentinel://127.0.0.1:\(setup.sentinel.port)/0",
            "--redis.sentinel-master=mymaster", "--poll.interval=0.2s", "--redis.connect-timeout=1s",
            "--redis.read-timeout=1s",
        ])
        let master = ["connection": "broker", "master": "mymaster", "address": "127.0.0.1:\(setup.master.port)"]
        var m = MetricsText(text: "")
        let up = waitUntil(timeout: 15) {
            m = SentinelScrapes.metrics(exporter)
            return m.value("celery_redis_up") == 1 && m.value("celery_redis_sentinel_master_info", master) == 1
        }
        #expect(up, "stderr:\n\(exporter.stderr)")
        let reasons = ["connection": "broker", "master": "mymaster", "reason": "not_master"]
        #expect((m.value("celery_redis_sentinel_query_failures_total", reasons) ?? 0) >= 1)
        #expect(exporter.terminate() == 0)
    }

    /// Three sentinels that accept and never answer, with 10 s timeouts: SIGTERM ends the poll,
    /// census and Pub/Sub connects at once (before: about 30 s, one connect timeout per sentinel).
    @Test func sigtermWhileEverySentinelIsSilentExitsPromptly() throws {
        let silent = try (0..<3).map { _ in try listenOnLoopback(backlog: 16) }
        defer { for (fd, _) in silent { close(fd) } }
        let url = silent.map { "sentinel://127.0.0.1:\($0.port)" }.joined(separator: ";")
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=\(url)/0", "--redis.sentinel-master=mymaster", "--redis.connect-timeout=10s",
            "--redis.read-timeout=10s",
        ])
        Thread.sleep(forTimeInterval: 1)  // the poll, census and listener are all in the first sentinel's connect
        let start = Date()
        let status = exporter.terminate(timeout: 60)
        let took = Date().timeIntervalSince(start)
        #expect(took < 5, "exit took \(took) s after SIGTERM")
        #expect(status == 0, "exit status \(String(describing: status)) after \(took) s")
    }
}
