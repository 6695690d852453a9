import HTTP
import TLS

/// One `pagerduty_configs` entry: PagerDuty's Events API v2, shaped as Alertmanager's.
///
/// Text fields (`description`, `client`, `client_url`, `severity`, `class`, `component`, `group`,
/// `source`, `details` values, `links`, `images`) take the placeholders ``SlackPayload`` lists.
public struct PagerDutyConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Events API v2's endpoint, Alertmanager's default `url`.
    public static let defaultURL = "https://events.pagerduty.com/v2/enqueue"
    /// The severities PagerDuty accepts; anything else is answered 400.
    public static let severities: Set<String> = ["critical", "error", "warning", "info"]

    /// The integration key (`routing_key` or `routing_key_file`): a secret, never logged.
    public var routingKey: String
    /// Where events are POSTed (`url`).
    public var url: HTTPClientURL
    /// `payload.severity`, default `error`.
    public var severity: String
    /// `payload.summary` (the `description` key); nil is Alertmanager's default subject
    /// (`[FIRING:2] <group values> …`).
    public var summary: String?
    /// `client`; nil is `celery-redis-exporter`.
    public var client: String?
    /// `client_url`; nil is the exporter's external URL.
    public var clientURL: String?
    /// `payload.source`; nil is the client.
    public var source: String?
    /// `payload.class`, `payload.component`, `payload.group` (omitted when empty).
    public var eventClass: String
    /// `payload.component`.
    public var component: String
    /// `payload.group`.
    public var group: String
    /// `payload.custom_details`, added to (and overriding) Alertmanager's defaults `firing`,
    /// `resolved`, `num_firing`, `num_resolved`.
    public var details: [String: String]
    /// `links` as (href, text).
    public var links: [(href: String, text: String)]
    /// `images` as (src, alt, href).
    public var images: [(src: String, alt: String, href: String)]
    /// Whether resolved groups send a `resolve` event (`send_resolved`, default true).
    public var sendResolved: Bool
    /// Seconds one attempt may take; nil uses the notifier's default.
    public var timeout: Double?
    /// `http_config.tls_config`.
    public var tls: TLSClientConfiguration

    /// Creates a configuration with Alertmanager's defaults.
    public init(routingKey: String, url: HTTPClientURL) {
        self.routingKey = routingKey
        self.url = url
        severity = "error"
        eventClass = ""
        component = ""
        group = ""
        details = [:]
        links = []
        images = []
        sendResolved = true
        tls = TLSClientConfiguration()
    }

    /// Without the routing key, so that printing a configuration cannot leak it.
    public var description: String { "pagerduty(\(url.redacted))" }

    /// Equal when every field is equal.
    public static func == (a: PagerDutyConfiguration, b: PagerDutyConfiguration) -> Bool {
        a.routingKey == b.routingKey && a.url == b.url && a.severity == b.severity && a.summary == b.summary
            && a.client == b.client && a.clientURL == b.clientURL && a.source == b.source
            && a.eventClass == b.eventClass && a.component == b.component && a.group == b.group
            && a.details == b.details && a.links.elementsEqual(b.links, by: { $0 == $1 })
            && a.images.elementsEqual(b.images, by: { $0 == $1 }) && a.sendResolved == b.sendResolved
            && a.timeout == b.timeout && a.tls == b.tls
    }
}
