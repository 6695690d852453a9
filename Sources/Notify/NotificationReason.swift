/// Why a group was notified (Alertmanager's `NotifyReason`), for logs.
public enum NotificationReason: String, Sendable, Equatable {
    /// The group's first notification, after `group_wait`.
    case firstNotification = "first notification"
    /// New alerts joined the group.
    case newAlerts = "new alerts added"
    /// Some alerts resolved, others still fire.
    case someResolved = "some alerts resolved"
    /// Every alert of the group resolved.
    case allResolved = "all alerts resolved"
    /// Nothing changed and `repeat_interval` elapsed.
    case repeatInterval = "repeat interval elapsed"
}
