/// One notification for one integration: a group's alerts at the moment it was flushed.
///
/// The ``id`` is created once, here, and sent as Standard Webhooks' `webhook-id` on every
/// attempt, so a receiver can drop duplicates when a retry follows a lost response.
public struct Notification: Sendable, Equatable {
    /// Unique id of this notification (`msg_` + 32 hex digits), stable across retries.
    public let id: String
    /// Where it goes.
    public let integration: IntegrationID
    /// Alertmanager's group key: `{route key}:{group labels}`.
    public let groupKey: String
    /// The labels the group is keyed on.
    public let groupLabels: [String: String]
    /// The alerts, sorted as Alertmanager sorts them (job, instance, then label sets); resolved
    /// ones are present only when the integration sends resolved alerts.
    public let alerts: [NotifiableAlert]
    /// When the group was flushed (Unix seconds); an alert's status is judged at this time.
    public let createdAt: Double
    /// Why it was sent.
    public let reason: NotificationReason

    /// Creates a notification.
    public init(
        id: String, integration: IntegrationID, groupKey: String, groupLabels: [String: String],
        alerts: [NotifiableAlert], createdAt: Double, reason: NotificationReason
    ) {
        self.id = id
        self.integration = integration
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.alerts = alerts
        self.createdAt = createdAt
        self.reason = reason
    }

    /// The receiver's name.
    public var receiver: String { integration.receiver }

    /// The alerts still firing at ``createdAt``.
    public var firingAlerts: [NotifiableAlert] { alerts.filter { !$0.isResolved(at: createdAt) } }

    /// `firing` when any alert fires, else `resolved` (Alertmanager's group status).
    public var status: String { firingAlerts.isEmpty ? "resolved" : "firing" }
}
