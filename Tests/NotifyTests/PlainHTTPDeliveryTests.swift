import HTTP
import Logging
import Sockets
import Synchronization
import TestSupport
import Testing

@testable import Notify

/// Delivery over plain HTTP against our own `HTTPServer`: Slack's `ok` rule, the Alertmanager
/// API pusher, and the client's request encoding (IPv6 literal, headers, no redirects).
@Suite struct PlainHTTPDeliveryTests {
    final class Recorder: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
        let responses = Mutex<[HTTPResponse]>([])
        func handle(_ r: HTTPRequest) -> HTTPResponse {
            requests.withLock { $0.append(r) }
            return responses.withLock { $0.isEmpty ? .text("ok") : $0.removeFirst() }
        }
    }

    func server(_ recorder: Recorder, host: String = "127.0.0.1") throws -> (HTTPServer, UInt16) {
        let s = try HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [.tcp(host: host, port: 0)]),
            logger: Logger(label: "test-server"), handler: { recorder.handle($0) })
        s.start()
        return (s, s.boundAddresses[0].port)
    }

    func notification(_ receiver: String, kind: IntegrationID.Kind = .slack) -> Notification {
        Notification(
            id: "msg_x", integration: IntegrationID(receiver: receiver, kind: kind, index: 0), groupKey: "{}:{}",
            groupLabels: ["alertname": "A"], alerts: [Fixtures.alert("A")], createdAt: 2000, reason: .firstNotification)
    }

    @Test func slackSuccessOnlyOnOk() throws {
        let recorder = Recorder()
        let (s, port) = try server(recorder)
        defer { s.shutdown(gracePeriod: .milliseconds(100)) }
        let sender = try SlackSender(
            configuration: SlackConfiguration(
                apiURL: try HTTPClientURL("http://127.0.0.1:\(port)/services/T/B/secret")),
            userAgent: "ua")
        #expect(sender.send(notification("chat"), now: 0, timeout: .seconds(5)).decision == .success)
        recorder.responses.withLock { $0 = [.text("invalid_payload"), .text(status: 500, "boom")] }
        let rejected = sender.send(notification("chat"), now: 0, timeout: .seconds(5))
        #expect(rejected.decision == .giveUp)
        #expect(rejected.detail.contains("invalid_payload"))
        #expect(sender.send(notification("chat"), now: 0, timeout: .seconds(5)).decision == .retry(after: nil))
        let first = try #require(recorder.requests.withLock { $0.first })
        #expect(first.method == "POST" && first.path == "/services/T/B/secret")
        #expect(first.headers["Content-Type"] == "application/json")
        #expect(String(decoding: first.body, as: UTF8.self).hasPrefix(#"{"attachments":[{"title":"[FIRING:1] A""#))
    }

    @Test func redirectsAreNotFollowed() throws {
        let recorder = Recorder()
        let (s, port) = try server(recorder)
        defer { s.shutdown(gracePeriod: .milliseconds(100)) }
        recorder.responses.withLock {
            $0 = [HTTPResponse(status: 307, headers: [("Location", "http://evil.example/")])]
        }
        let sender = try WebhookSender(
            configuration: WebhookConfiguration(url: try HTTPClientURL("http://127.0.0.1:\(port)/hook")),
            externalURL: "",
            userAgent: "ua")
        let attempt = sender.send(notification("hooks", kind: .webhook), now: 0, timeout: .seconds(5))
        #expect(attempt.decision == .giveUp)
        #expect(attempt.detail == "HTTP 307")
        #expect(recorder.requests.withLock { $0.count } == 1)
    }

    @Test func clientOverIPv6WritesAWellFormedRequest() throws {
        let recorder = Recorder()
        let (s, port) = try server(recorder, host: "::1")
        defer { s.shutdown(gracePeriod: .milliseconds(100)) }
        var headers = HTTPHeaders([("X-Test", "1"), ("Content-Length", "999"), ("X-Evil", "a\r\nInjected: yes")])
        headers.add(name: "Host", value: "ignored")
        let response = try HTTPClient.send(
            request: HTTPClientRequest(method: "POST", headers: headers, body: Array("hello".utf8)),
            to: try HTTPClientURL("http://[::1]:\(port)/p?q=1"), timeout: .seconds(5))
        #expect(response.status == 200 && response.bodyText == "ok")
        let r = try #require(recorder.requests.withLock { $0.first })
        #expect(r.target == "/p?q=1")
        #expect(r.headers["Host"] == "[::1]:\(port)")
        #expect(r.headers["X-Test"] == "1")
        #expect(r.headers["Content-Length"] == "5")
        #expect(!r.headers.contains("Injected") && !r.headers.contains("X-Evil"))
        #expect(String(decoding: r.body, as: UTF8.self) == "hello")
    }

    @Test func connectionRefusedAndTimeout() throws {
        let closed = try HTTPClientURL("http://127.0.0.1:\(try freePort())/")
        #expect {
            try HTTPClient.send(request: HTTPClientRequest(), to: closed, timeout: .seconds(2))
        } throws: { error in
            guard let e = error as? HTTPClientError, case .connect = e else { return false }
            return e.requestNotSent
        }
    }

    @Test func alertmanagerPusherResendsLikePrometheus() throws {
        let recorder = Recorder()
        let (s, port) = try server(recorder)
        defer { s.shutdown(gracePeriod: .milliseconds(100)) }
        let metrics = NotifierMetrics(receivers: [AlertmanagerPusher.receiverLabel], gauges: { DeliveryGauges() })
        let pusher = try AlertmanagerPusher(
            configuration: try .init(baseURL: "http://127.0.0.1:\(port)/", resendDelay: 60), metrics: metrics,
            logger: Logger(label: "am"))
        try pusher.start()
        let a = Fixtures.alert("A", startsAt: 1000)
        pusher.push(alerts: [a], now: 1000)
        pusher.push(alerts: [a], now: 1030)  // not due yet
        #expect(waitUntilTrue { metrics.count(.success, receiver: AlertmanagerPusher.receiverLabel) == 1 })
        pusher.push(alerts: [], now: 1040)  // resolved: sent at once with endsAt
        #expect(waitUntilTrue { metrics.count(.success, receiver: AlertmanagerPusher.receiverLabel) == 2 })
        #expect(pusher.drain(deadline: Deadline(after: .seconds(1))) == 0)
        let bodies = recorder.requests.withLock { $0.map { String(decoding: $0.body, as: UTF8.self) } }
        #expect(recorder.requests.withLock { $0.map(\.path) } == ["/api/v2/alerts", "/api/v2/alerts"])
        #expect(bodies[0].contains(#""endsAt":"1970-01-01T00:20:40Z""#))  // now + 4 × resendDelay
        #expect(bodies[1].contains(#""endsAt":"1970-01-01T00:17:20Z""#))  // resolved at 1040

        var tracked: [String: AlertmanagerPusher.Tracked] = [:]
        #expect(AlertmanagerPusher.due(&tracked, alerts: [a], now: 0, resendDelay: 60).count == 1)
        #expect(AlertmanagerPusher.due(&tracked, alerts: [a], now: 59, resendDelay: 60).isEmpty)
        #expect(AlertmanagerPusher.due(&tracked, alerts: [a], now: 60, resendDelay: 60).count == 1)
        #expect(AlertmanagerPusher.due(&tracked, alerts: [], now: 61, resendDelay: 60).first?.endsAt == 61)
        #expect(AlertmanagerPusher.due(&tracked, alerts: [], now: 121, resendDelay: 60).count == 1)
        #expect(AlertmanagerPusher.due(&tracked, alerts: [], now: 61 + 901, resendDelay: 60).isEmpty)
        #expect(tracked.isEmpty)
    }

    /// Issue 16 row 10: an Alertmanager outage is retried with the next evaluation, so every
    /// failed push is a `retry`, not a `failed` per poll.
    @Test func alertmanagerOutageCountsRetriesNotFailures() throws {
        let port = try freePort()  // nobody listens
        let metrics = NotifierMetrics(receivers: [AlertmanagerPusher.receiverLabel], gauges: { DeliveryGauges() })
        let pusher = try AlertmanagerPusher(
            configuration: try .init(baseURL: "http://127.0.0.1:\(port)", resendDelay: 60), metrics: metrics,
            logger: Logger(label: "am", factory: { _ in SwiftLogNoOpLogHandler() }))
        try pusher.start()
        let label = AlertmanagerPusher.receiverLabel
        for t in 0..<3 {
            pusher.push(alerts: [Fixtures.alert("A", startsAt: 1000)], now: 1000 + Double(t))
            #expect(waitUntilTrue { metrics.count(.retry, receiver: label) == Double(t + 1) })
        }
        #expect(metrics.count(.failed, receiver: label) == 0)
        _ = pusher.drain(deadline: Deadline(after: .milliseconds(100)))
    }

    func waitUntilTrue(_ condition: () -> Bool) -> Bool {
        for _ in 0..<300 {
            if condition() { return true }
            usleepMillis(10)
        }
        return condition()
    }
}
