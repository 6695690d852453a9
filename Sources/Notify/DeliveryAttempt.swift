/// The outcome of one attempt: the decision and a secret-free line for the log
/// (`HTTP 503`, `connect to https://hooks.example/…: Connection refused`).
public struct DeliveryAttempt: Sendable, Equatable {
    /// Success, retry or give up.
    public var decision: RetryDecision
    /// What happened, for logs; never contains a URL path or a secret.
    public var detail: String

    /// Creates an outcome.
    public init(decision: RetryDecision, detail: String) {
        self.decision = decision
        self.detail = detail
    }
}
