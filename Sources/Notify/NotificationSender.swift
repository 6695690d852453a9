/// Performs one delivery attempt of a notification to one integration (webhook, Slack, or a
/// test double). Called from the integration's delivery thread; blocking is expected.
public protocol NotificationSender: Sendable {
    /// Sends `notification` once. `now` is the wall-clock time of this attempt (Unix seconds,
    /// e.g. for `webhook-timestamp`); `timeout` bounds the whole attempt.
    func send(_ notification: Notification, now: Double, timeout: Duration) -> DeliveryAttempt
}
