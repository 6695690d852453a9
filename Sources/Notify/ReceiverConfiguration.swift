/// One entry of `receivers`: a name and the integrations it notifies.
public struct ReceiverConfiguration: Sendable, Equatable {
    /// The name routes refer to; also the `receiver` label of the delivery metrics.
    public var name: String
    /// `webhook_configs`.
    public var webhooks: [WebhookConfiguration]
    /// `slack_configs`.
    public var slack: [SlackConfiguration]
    /// `pagerduty_configs`.
    public var pagerduty: [PagerDutyConfiguration] = []

    /// Creates a receiver.
    public init(name: String, webhooks: [WebhookConfiguration] = [], slack: [SlackConfiguration] = []) {
        self.name = name
        self.webhooks = webhooks
        self.slack = slack
    }

    /// The integrations, in configuration order (webhooks, Slack, PagerDuty), each with its own queue.
    public var integrations: [IntegrationID] {
        webhooks.indices.map { IntegrationID(receiver: name, kind: .webhook, index: $0) }
            + slack.indices.map { IntegrationID(receiver: name, kind: .slack, index: $0) }
            + pagerduty.indices.map { IntegrationID(receiver: name, kind: .pagerduty, index: $0) }
    }

    /// Whether the integration sends resolved alerts.
    func sendResolved(_ id: IntegrationID) -> Bool {
        switch id.kind {
        case .webhook: return webhooks[id.index].sendResolved
        case .slack: return slack[id.index].sendResolved
        case .pagerduty: return pagerduty[id.index].sendResolved
        }
    }
}
