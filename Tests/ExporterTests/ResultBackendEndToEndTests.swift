import Foundation
import TestSupport
import Testing

/// Issue 10 item 1 over TLS: the result backend on its own `redis-server`, reached on its TLS port
/// (verified against a CA given by flag) and wants a password (from a file given by flag), while
/// the broker is plain TCP without one. The census reads the backend's metas through TLS; the
/// broker connection never sees them. With the wrong CA the result backend reads down and says so,
/// the broker stays up.
@Suite struct ResultBackendEndToEndTests {
    func seedMetas(_ redis: RedisServer) throws {
        let metas = [
            (
                "a",
                #"{"status": "SUCCESS", "result": 2, "traceback": null, "children": [], "date_done": "2026-12-05T10:00:00+00:00", "task_id": "a"}"#
            ),
            (
                "b",
                #"{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom"]}, "traceback": "x", "children": [], "date_done": "2026-12-05T10:00:00+00:00", "task_id": "b"}"#
            ),
            (
                "c",
                #"{"status": "STARTED", "result": {"pid": 7, "hostname": "w9@gone"}, "traceback": null, "children": [], "date_done": null, "task_id": "c"}"#
            ),
        ]
        for (id, json) in metas {
            let reply = try redis.cli(["SETEX", "celery-task-meta-\(id)", "3600", json])
            #expect(reply.stdout.contains("OK"), "seed: \(reply)")
        }
    }

    @Test func censusReadsASeparateTLSResultBackendWithItsOwnPassword() throws {
        let certs = try TestCertificates()
        let broker = try RedisServer()
        let results = try RedisServer(tls: (certs.serverCert, certs.serverKey, certs.caCert), password: "rb-secret")
        try seedMetas(results)
        let tlsPort = try #require(results.tlsPort)
        let passwordFile = try makeTemporaryDirectory("rb-pw").appendingPathComponent("pw")
        try "rb-secret\n".write(to: passwordFile, atomically: true, encoding: .utf8)
        let common = [
            "--redis.url=redis://127.0.0.1:\(broker.port)/0", "--poll.interval=0.2s",
            "--celery.result-backend-url=rediss://localhost:\(tlsPort)/0",
            "--celery.result-backend-password-file=\(passwordFile.path)", "--log.level=debug",
        ]
        let exporter = try ExporterProcess(arguments: common + ["--celery.result-backend-tls.ca-file=\(certs.caCert)"])
        defer { exporter.terminate() }
        let counted = waitUntil(timeout: 15) {
            let m = MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
            return m.value("celery_redis_task_meta_keys", ["state": "SUCCESS"]) == 1
                && m.value("celery_redis_task_meta_keys", ["state": "FAILURE"]) == 1
                && m.value("celery_redis_task_meta_keys", ["state": "STARTED"]) == 1
        }
        let m = MetricsText(text: try exporter.get("/metrics").text)
        #expect(counted, "census over TLS: \(exporter.stderr.suffix(2000))")
        #expect(m.value("celery_redis_result_backend_up") == 1 && m.value("celery_redis_up") == 1)
        #expect(ServedCatalogue.problems(m.text) == [])
        #expect(!exporter.stderr.contains("rb-secret"), "the password leaked into the log")

        let untrusted = try ExporterProcess(
            arguments: common + ["--celery.result-backend-tls.ca-file=\(certs.wrongCACert)"])
        defer { untrusted.terminate() }
        let down = waitUntil(timeout: 10) {
            let m = MetricsText(text: (try? untrusted.get("/metrics").text) ?? "")
            return m.value("celery_redis_result_backend_up") == 0 && m.value("celery_redis_up") == 1
        }
        #expect(down, "stderr: \(untrusted.stderr.suffix(2000))")
        #expect(
            waitUntil(timeout: 5) { untrusted.stderr.contains("result backend unreachable") },
            "no warning: \(untrusted.stderr.suffix(1500))")
        #expect(try untrusted.get("/-/ready").status == 200, "a down result backend made the exporter unready")
        #expect(
            MetricsText(text: try untrusted.get("/metrics").text).value(
                "celery_redis_task_meta_keys", ["state": "SUCCESS"]) == nil,
            "no census counts without a complete pass")
    }
}
