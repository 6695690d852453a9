import Foundation
import HTTP
import Logging
import Sockets
import TestSupport
import Testing

@testable import Notify

/// PagerDuty Events API v2 end to end: configuration file → dispatcher → delivery thread → our
/// HTTP client over our TLS → a real Python HTTPS server answering as PagerDuty does.
@Suite(.serialized) struct PagerDutyDeliveryTests {
    /// A routing key that would be easy to spot anywhere it leaked.
    let routingKey = "R0UT1NGKEY" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(22)

    func notifier(port: UInt16, certs: TestCertificates, route: String, extra: String = "", logs: LogRecorder) throws
        -> Notifier
    {
        let dir = try makeTemporaryDirectory("pd").path
        try (routingKey + "\n").write(toFile: dir + "/routing.key", atomically: true, encoding: .utf8)
        let yaml = """
            route:
              receiver: pager
              group_by: [alertname]
              \(route)
            receivers:
              - name: pager
                pagerduty_configs:
                  - routing_key_file: routing.key
                    url: https://localhost:\(port)/v2/enqueue
                    severity: critical
                    component: '{{ .CommonLabels.queue }}'
                    details: {runbook: 'https://runbooks.example/{{ .GroupLabels.alertname }}'}
                    http_config:
                      tls_config: {ca_file: \(certs.caCert)}
            \(extra)
            """
        try yaml.write(toFile: dir + "/alerting.yml", atomically: true, encoding: .utf8)
        let n = try Notifier(
            configuration: try AlertingConfiguration.load(file: dir + "/alerting.yml"),
            options: NotifierOptions(
                externalURL: "http://exporter.test:9808", userAgent: "celery-redis-exporter/test",
                retry: RetryConfiguration(initialDelay: 0.1, maxDelay: 0.5, minDelay: 0.05, defaultTimeout: 5),
                tickInterval: .milliseconds(100)),
            logger: logs.logger())
        try n.start()
        return n
    }

    /// Runs `body` against a started notifier paging a Python HTTPS receiver that answers with
    /// `plan` (and `replyBodies` by status); stops both afterwards.
    func withPager(
        plan: [Int], replyBodies: [String: String] = [:], route: String = "group_wait: 0s\n  group_interval: 1h",
        _ body: (WebhookReceiver, Notifier, LogRecorder) throws -> Void
    ) throws {
        let certs = try TestCertificates()
        let receiver = try WebhookReceiver(
            tls: (certs.serverCert, certs.serverKey), plan: plan,
            extra: replyBodies.isEmpty ? [:] : ["reply_bodies": replyBodies])
        try receiver.start()
        defer { receiver.stop() }
        let logs = LogRecorder()
        let n = try notifier(port: receiver.port, certs: certs, route: route, logs: logs)
        defer { _ = n.drain(deadline: Deadline(after: .seconds(1))) }
        try body(receiver, n, logs)
    }

    /// Fires one alert, `Down`, starting now.
    func fireDown(_ n: Notifier) {
        n.update(
            alerts: [NotifiableAlert(labels: ["alertname": "Down"], annotations: [:], startsAt: WallClock.now())],
            now: WallClock.now())
    }

    /// SHA-256 of `text` by coreutils, not by our code.
    func sha256sum(_ text: String) throws -> String {
        let r = try runCommand(try requireTool("sha256sum"), [], input: Data(text.utf8))
        return String(r.stdout.prefix(64))
    }

    func object(_ body: String) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(body.utf8)) as? NSDictionary)
    }

    func count(_ n: Notifier, _ result: String) -> Double {
        n.metricFamilies()[0].samples.first { $0.labels.map(\.value) == ["pager", result] }?.value ?? 0
    }

    @Test func triggerThenResolveWithTheGroupKeyHashAsDedupKey() throws {
        try withPager(plan: [202, 202], route: "group_wait: 0s\n  group_interval: 1s") { receiver, n, logs in
            let startsAt = 1_764_000_000.5
            let alert = NotifiableAlert(
                labels: ["alertname": "CeleryBacklog", "queue": "celery", "severity": "page"],
                annotations: ["summary": "queue <celery> is long"], startsAt: startsAt,
                generatorURL: "http://exporter.test:9808/graph")
            n.update(alerts: [alert], now: WallClock.now())
            #expect(waitUntil(timeout: 10) { receiver.requests.count == 1 })
            let trigger = try #require(receiver.requests.first)
            #expect(trigger.path == "/v2/enqueue")
            #expect(trigger.headers["content-type"] == "application/json")
            // Go's encoder order: routing_key first, the body ends with a newline.
            #expect(trigger.body.hasPrefix("{\"routing_key\":\"\(routingKey)\",\"dedup_key\":"))
            #expect(trigger.body.hasSuffix("}\n"))
            let groupKey = #"{}:{alertname="CeleryBacklog"}"#
            let dedupKey = try sha256sum(groupKey)
            let alertJSON: [String: Any] = [
                "status": "firing", "labels": alert.labels, "annotations": alert.annotations,
                "startsAt": "2025-11-24T16:00:00.5Z", "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://exporter.test:9808/graph", "fingerprint": alert.fingerprint,
            ]
            let body = try object(trigger.body)
            let firing = try #require(
                ((body["payload"] as? NSDictionary)?["custom_details"] as? NSDictionary)?["firing"] as? String)
            // `{{ .Alerts.Firing | toJson }}`: a string holding the alerts in Go's struct order.
            #expect(firing.hasPrefix("[{\"status\":\"firing\",\"labels\":{\"alertname\":"))
            let firingAlerts = try #require(JSONSerialization.jsonObject(with: Data(firing.utf8)) as? NSArray)
            #expect(firingAlerts == [alertJSON] as NSArray)
            let expected: NSDictionary = [
                "routing_key": routingKey, "dedup_key": dedupKey, "event_action": "trigger",
                "payload": [
                    "summary": "[FIRING:1] CeleryBacklog (celery page)", "source": "celery-redis-exporter",
                    "severity": "critical", "component": "celery",
                    "custom_details": [
                        "firing": firing, "resolved": "[]", "num_firing": "1", "num_resolved": "0",
                        "runbook": "https://runbooks.example/CeleryBacklog",
                    ],
                ],
                "client": "celery-redis-exporter", "client_url": "http://exporter.test:9808",
            ]
            #expect(body == expected)

            // Resolved: a resolve event with the same dedup_key.
            n.update(alerts: [], now: WallClock.now())
            #expect(waitUntil(timeout: 10) { receiver.requests.count == 2 })
            let resolve = try object(try #require(receiver.requests.last).body)
            #expect(resolve["event_action"] as? String == "resolve")
            #expect(resolve["dedup_key"] as? String == dedupKey)
            let payload = try #require(resolve["payload"] as? [String: Any])
            #expect(payload["summary"] as? String == "[RESOLVED] CeleryBacklog (celery page)")
            let custom = try #require(payload["custom_details"] as? [String: String])
            #expect(custom["num_firing"] == "0" && custom["num_resolved"] == "1" && custom["firing"] == "[]")
            #expect(count(n, "success") == 2)
            Thread.sleep(forTimeInterval: 1.5)
            #expect(receiver.requests.count == 2)
            #expect(!logs.messages.joined().contains(routingKey))
        }
    }

    /// 400 is PagerDuty's "invalid event": counted as failed, logged, not retried, and the
    /// routing key, even when PagerDuty's error text quotes it, is in no log line and no metric.
    @Test func badRequestIsPermanentAndTheRoutingKeyNeverLeaks() throws {
        let reply =
            "{\"status\":\"invalid event\",\r\n\u{1b}[31m\"message\":\"Event object is invalid\",\"errors\":[\"routing_key KEY is unknown\"]}"
        try withPager(plan: [400], replyBodies: ["400": reply.replacingOccurrences(of: "KEY", with: routingKey)]) {
            receiver, n, logs in
            fireDown(n)
            #expect(waitUntil(timeout: 10) { count(n, "failed") == 1 })
            Thread.sleep(forTimeInterval: 1.5)
            #expect(receiver.requests.count == 1)
            #expect(count(n, "retry") == 0)
            let rejected = logs.messages.filter { $0.contains("rejected") }
            #expect(rejected.count == 1, "\(logs.messages)")
            #expect(rejected.first?.contains("HTTP 400 from PagerDuty: ") == true, "\(rejected)")
            #expect(rejected.first?.contains("<routing_key> is unknown") == true, "\(rejected)")
            let sent = try #require(receiver.requests.first)
            #expect(sent.body.contains(routingKey))
            #expect(rejected.first?.contains("\u{1b}") == false && rejected.first?.contains("\r") == false)
            #expect(!logs.messages.joined(separator: "\n").contains(routingKey))
            #expect(!"\(n.metricFamilies())".contains(routingKey))
        }
    }

    /// 429 and 5xx are retried with the very same event (same dedup_key), until PagerDuty's 202.
    @Test func throttledAndServerErrorsAreRetriedWithTheSameEvent() throws {
        try withPager(plan: [429, 503, 202]) { receiver, n, logs in
            fireDown(n)
            #expect(waitUntil(timeout: 10) { count(n, "success") == 1 })
            let bodies = receiver.requests.map(\.body)
            #expect(receiver.requests.map(\.status) == [429, 503, 202])
            #expect(Set(bodies).count == 1)
            #expect(count(n, "retry") == 2 && count(n, "failed") == 0)
            #expect(!logs.messages.joined(separator: "\n").contains(routingKey))
        }
    }

    /// An event over PagerDuty's 512,000 bytes has its custom details replaced by a note (as
    /// Alertmanager does, so PagerDuty still gets the page), and a warning says so.
    @Test func oversizedEventDropsItsDetailsAndSaysSo() throws {
        try withPager(plan: [202]) { receiver, n, logs in
            let huge = String(repeating: "x", count: 300_000)
            let alerts = (0..<2).map { i in
                NotifiableAlert(
                    labels: ["alertname": "Big", "queue": "q\(i)"], annotations: ["description": huge],
                    startsAt: WallClock.now())
            }
            n.update(alerts: alerts, now: WallClock.now())
            #expect(waitUntil(timeout: 10) { count(n, "success") == 1 })
            let sent = try #require(receiver.requests.first)
            let event = try object(sent.body)
            let payload = try #require(event["payload"] as? [String: Any])
            #expect(
                payload["custom_details"] as? [String: String] == [
                    "error":
                        "Custom details have been removed because the original event exceeds the maximum size of 512kB"
                ])
            #expect(payload["summary"] as? String == "[FIRING:2] Big ")
            #expect(sent.body.utf8.count < 10_000)
            #expect(
                logs.messages.filter { $0.contains("PagerDuty event over 512000 bytes") }.count == 1, "\(logs.messages)"
            )
        }
    }
}
