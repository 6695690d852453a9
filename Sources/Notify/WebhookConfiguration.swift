import HTTP
import TLS

/// One `webhook_configs` entry: where to POST Alertmanager's version 4 JSON, and how.
public struct WebhookConfiguration: Sendable, Equatable {
    /// The endpoint (from `url` or `url_file`); a secret, logged only redacted.
    public var url: HTTPClientURL
    /// Whether resolved alerts are sent (`send_resolved`, default true as in Alertmanager).
    public var sendResolved: Bool
    /// At most this many alerts per payload, 0 for all (`max_alerts`); the rest are counted in
    /// `truncatedAlerts`.
    public var maxAlerts: Int
    /// Seconds one attempt may take (`timeout`); nil uses the notifier's default (15 s).
    public var timeout: Double?
    /// `http_config.tls_config`.
    public var tls: TLSClientConfiguration
    /// The receiver's `signing`, if any.
    public var signer: WebhookSigner?

    /// Creates a configuration (tests build them directly).
    public init(
        url: HTTPClientURL, sendResolved: Bool = true, maxAlerts: Int = 0, timeout: Double? = nil,
        tls: TLSClientConfiguration = TLSClientConfiguration(), signer: WebhookSigner? = nil
    ) {
        self.url = url
        self.sendResolved = sendResolved
        self.maxAlerts = maxAlerts
        self.timeout = timeout
        self.tls = tls
        self.signer = signer
    }
}
