import Foundation
import HTTP
import Logging
import Sockets
import TLS
import TestSupport
import Testing

@testable import Notify

/// End to end: configuration file → dispatcher → delivery thread → our HTTP client over our TLS
/// → a real Python HTTPS receiver that verifies the signature and records what it got.
@Suite(.serialized) struct WebhookDeliveryIntegrationTests {
    static let fastRetry = RetryConfiguration(initialDelay: 0.1, maxDelay: 0.5, minDelay: 0.05, defaultTimeout: 5)

    struct Setup {
        let certs: TestCertificates
        let directory: String
        let secret: [UInt8]
    }

    func setup() throws -> Setup {
        let certs = try TestCertificates()
        let dir = try makeTemporaryDirectory("notify-it").path
        let secret = Array("0123456789abcdef0123456789abcdef".utf8)
        try ("whsec_" + Data(secret).base64EncodedString() + "\n").write(
            toFile: dir + "/standard.key", atomically: true, encoding: .utf8)
        try "github-secret\n".write(toFile: dir + "/github.key", atomically: true, encoding: .utf8)
        return Setup(certs: certs, directory: dir, secret: secret)
    }

    /// Writes a one-receiver configuration and builds a started notifier for it.
    func notifier(
        _ s: Setup, port: UInt16, receiverYAML: String, route: String = "group_wait: 0s\n  group_interval: 1s",
        retry: RetryConfiguration = fastRetry, byteBudget: Int = 16 << 20, storagePath: String? = nil
    ) throws -> Notifier {
        let yaml = """
            route:
              receiver: hooks
              group_by: [alertname]
              \(route)
            receivers:
              - name: hooks
            \(receiverYAML.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        try yaml.write(toFile: s.directory + "/alerting.yml", atomically: true, encoding: .utf8)
        let config = try AlertingConfiguration.load(file: s.directory + "/alerting.yml")
        let n = try Notifier(
            configuration: config,
            options: NotifierOptions(
                externalURL: "http://exporter.test:9808", userAgent: "celery-redis-exporter/test",
                byteBudget: byteBudget, retry: retry, tickInterval: .milliseconds(100), storagePath: storagePath),
            logger: Logger(label: "notify-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try n.start()
        return n
    }

    func webhook(_ s: Setup, port: UInt16, tls: String = "") -> String {
        """
        signing: {scheme: standard-webhooks, secret_file: standard.key}
        webhook_configs:
          - url: https://localhost:\(port)/hook?x=1
            http_config:
              tls_config: {ca_file: \(s.certs.caCert)\(tls.isEmpty ? "" : ", " + tls)}
        """
    }

    func alert(_ name: String, queue: String = "celery") -> NotifiableAlert {
        NotifiableAlert(
            labels: ["alertname": name, "queue": queue, "severity": "page"],
            annotations: ["summary": "queue <\(queue)> & co"],
            startsAt: WallClock.now(), generatorURL: "http://exporter.test:9808/alerts")
    }

    func count(_ n: Notifier, _ result: String) -> Double {
        n.metricFamilies()[0].samples.first { $0.labels.map(\.value) == ["hooks", result] }?.value ?? -1
    }

    @Test func signedDeliveryThenResolved() throws {
        let s = try setup()
        let receiver = try WebhookReceiver(
            tls: (s.certs.serverCert, s.certs.serverKey), signing: ("standard-webhooks", s.secret))
        try receiver.start()
        let n = try notifier(s, port: receiver.port, receiverYAML: webhook(s, port: receiver.port, tls: ""))
        let a = alert("CeleryQueueBacklog")
        n.update(alerts: [a], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { receiver.requests.count == 1 })
        let first = try #require(receiver.requests.first)
        #expect(first.signatureValid == true)
        #expect(first.path == "/hook?x=1")
        #expect(first.headers["content-type"] == "application/json")
        #expect(first.headers["user-agent"] == "celery-redis-exporter/test")
        #expect(first.headers["host"] == "localhost:\(receiver.port)")
        #expect(first.headers["webhook-id"]?.hasPrefix("msg_") == true)
        let body = first.json
        #expect(body["version"] as? String == "4")
        #expect(body["status"] as? String == "firing")
        #expect(body["receiver"] as? String == "hooks")
        #expect(body["groupKey"] as? String == #"{}:{alertname="CeleryQueueBacklog"}"#)
        #expect(body["externalURL"] as? String == "http://exporter.test:9808")
        let alerts = try #require(body["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        #expect((alerts[0]["annotations"] as? [String: String])?["summary"] == "queue <celery> & co")
        #expect(alerts[0]["endsAt"] as? String == "0001-01-01T00:00:00Z")
        #expect(alerts[0]["fingerprint"] as? String == a.fingerprint)

        // Resolve it: the next group_interval sends the resolution once.
        n.update(alerts: [], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { receiver.requests.count == 2 })
        let second = try #require(receiver.requests.last)
        #expect(second.signatureValid == true)
        #expect(second.json["status"] as? String == "resolved")
        #expect(second.headers["webhook-id"] != first.headers["webhook-id"])
        Thread.sleep(forTimeInterval: 1.5)
        #expect(receiver.requests.count == 2)  // sent once, then dropped from the group
        #expect(count(n, "success") == 2)
        #expect(n.drain(deadline: Deadline(after: .seconds(2))).isComplete)
        receiver.stop()
    }

    @Test func githubSignatureAndMutualTLS() throws {
        let s = try setup()
        let receiver = try WebhookReceiver(
            tls: (s.certs.serverCert, s.certs.serverKey), clientCA: s.certs.caCert,
            signing: ("github", Array("github-secret".utf8)))
        try receiver.start()
        let yaml = """
            signing: {scheme: github, secret_file: github.key}
            webhook_configs:
              - url: https://127.0.0.1:\(receiver.port)/gh
                http_config:
                  tls_config: {ca_file: \(s.certs.caCert), cert_file: \(s.certs.clientCert), key_file: \(s.certs.clientKey)}
            """
        let n = try notifier(s, port: receiver.port, receiverYAML: yaml)
        n.update(alerts: [alert("WorkerDown")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { receiver.requests.count == 1 })
        #expect(receiver.requests.first?.signatureValid == true)
        #expect(receiver.requests.first?.clientCertificate == true)
        _ = n.drain(deadline: Deadline(after: .seconds(1)))

        // Without the client certificate the server refuses the handshake: nothing is accepted.
        let plain = try TLSClientContext(TLSClientConfiguration(caFile: s.certs.caCert))
        #expect(throws: HTTPClientError.self) {
            _ = try HTTPClient.send(
                request: HTTPClientRequest(body: Array("{}".utf8)),
                to: try HTTPClientURL("https://127.0.0.1:\(receiver.port)/gh"),
                tls: plain, timeout: .seconds(5))
        }
        #expect(receiver.requests.count == 1)
        receiver.stop()
    }

    @Test func untrustedCAIsRefusedAndNothingIsSent() throws {
        let s = try setup()
        let receiver = try WebhookReceiver(tls: (s.certs.serverCert, s.certs.serverKey))
        try receiver.start()
        let url = try HTTPClientURL("https://localhost:\(receiver.port)/hook")
        let wrong = try TLSClientContext(TLSClientConfiguration(caFile: s.certs.wrongCACert))
        do {
            _ = try HTTPClient.send(request: HTTPClientRequest(body: [1]), to: url, tls: wrong, timeout: .seconds(5))
            Issue.record("an untrusted certificate was accepted")
        } catch {
            guard case .tls(_, let tlsError) = error else {
                Issue.record("expected a TLS error, got \(error)")
                return
            }
            #expect(tlsError.verificationCode != nil)
            #expect(error.requestNotSent)
        }
        // Through the notifier: retried (a certificate can be fixed) and never sent; it stays
        // pending (no retry window), and shutdown without storage gives it up as failed.
        let yaml = """
            webhook_configs:
              - url: https://localhost:\(receiver.port)/hook
                http_config:
                  tls_config: {ca_file: \(s.certs.wrongCACert)}
            """
        let n = try notifier(
            s, port: receiver.port, receiverYAML: yaml,
            retry: RetryConfiguration(initialDelay: 0.1, maxDelay: 0.2, minDelay: 0.05, defaultTimeout: 5))
        n.update(alerts: [alert("X")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { count(n, "retry") >= 2 })
        #expect(count(n, "success") == 0 && count(n, "failed") == 0)
        #expect(receiver.requests.isEmpty)
        #expect(n.drain(deadline: Deadline(after: .seconds(1))).undeliveredCount == 1)
        #expect(count(n, "failed") == 1)
        receiver.stop()
    }

    @Test func wrongHostNameIsRefused() throws {
        let s = try setup()
        let receiver = try WebhookReceiver(tls: (s.certs.serverCert, s.certs.serverKey))
        try receiver.start()
        let url = try HTTPClientURL("https://127.0.0.1:\(receiver.port)/hook")
        let context = try TLSClientContext(TLSClientConfiguration(caFile: s.certs.caCert, serverName: "wrong.example"))
        do {
            _ = try HTTPClient.send(request: HTTPClientRequest(body: [1]), to: url, tls: context, timeout: .seconds(5))
            Issue.record("a certificate for another host was accepted")
        } catch {
            guard case .tls(_, let tlsError) = error else {
                Issue.record("expected a TLS error, got \(error)")
                return
            }
            #expect(tlsError.verificationCode == 62)  // X509_V_ERR_HOSTNAME_MISMATCH
        }
        // The same server by its right name works, so the refusal was about the name alone.
        let right = try TLSClientContext(TLSClientConfiguration(caFile: s.certs.caCert))
        let response = try HTTPClient.send(
            request: HTTPClientRequest(body: [1]), to: try HTTPClientURL("https://localhost:\(receiver.port)/hook"),
            tls: right, timeout: .seconds(5))
        #expect(response.status == 200 && response.bodyText == "ok")
        #expect(receiver.requests.count == 1)
        receiver.stop()
    }

    @Test func threeFailuresThenSuccessDeliversOnceWithOneID() throws {
        let s = try setup()
        let receiver = try WebhookReceiver(
            tls: (s.certs.serverCert, s.certs.serverKey), plan: [503, 503, 503],
            signing: ("standard-webhooks", s.secret))
        try receiver.start()
        let n = try notifier(s, port: receiver.port, receiverYAML: webhook(s, port: receiver.port, tls: ""))
        n.update(alerts: [alert("Backlog")], now: WallClock.now())
        #expect(waitUntil(timeout: 15) { count(n, "success") == 1 })
        let requests = receiver.requests
        #expect(requests.map(\.status) == [503, 503, 503, 200])
        #expect(Set(requests.compactMap { $0.headers["webhook-id"] }).count == 1)
        #expect(requests.allSatisfy { $0.signatureValid == true })
        #expect(Set(requests.map(\.body)).count == 1)
        #expect(count(n, "retry") == 3)
        #expect(count(n, "failed") == 0)
        _ = n.drain(deadline: Deadline(after: .seconds(1)))
        receiver.stop()
    }

    @Test func badRequestIsNotRetried() throws {
        let s = try setup()
        let receiver = try WebhookReceiver(tls: (s.certs.serverCert, s.certs.serverKey), plan: [400])
        try receiver.start()
        // Not retried by the backoff; made again only at the group's next flush (1 h away here).
        let n = try notifier(
            s, port: receiver.port, receiverYAML: webhook(s, port: receiver.port, tls: ""),
            route: "group_wait: 0s\n  group_interval: 1h")
        n.update(alerts: [alert("Backlog")], now: WallClock.now())
        #expect(waitUntil(timeout: 10) { count(n, "failed") == 1 })
        Thread.sleep(forTimeInterval: 1)
        #expect(receiver.requests.count == 1)
        #expect(count(n, "retry") == 0)
        _ = n.drain(deadline: Deadline(after: .seconds(1)))
        receiver.stop()
    }

    @Test func receiverDownThenUpLosesNothing() throws {
        let s = try setup()
        let port = try freePort()
        let n = try notifier(
            s, port: port, receiverYAML: webhook(s, port: port, tls: ""),
            retry: RetryConfiguration(initialDelay: 0.2, maxDelay: 0.5, minDelay: 0.05, defaultTimeout: 5))
        n.update(alerts: [alert("A")], now: WallClock.now())
        n.update(alerts: [alert("A"), alert("B")], now: WallClock.now())  // a second group
        Thread.sleep(forTimeInterval: 2)  // connection refused, retrying
        #expect(count(n, "retry") >= 2)
        #expect(count(n, "success") == 0)
        let receiver = try WebhookReceiver(
            port: port, tls: (s.certs.serverCert, s.certs.serverKey), signing: ("standard-webhooks", s.secret))
        try receiver.start()
        #expect(waitUntil(timeout: 10) { count(n, "success") == 2 })
        let names = receiver.requests.compactMap { ($0.json["groupLabels"] as? [String: String])?["alertname"] }
        #expect(names.sorted() == ["A", "B"])
        #expect(count(n, "failed") == 0 && count(n, "dropped") == 0)
        #expect(n.drain(deadline: Deadline(after: .seconds(2))).isComplete)
        receiver.stop()
    }
}
