import Foundation
import TestSupport
import Testing

/// TLS to the sentinels, as kombu users configure it (`broker_transport_options={'master_name': ...,
/// 'sentinel_kwargs': {'ssl': True, 'ssl_ca_certs': ...}}`): a real `redis-server --sentinel`
/// listening on TLS only, verified against the test CA; the master itself stays plain TCP.
@Suite(.serialized) struct SentinelTLSEndToEndTests {
    @Test func sentinelsOverTLSAreVerifiedAndUsed() throws {
        let certs = try TestCertificates()
        let master = try RedisServer()
        let sentinel = try RedisSentinel(
            masterName: "mymaster", masterPort: master.port,
            tls: (certs.serverCert, certs.serverKey, certs.caCert))
        try CelerySeed.bind(master, queue: "celery")
        try CelerySeed.enqueue(master, queue: "celery", count: 4)
        let common = [
            "--redis.url=sentinel://localhost:\(sentinel.port)/0", "--redis.sentinel-master=mymaster",
            "--poll.interval=0.2s", "--redis.connect-timeout=1s", "--redis.read-timeout=1s",
        ]

        let verified = try ExporterProcess(arguments: common + ["--redis.sentinel-tls.ca-file=\(certs.caCert)"])
        defer { verified.terminate() }
        var m = MetricsText(text: "")
        let up = waitUntil(timeout: 15) {
            m = SentinelScrapes.metrics(verified)
            return m.value("celery_redis_up") == 1 && m.value("celery_redis_queue_length", ["queue": "celery"]) == 4
                && m.value(
                    "celery_redis_sentinel_master_info",
                    ["connection": "broker", "master": "mymaster", "address": "127.0.0.1:\(master.port)"]) == 1
        }
        #expect(up, "stderr: \(verified.stderr.suffix(2000))")

        // An untrusted CA, or plain TCP to the TLS port: the sentinel is unreachable, counted, up 0.
        for extra in [["--redis.sentinel-tls.ca-file=\(certs.wrongCACert)"], []] {
            let refused = try ExporterProcess(arguments: common + extra)
            defer { refused.terminate() }
            let (counted, _) = SentinelScrapes.waitForQueryFailure(refused, master: "mymaster", reason: "unreachable")
            #expect(counted, "\(extra): stderr: \(refused.stderr.suffix(2000))")
        }
    }

    @Test func sentinelTLSWithoutASentinelURLExitsTwo() throws {
        let (status, stderr) = try runExporterToExit(["--redis.url=redis://127.0.0.1:6379/0", "--redis.sentinel-tls"])
        #expect(status == 2)
        #expect(stderr.contains("--redis.sentinel-tls needs a sentinel://"), "stderr: \(stderr)")
    }
}
