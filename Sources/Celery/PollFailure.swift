/// Why a poll produced nothing current.
public struct PollFailure: Equatable, Sendable {
    /// The stage whose round trip failed (`poll_errors_total{stage}`).
    public var stage: PollStage
    /// The failure as text (the executor's error, e.g. a `RedisError`, whose descriptions redact
    /// secrets), for logs, the readiness body and the status page only: never a label value.
    public var reason: String

    /// Creates a failure.
    public init(stage: PollStage, reason: String) {
        self.stage = stage
        self.reason = reason
    }
}
