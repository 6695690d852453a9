import Sockets

/// Performs one delivery attempt of a notification to one integration (webhook, Slack, or a
/// test double). Called from the integration's delivery thread; blocking is expected.
public protocol NotificationSender: Sendable {
    /// Sends `notification` once. `now` is the wall-clock time of this attempt (Unix seconds,
    /// e.g. for `webhook-timestamp`); `timeout` bounds the whole attempt.
    func send(_ notification: Notification, now: Double, timeout: Duration) -> DeliveryAttempt

    /// Sends `notification` once, ending early (within milliseconds) when `cancellation` is
    /// cancelled: the shutdown drain cuts in-flight attempts at its deadline this way. The
    /// default ignores the token (test doubles); the HTTP senders pass it to the client.
    func send(
        _ notification: Notification, now: Double, timeout: Duration, cancellation: CancellationToken?
    ) -> DeliveryAttempt
}

extension NotificationSender {
    /// Ignores `cancellation` and calls ``send(_:now:timeout:)``.
    public func send(
        _ notification: Notification, now: Double, timeout: Duration, cancellation: CancellationToken?
    ) -> DeliveryAttempt {
        send(notification, now: now, timeout: timeout)
    }
}
