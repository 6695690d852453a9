import Foundation
import TestSupport
import Testing

/// `--targets.file` through the real binary against real redis-servers: the file's entries become
/// the targets, a key left out takes the flag's value, a password comes from its file.
@Suite(.serialized) struct TargetsFileEndToEndTests {
    @Test func twoBrokersFromATargetsFileWithInheritedFlagsAndAPasswordFile() throws {
        let orders = try RedisServer()
        let mailer = try RedisServer(password: "mailer-secret")
        // orders uses the prefix the command line gives every target; mailer overrides it.
        try CelerySeed.bind(orders, queue: "celery", prefix: "prod:")
        try CelerySeed.enqueue(orders, queue: "celery", count: 6, prefix: "prod:")
        try CelerySeed.bind(mailer, queue: "mail")
        try CelerySeed.enqueue(mailer, queue: "mail", count: 2)

        let dir = try makeTemporaryDirectory("targets-e2e")
        try "mailer-secret\n".write(to: dir.appendingPathComponent("mailer.pw"), atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("targets.yml")
        try """
        targets:
          - name: orders
            redis_url: redis://127.0.0.1:\(orders.port)/0
          - name: mailer
            redis_url: redis://127.0.0.1:\(mailer.port)/0
            password_file: mailer.pw
            key_prefix: ""
            queues: [mail]
        """.write(to: file, atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(
            arguments: ["--poll.interval=0.2s", "--celery.key-prefix=prod:"],
            environment: ["CELERY_REDIS_EXPORTER_TARGETS_FILE": file.path])
        defer { _ = exporter.terminate() }

        let ready = waitUntil(timeout: 10) { (try? exporter.get("/-/ready"))?.status == 200 }
        #expect(ready, "not ready: \((try? exporter.get("/-/ready"))?.text ?? "no answer")")
        let counted = waitUntil(timeout: 10) {
            let metrics = MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
            return metrics.value("celery_redis_queue_length", ["target": "orders", "queue": "celery"]) == 6
                && metrics.value("celery_redis_queue_length", ["target": "mailer", "queue": "mail"]) == 2
        }
        #expect(counted, "\((try? exporter.get("/metrics").text) ?? "")")
        let metrics = MetricsText(text: try exporter.get("/metrics").text)
        #expect(metrics.value("celery_redis_up", ["target": "orders"]) == 1)
        #expect(metrics.value("celery_redis_up", ["target": "mailer"]) == 1)
        #expect(metrics.value("celery_redis_up") == nil)
        #expect(!exporter.stderr.contains("mailer-secret"))
    }
}
