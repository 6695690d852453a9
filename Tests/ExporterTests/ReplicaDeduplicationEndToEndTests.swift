import Foundation
import HTTP
import Logging
import Synchronization
import TLS
import TestSupport
import Testing

/// A webhook receiver that deduplicates on `webhook-id`, as a Standard Webhooks consumer does:
/// every POST is recorded, the first of each id is accepted, later ones are answered 200 and
/// ignored.
final class DeduplicatingReceiver: Sendable {
    let server: HTTPServer
    private let store: Store

    init(status: Int = 200, reply: String = "ok\n") throws {
        var configuration = HTTPServerConfiguration(listenAddresses: [.tcp(host: "127.0.0.1", port: 0)])
        configuration.maxBodyBytes = 1 << 20
        let store = Store()
        server = try HTTPServer(configuration: configuration, logger: Logger(label: "receiver")) { request in
            store.record(request)
            return .text(status: status, reply)
        }
        self.store = store
        server.start()
    }

    final class Store: Sendable {
        private let seen = Mutex<(all: [HTTPRequest], accepted: [HTTPRequest], ids: Set<String>)>(([], [], []))
        func record(_ request: HTTPRequest) {
            seen.withLock { s in
                s.all.append(request)
                if let id = request.headers["webhook-id"], s.ids.insert(id).inserted { s.accepted.append(request) }
            }
        }
        var all: [HTTPRequest] { seen.withLock { $0.all } }
        var accepted: [HTTPRequest] { seen.withLock { $0.accepted } }
    }

    var port: UInt16 { server.boundAddresses[0].port }
    var all: [HTTPRequest] { store.all }
    var accepted: [HTTPRequest] { store.accepted }
    deinit { server.shutdown(gracePeriod: .milliseconds(100)) }
}

/// Two replicas on the same Redis with the same rules must not double-page: each sends its own
/// copy, with the same `webhook-id`, so a deduplicating receiver acts on each notification once.
@Suite(.serialized) struct ReplicaDeduplicationEndToEndTests {
    func status(_ r: HTTPRequest) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])?["status"] as? String
    }

    @Test func twoReplicasSendIdenticalIdsAndTheReceiverActsOnce() throws {
        let redis = try CelerySeed.backloggedRedis(tasks: 6)
        let receiver = try DeduplicatingReceiver()
        let dir = try makeTemporaryDirectory("replicas")
        try """
        groups:
          - name: celery
            rules:
              - alert: CeleryBacklog
                expr: celery_redis_queue_length > 5
                for: 1s
        """.write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        try ("whsec_" + Base64.encode(Array("0123456789abcdef0123456789abcdef".utf8)))
            .write(to: dir.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        try """
        route:
          receiver: hook
          group_by: ['alertname']
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: hook
            signing: {scheme: standard-webhooks, secret_file: secret}
            webhook_configs:
              - url: http://127.0.0.1:\(receiver.port)/hook
        """.write(to: dir.appendingPathComponent("alerting.yml"), atomically: true, encoding: .utf8)
        func replica() throws -> ExporterProcess {
            try ExporterProcess(arguments: [
                "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s",
                "--rules.file=\(dir.path)/rules.yml", "--alerting.config=\(dir.path)/alerting.yml",
            ])
        }
        let one = try replica()
        Thread.sleep(forTimeInterval: 0.45)  // the replicas poll, fire and flush at different moments
        let two = try replica()
        let fired = waitUntil(timeout: 20) { receiver.all.filter { status($0) == "firing" }.count >= 2 }
        #expect(fired, "stderr: \(one.stderr) \(two.stderr)")
        try redis.command("DEL", "celery")
        let resolved = waitUntil(timeout: 20) { receiver.all.filter { status($0) == "resolved" }.count >= 2 }
        #expect(resolved, "stderr: \(one.stderr) \(two.stderr)")
        Thread.sleep(forTimeInterval: 2)  // nothing more may follow
        #expect(one.terminate() == 0)
        #expect(two.terminate() == 0)

        let all = receiver.all
        #expect(all.count == 4, "\(all.map { (status($0) ?? "?") + " " + ($0.headers["webhook-id"] ?? "-") })")
        for state in ["firing", "resolved"] {
            let copies = all.filter { status($0) == state }
            #expect(copies.count == 2)
            #expect(Set(copies.compactMap { $0.headers["webhook-id"] }).count == 1, "\(state): ids differ")
        }
        #expect(Set(all.compactMap { $0.headers["webhook-id"] }).count == 2)
        #expect(receiver.accepted.map { status($0) } == ["firing", "resolved"])
    }

    /// The other way: both replicas push to one real Alertmanager (`--alertmanager.url`), which
    /// merges their copies of an alert (same labels, same fingerprint) and notifies once.
    @Test func twoReplicasPushingToAlertmanagerNotifyOnce() throws {
        let redis = try CelerySeed.backloggedRedis(tasks: 6)
        let receiver = try DeduplicatingReceiver()
        let dir = try makeTemporaryDirectory("replicas-am")
        try "groups: [{name: g, rules: [{alert: CeleryBacklog, expr: celery_redis_queue_length > 5}]}]\n"
            .write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        try """
        route: {receiver: hook, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
        receivers:
          - name: hook
            webhook_configs: [{url: 'http://127.0.0.1:\(receiver.port)/hook'}]
        """.write(to: dir.appendingPathComponent("am.yml"), atomically: true, encoding: .utf8)
        let amPort = try freePort()
        let am = Process()
        am.executableURL = URL(fileURLWithPath: try requireTool("prometheus-alertmanager"))
        am.arguments = [
            "--config.file=\(dir.path)/am.yml", "--storage.path=\(dir.path)/am-data",
            "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address=",
        ]
        am.standardOutput = FileHandle.nullDevice
        am.standardError = FileHandle.nullDevice
        try am.run()
        defer {
            // SIGKILL: the test runner blocks SIGTERM and a child inherits the mask.
            kill(am.processIdentifier, SIGKILL)
            am.waitUntilExit()
        }
        #expect(
            waitUntil(timeout: 15) { (try? httpRequest(port: amPort, method: "GET", path: "/-/ready"))?.status == 200 })
        func replica() throws -> ExporterProcess {
            try ExporterProcess(arguments: [
                "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s",
                "--rules.file=\(dir.path)/rules.yml", "--alertmanager.url=http://127.0.0.1:\(amPort)",
            ])
        }
        let one = try replica()
        Thread.sleep(forTimeInterval: 0.45)
        let two = try replica()
        #expect(waitUntil(timeout: 20) { receiver.all.contains { status($0) == "firing" } })
        try redis.command("DEL", "celery")
        #expect(waitUntil(timeout: 20) { receiver.all.contains { status($0) == "resolved" } })
        Thread.sleep(forTimeInterval: 2.5)  // nothing more may follow
        #expect(one.terminate() == 0)
        #expect(two.terminate() == 0)
        #expect(receiver.all.map { status($0) } == ["firing", "resolved"], "stderr: \(one.stderr) \(two.stderr)")
    }

    /// An Alertmanager receiver kind the exporter does not implement stops start-up with exit 2
    /// and one line that names it and points to `--alertmanager.url`.
    @Test func otherReceiverKindStopsStartUpWithOneLine() throws {
        let dir = try makeTemporaryDirectory("receivers")
        let alerting = dir.appendingPathComponent("alerting.yml")
        try """
        route: {receiver: mail}
        receivers:
          - name: mail
            email_configs: [{to: oncall@example.com}]
        """.write(to: alerting, atomically: true, encoding: .utf8)
        try "groups: []\n".write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        let result = try runExporterToExit([
            "--rules.file=\(dir.path)/rules.yml", "--alerting.config=\(alerting.path)",
        ])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("receivers[0].email_configs") && result.stderr.contains("--alertmanager.url"))
    }

    /// The routing key, inline in the file, is in no log line and no metric of the real
    /// exporter, even when PagerDuty's 400 answer quotes it.
    @Test func pagerDutyRoutingKeyNeverLeaks() throws {
        let key = "LEAKCHECK" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(23)
        let receiver = try DeduplicatingReceiver(
            status: 400,
            reply: #"{"status":"invalid event","message":"Event object is invalid","errors":["bad key \#(key)"]}"#)
        let redis = try CelerySeed.backloggedRedis(tasks: 6)
        let dir = try makeTemporaryDirectory("pd-e2e")
        try "groups: [{name: g, rules: [{alert: Backlog, expr: celery_redis_queue_length > 5}]}]\n"
            .write(to: dir.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        try """
        route: {receiver: pager, group_wait: 0s, group_interval: 1s}
        receivers:
          - name: pager
            pagerduty_configs:
              - routing_key: \(key)
                url: http://127.0.0.1:\(receiver.port)/v2/enqueue
        """.write(to: dir.appendingPathComponent("alerting.yml"), atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s", "--log.level=debug",
            "--rules.file=\(dir.path)/rules.yml", "--alerting.config=\(dir.path)/alerting.yml",
        ])
        let rejected = waitUntil(timeout: 20) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
                .value("celery_redis_notifications_total", ["receiver": "pager", "result": "failed"]) ?? 0 >= 1
        }
        #expect(rejected, "stderr: \(exporter.stderr)")
        let sent = try #require(receiver.all.first)
        #expect(String(decoding: sent.body, as: UTF8.self).contains("\"routing_key\":\"\(key)\""))
        let metrics = try exporter.get("/metrics").text
        #expect(exporter.terminate() == 0)
        #expect(exporter.stderr.contains("HTTP 400 from PagerDuty"), "stderr: \(exporter.stderr)")
        #expect(!exporter.stderr.contains(key), "the routing key was logged")
        #expect(!metrics.contains(key), "the routing key is in /metrics")
    }
}
