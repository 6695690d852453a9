import HTTP
import Sockets
import TLS

/// Delivers notifications to an Alertmanager-style webhook: POSTs ``WebhookPayload`` JSON, signed
/// when the receiver has `signing`.
///
/// Headers: `Content-Type: application/json`, `User-Agent`, and the signature headers. With
/// Standard Webhooks, `webhook-id` is the notification's id (the same on every retry) and
/// `webhook-timestamp` is the time of each attempt, so every retry is freshly signed and passes
/// a receiver's timestamp tolerance.
public struct WebhookSender: NotificationSender {
    /// The integration's configuration.
    public let configuration: WebhookConfiguration
    /// The `externalURL` field of payloads.
    public let externalURL: String
    /// The `User-Agent` header.
    public let userAgent: String
    let tls: TLSClientContext?

    /// Builds the sender, loading its TLS files now (a bad file fails start-up); with
    /// `contexts`, it shares a TLS context with the other senders of equal TLS settings.
    public init(
        configuration: WebhookConfiguration, externalURL: String, userAgent: String, contexts: TLSContextCache? = nil
    ) throws {
        self.configuration = configuration
        self.externalURL = externalURL
        self.userAgent = userAgent
        self.tls =
            configuration.url.isTLS
            ? try contexts?.context(for: configuration.tls) ?? TLSClientContext(configuration.tls) : nil
    }

    /// One attempt; see ``RetryPolicy`` for the classification.
    public func send(_ notification: Notification, now: Double, timeout: Duration) -> DeliveryAttempt {
        send(notification, now: now, timeout: timeout, cancellation: nil)
    }

    /// One attempt, cut short when `cancellation` is cancelled.
    public func send(
        _ notification: Notification, now: Double, timeout: Duration, cancellation: CancellationToken?
    ) -> DeliveryAttempt {
        let body = WebhookPayload.encode(notification, externalURL: externalURL, maxAlerts: configuration.maxAlerts)
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("User-Agent", userAgent)])
        if let signer = configuration.signer {
            for (name, value) in signer.headers(body: body, id: notification.id, timestamp: Int64(now)) {
                headers.add(name: name, value: value)
            }
        }
        return HTTPDelivery.post(
            body, headers: headers, to: configuration.url, tls: tls, timeout: timeout, cancellation: cancellation,
            now: now)
    }
}
