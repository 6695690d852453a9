import Foundation
import TestSupport
import Testing

/// The real binary against real Redis (TLS with the test CA, a password): settings from the URL
/// and the environment are honoured as given, and a blank variable stops start-up.
@Suite(.serialized) struct FlagTrapsEndToEndTests {
    static func metrics(_ exporter: ExporterProcess) -> MetricsText {
        MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
    }

    /// `rediss://...?ssl_cert_reqs=none` (what Celery users write for a self-signed Redis): the
    /// skip-verify flag's default switched verification back on, so the exporter never connected.
    /// Now it connects, says once at start-up that the URL turned verification off, and an
    /// explicit `--redis.tls.insecure-skip-verify=false` still wins.
    @Test func sslCertReqsNoneInTheURLIsHonouredAndWarnedAbout() throws {
        let certs = try TestCertificates()
        let redis = try RedisServer(tls: (certs.serverCert, certs.serverKey, certs.caCert))
        try CelerySeed.bind(redis, queue: "celery")
        try CelerySeed.enqueue(redis, queue: "celery", count: 3)
        let tlsPort = try #require(redis.tlsPort)
        let url = "--redis.url=rediss://localhost:\(tlsPort)/0?ssl_cert_reqs=none"
        let exporter = try ExporterProcess(arguments: [url, "--poll.interval=0.2s"])
        defer { _ = exporter.terminate() }
        let up = waitUntil(timeout: 10) {
            Self.metrics(exporter).value("celery_redis_queue_length", ["queue": "celery"]) == 3
        }
        #expect(up, "stderr: \(exporter.stderr)")
        let warning = "TLS certificate verification for Redis is OFF (by the URL: ssl_cert_reqs=none)"
        #expect(exporter.stderr.components(separatedBy: warning).count == 2, "stderr: \(exporter.stderr)")

        let verified = try ExporterProcess(arguments: [
            url, "--redis.tls.insecure-skip-verify=false", "--poll.interval=0.2s",
        ])
        defer { _ = verified.terminate() }
        let refused = waitUntil(timeout: 10) {
            Self.metrics(verified).value("celery_redis_poll_errors_total", ["stage": "connect"]) ?? 0 >= 1
        }
        #expect(refused, "stderr: \(verified.stderr)")
        #expect(!verified.stderr.contains("verification for Redis is OFF"))
    }

    /// A password set by the environment from a file (a Kubernetes secret, `env_file`) ends with
    /// a newline; it was sent with it, and Redis answered WRONGPASS.
    @Test func aPasswordFromTheEnvironmentWithATrailingNewlineAuthenticates() throws {
        let redis = try RedisServer(password: "s3cret")
        try CelerySeed.bind(redis, queue: "celery")
        let exporter = try ExporterProcess(
            arguments: ["--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s"],
            environment: ["CELERY_REDIS_EXPORTER_REDIS_PASSWORD": "s3cret\n"])
        defer { _ = exporter.terminate() }
        let up = waitUntil(timeout: 10) { Self.metrics(exporter).value("celery_redis_up") == 1 }
        #expect(up, "stderr: \(exporter.stderr)")
    }

    /// `CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS=""` (a templated manifest with an unset value)
    /// listened on every interface at the default port; now one line and exit 2.
    @Test func aBlankListenAddressVariableStopsStartUp() throws {
        let r = try runExporterToExit(
            ["--redis.url=redis://127.0.0.1:1/0"], environment: ["CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS": " , "])
        #expect(r.status == 2, "stderr: \(r.stderr)")
        #expect(
            r.stderr.hasPrefix("celery-redis-exporter: CELERY_REDIS_EXPORTER_WEB_LISTEN_ADDRESS: set but blank"),
            "stderr: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
