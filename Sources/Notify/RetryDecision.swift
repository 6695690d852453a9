/// What to do after one delivery attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Delivered.
    case success
    /// Try again; `after` is the receiver's `Retry-After` in seconds (capped) when it sent one,
    /// nil to use the exponential backoff.
    case retry(after: Double?)
    /// Do not retry: the receiver rejected the request for good (4xx, a redirect) or the
    /// request can never succeed.
    case giveUp
}
