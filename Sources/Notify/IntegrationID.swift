/// One integration of a receiver (`team/webhook[0]`): the unit that has a delivery queue, a
/// thread and a notification log, as an integration is in Alertmanager.
public struct IntegrationID: Sendable, Hashable, CustomStringConvertible {
    /// The kind of integration.
    public enum Kind: String, Sendable, Hashable {
        /// A `webhook_configs` entry.
        case webhook
        /// A `slack_configs` entry.
        case slack
        /// A `pagerduty_configs` entry.
        case pagerduty
    }

    /// The receiver's name.
    public var receiver: String
    /// Webhook, Slack or PagerDuty.
    public var kind: Kind
    /// The position in the receiver's `webhook_configs`, `slack_configs` or `pagerduty_configs`.
    public var index: Int

    /// Creates an id.
    public init(receiver: String, kind: Kind, index: Int) {
        self.receiver = receiver
        self.kind = kind
        self.index = index
    }

    /// `receiver/kind[index]`, for logs (no URL: URLs are secrets).
    public var description: String { "\(receiver)/\(kind.rawValue)[\(index)]" }
}
