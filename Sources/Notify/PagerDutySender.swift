import HTTP
import Logging
import Sockets
import Synchronization
import TLS

/// Delivers notifications to PagerDuty's Events API v2 (``PagerDutyPayload``). PagerDuty answers
/// 202 on success; 429 and 5xx are retried; 400 (an invalid event, e.g. a wrong routing key or
/// severity) and other 4xx are given up, as Alertmanager does, since resending the same event
/// fails the same way. PagerDuty's error text is shown with the routing key cut out.
public struct PagerDutySender: NotificationSender {
    /// The integration's configuration.
    public let configuration: PagerDutyConfiguration
    /// The default `client_url`.
    public let externalURL: String
    /// The `User-Agent` header.
    public let userAgent: String
    let tls: TLSClientContext?
    private let logger: Logger?
    /// One "event too large" line per minute per integration.
    private let oversizeLog = OversizeLog()

    private final class OversizeLog: Sendable {
        let limiter = Mutex(LogLimiter(interval: 60))
    }

    /// Builds the sender, loading its TLS files now; `logger` gets the (rate-limited) line for
    /// an event whose custom details were dropped for size. With `contexts`, it shares a TLS
    /// context with the other senders of equal TLS settings.
    public init(
        configuration: PagerDutyConfiguration, externalURL: String, userAgent: String, logger: Logger? = nil,
        contexts: TLSContextCache? = nil
    ) throws {
        self.configuration = configuration
        self.externalURL = externalURL
        self.userAgent = userAgent
        self.logger = logger
        self.tls =
            configuration.url.isTLS
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
        let (body, oversized) = PagerDutyPayload.encodeMeasured(
            notification, configuration: configuration, externalURL: externalURL)
        if let oversized, let held = oversizeLog.limiter.withLock({ $0.admit(now: now) }) {
            logger?.warning(
                "PagerDuty event over 512000 bytes; its custom_details were replaced by a note",
                metadata: [
                    "integration": "\(notification.integration)", "group_key": "\(notification.groupKey)",
                    "bytes": "\(oversized)", "alerts": "\(notification.alerts.count)", "suppressed": "\(held)",
                ])
        }
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("User-Agent", userAgent)])
        let key = configuration.routingKey
        return HTTPDelivery.post(
            body, headers: headers, to: configuration.url, tls: tls, timeout: timeout, cancellation: cancellation,
            now: now,
            explainFailure: { response in
                let text = Self.scrub(response.bodyText, secret: key)
                return text.isEmpty ? nil : "from PagerDuty: " + text
            })
    }

    /// At most 200 characters of `text`, on one line, control characters as spaces, with every
    /// occurrence of `secret` replaced (PagerDuty's error messages may quote the event they reject).
    static func scrub(_ text: String, secret: String) -> String {
        var t = text
        if !secret.isEmpty { t = t.replacing(secret, with: "<routing_key>") }
        var out = String.UnicodeScalarView()
        for scalar in t.unicodeScalars {
            out.append(scalar.value < 0x20 || (0x7f..<0xa0).contains(scalar.value) ? " " : scalar)
        }
        return String(String(out).trimmingWhitespace.prefix(200))
    }
}
