import HTTP
import Sockets
import TLS

/// Delivers notifications to a Slack incoming webhook. Slack answers errors with a non-`ok` body
/// even on 200 (`invalid_payload`, `channel_not_found`), so only a body of exactly `ok` is a
/// success; anything else is given up, as Alertmanager does, since resending the same payload
/// would fail the same way.
public struct SlackSender: NotificationSender {
    /// The integration's configuration.
    public let configuration: SlackConfiguration
    /// The `User-Agent` header.
    public let userAgent: String
    let tls: TLSClientContext?

    /// Builds the sender, loading its TLS files now; with `contexts`, it shares a TLS context
    /// with the other senders of equal TLS settings.
    public init(configuration: SlackConfiguration, userAgent: String, contexts: TLSContextCache? = nil) throws {
        self.configuration = configuration
        self.userAgent = userAgent
        self.tls =
            configuration.apiURL.isTLS
            ? try contexts?.context(for: configuration.tls) ?? TLSClientContext(configuration.tls) : nil
    }

    /// One attempt.
    public func send(_ notification: Notification, now: Double, timeout: Duration) -> DeliveryAttempt {
        send(notification, now: now, timeout: timeout, cancellation: nil)
    }

    /// One attempt, cut short when `cancellation` is cancelled.
    public func send(
        _ notification: Notification, now: Double, timeout: Duration, cancellation: CancellationToken?
    ) -> DeliveryAttempt {
        let body = SlackPayload.encode(notification, configuration: configuration)
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("User-Agent", userAgent)])
        return HTTPDelivery.post(
            body, headers: headers, to: configuration.apiURL, tls: tls, timeout: timeout, cancellation: cancellation,
            now: now,
            accept: { response in
                let text = response.bodyText.trimmingWhitespace
                if text == "ok" { return nil }
                let shown = String(text.prefix(100))
                return DeliveryAttempt(
                    decision: .giveUp, detail: "HTTP \(response.status) with Slack error \"\(shown)\"")
            })
    }
}
