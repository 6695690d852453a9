/// The outcome of one attempt: the decision and a secret-free line for the log
/// (`HTTP 503`, `connect to https://hooks.example/…: Connection refused`).
public struct DeliveryAttempt: Sendable, Equatable {
    /// Success, retry or give up.
    public var decision: RetryDecision
    /// What happened, for logs; never contains a URL path or a secret.
    public var detail: String

    /// True when the receiver answered with an HTTP status (so a failure concerns this one
    /// notification); false when it could not be reached or did not answer, which concerns
    /// every group of the receiver and holds them all back together.
    public var answered: Bool

    /// Creates an outcome.
    public init(decision: RetryDecision, detail: String, answered: Bool = true) {
        self.decision = decision
        self.detail = detail
        self.answered = answered
    }
}
