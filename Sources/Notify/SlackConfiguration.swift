import HTTP
import TLS

/// One `slack_configs` entry: a Slack incoming webhook.
public struct SlackConfiguration: Sendable, Equatable {
    /// The incoming-webhook URL (`api_url` or `api_url_file`); it embeds a token, so it is a secret.
    public var apiURL: HTTPClientURL
    /// Overrides the webhook's default channel (`channel`).
    public var channel: String?
    /// The attachment title (`title`); supports the placeholders listed in ``SlackPayload``.
    public var title: String?
    /// The attachment text (`text`); same placeholders.
    public var text: String?
    /// Whether resolved alerts are sent (`send_resolved`, default false as in Alertmanager's Slack).
    public var sendResolved: Bool
    /// Seconds one attempt may take; nil uses the notifier's default.
    public var timeout: Double?
    /// `http_config.tls_config`.
    public var tls: TLSClientConfiguration

    /// Creates a configuration.
    public init(
        apiURL: HTTPClientURL, channel: String? = nil, title: String? = nil, text: String? = nil,
        sendResolved: Bool = false, timeout: Double? = nil, tls: TLSClientConfiguration = TLSClientConfiguration()
    ) {
        self.apiURL = apiURL
        self.channel = channel
        self.title = title
        self.text = text
        self.sendResolved = sendResolved
        self.timeout = timeout
        self.tls = tls
    }
}
