import Foundation
import HTTP
import Logging
import Sockets
import Synchronization
import TLS
import TestSupport
import Testing

/// A webhook receiver on our own HTTP server that records every POST.
final class RecordingReceiver: Sendable {
    let server: HTTPServer

    init() throws {
        var configuration = HTTPServerConfiguration(listenAddresses: [.tcp(host: "127.0.0.1", port: 0)])
        configuration.maxBodyBytes = 1 << 20
        let sink = ReceivedSink()
        server = try HTTPServer(configuration: configuration, logger: Logger(label: "receiver")) { request in
            sink.append(request)
            return .text(status: 200, "ok\n")
        }
        self.sink = sink
        server.start()
    }

    private let sink: ReceivedSink
    var port: UInt16 { server.boundAddresses[0].port }
    var requests: [HTTPRequest] { sink.all }
    deinit { server.shutdown(gracePeriod: .milliseconds(100)) }
}

final class ReceivedSink: Sendable {
    private let storage = Mutex<[HTTPRequest]>([])
    func append(_ request: HTTPRequest) { storage.withLock { $0.append(request) } }
    var all: [HTTPRequest] { storage.withLock { $0 } }
}

/// Rules evaluated in the exporter, delivered to a real receiver, reloaded live.
@Suite(.serialized) struct AlertingEndToEndTests {
    func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func ruleFiresNotifiesSignedResolvesAndReloads() throws {
        let redis = try CelerySeed.backloggedRedis(tasks: 6)
        let receiver = try RecordingReceiver()
        let dir = try makeTemporaryDirectory("alerting")
        let rules = dir.appendingPathComponent("rules.yml")
        try """
        groups:
          - name: celery
            rules:
              - alert: CeleryBacklog
                expr: celery_redis_queue_length > 5
                for: 1s
                labels: {severity: warning}
                annotations:
                  summary: "Queue {{ $labels.queue }} has {{ $value }} messages"
        """.write(to: rules, atomically: true, encoding: .utf8)
        let secret: [UInt8] = Array("0123456789abcdef0123456789abcdef".utf8)
        try ("whsec_" + Base64.encode(secret)).write(
            to: dir.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        try "http://127.0.0.1:\(receiver.port)/hook\n".write(
            to: dir.appendingPathComponent("url"), atomically: true, encoding: .utf8)
        let alerting = dir.appendingPathComponent("alerting.yml")
        try """
        route:
          receiver: hook
          group_by: ['alertname']
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: hook
            signing: {scheme: standard-webhooks, secret_file: \(dir.path)/secret}
            webhook_configs:
              - url_file: \(dir.path)/url
        """.write(to: alerting, atomically: true, encoding: .utf8)

        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.3s",
            "--rules.file=\(rules.path)", "--alerting.config=\(alerting.path)", "--web.enable-lifecycle",
        ])
        let firing = waitUntil(timeout: 15) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
                .value(
                    "celery_redis_alerts",
                    ["alertname": "CeleryBacklog", "alertstate": "firing", "queue": "celery", "severity": "warning"])
                == 1
        }
        #expect(firing, "stderr: \(exporter.stderr)")
        // Issue 11: with a rule loaded, its evaluation shows as the rules phase (the previous poll's).
        let alertingText = try exporter.get("/metrics").text
        let rulesPhase = MetricsText(text: alertingText).value("celery_redis_poll_phase_seconds", ["phase": "rules"])
        // Alerts (with their rules' labels), notifications and reloads are the catalogue's too.
        #expect(ServedCatalogue.problems(alertingText) == [])
        #expect((rulesPhase ?? 0) > 0, "rules phase \(String(describing: rulesPhase))")
        let api = try json(try exporter.get("/api/v1/alerts").body)
        let apiAlerts = try #require((api["data"] as? [String: Any])?["alerts"] as? [[String: Any]])
        #expect(apiAlerts.count == 1 && (apiAlerts[0]["state"] as? String) == "firing")

        // The receiver gets Alertmanager's version 4 JSON, signed per Standard Webhooks.
        let delivered = waitUntil(timeout: 15) { !receiver.requests.isEmpty }
        #expect(delivered, "no notification; stderr: \(exporter.stderr)")
        let first = try #require(receiver.requests.first)
        let body = try json(first.body)
        #expect(body["version"] as? String == "4")
        #expect(body["status"] as? String == "firing")
        #expect(body["receiver"] as? String == "hook")
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect((alerts.first?["labels"] as? [String: String])?["queue"] == "celery")
        #expect((alerts.first?["annotations"] as? [String: String])?["summary"] == "Queue celery has 6 messages")
        let id = try #require(first.headers["webhook-id"])
        let timestamp = try #require(first.headers["webhook-timestamp"])
        let signature = try #require(first.headers["webhook-signature"])
        let expected =
            "v1," + Base64.encode(HMAC.sha256(key: secret, message: Array("\(id).\(timestamp).".utf8) + first.body))
        #expect(signature.split(separator: " ").map(String.init).contains(expected))

        // Draining the queue resolves the alert and a resolved notification follows.
        try redis.command("DEL", "celery")
        let resolved = waitUntil(timeout: 15) {
            receiver.requests.contains { (try? self.json($0.body))?["status"] as? String == "resolved" }
        }
        #expect(resolved, "no resolved notification; stderr: \(exporter.stderr)")

        // A broken rules file is refused on POST /-/reload; the old rules stay and the metric says so.
        try "groups: [{name: x, rules: [{alert: Bad, expr: 'topk(1, x) > 1'}]}]\n".write(
            to: rules, atomically: true, encoding: .utf8)
        let refused = try httpRequest(port: exporter.port, method: "POST", path: "/-/reload")
        #expect(refused.status == 500 && refused.text.contains("topk"))
        let failedMetric = waitUntil(timeout: 5) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value(
                "celery_redis_config_last_reload_successful") == 0
        }
        #expect(failedMetric)

        // A good file loads on SIGHUP.
        try """
        groups: [{name: y, rules: [{alert: RedisDown, expr: celery_redis_up == 0}]}]
        """.write(to: rules, atomically: true, encoding: .utf8)
        kill(exporter.process.processIdentifier, SIGHUP)
        let reloaded = waitUntil(timeout: 5) {
            MetricsText(text: (try? exporter.get("/metrics").text) ?? "").value(
                "celery_redis_config_last_reload_successful") == 1
        }
        #expect(reloaded, "stderr: \(exporter.stderr)")
        #expect(exporter.terminate() == 0)
        #expect(!exporter.stderr.contains("127.0.0.1:\(receiver.port)/hook"), "webhook URL (a secret) was logged")
    }

    @Test func badRulesFileStopsStartUp() throws {
        let dir = try makeTemporaryDirectory("rules")
        let rules = dir.appendingPathComponent("bad.yml")
        try "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n".write(
            to: rules, atomically: true, encoding: .utf8)
        let result = try runExporterToExit(["--rules.file=\(rules.path)"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yml"), "stderr: \(result.stderr)")
    }
}
