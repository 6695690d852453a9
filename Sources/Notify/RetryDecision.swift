/// What to do after one delivery attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Delivered.
    case success
    /// Try again; `after` is the receiver's `Retry-After` in seconds (capped) when it sent one,
    /// nil to use the exponential backoff. The receiver certainly answered or was never reached.
    case retry(after: Double?)
    /// The request may have reached the receiver but no (valid) answer came: a timeout or a
    /// broken connection after the request was written. Retried with the same `webhook-id` so
    /// the receiver can drop the duplicate; counted `unknown`, never `failed`.
    case unknown
    /// Do not retry: the receiver rejected the request for good (4xx, a redirect) or the
    /// request can never succeed.
    case giveUp
}
