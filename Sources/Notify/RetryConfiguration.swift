/// The retry loop's timing: exponential backoff with jitter, a floor no receiver can lower, a
/// cap short enough that a recovered receiver is reached quickly, and a per-group attempt rate.
///
/// Defaults: first retry after about 1 s, doubling up to 20 s between attempts (so delivery
/// resumes within 30 s of a receiver coming back, attempt timeout included), at most 12
/// attempts per group per minute. There is no retry window: a group's pending notification is
/// retried until it is delivered, rejected (4xx) or replaced by the group's next flush, which
/// carries the group's current alerts.
public struct RetryConfiguration: Sendable, Equatable {
    /// Seconds before the first retry (before jitter).
    public var initialDelay: Double
    /// Upper bound of the backoff between attempts.
    public var maxDelay: Double
    /// Upper bound on a receiver's `Retry-After`.
    public var retryAfterCap: Double
    /// The least delay before any retry, whatever the backoff or `Retry-After` says (≥ 1 s in
    /// production; tests may lower it).
    public var minDelay: Double
    /// The most attempts one group makes in any 60 s.
    public var maxAttemptsPerMinute: Int
    /// Seconds one attempt may take when the integration sets no `timeout` (Standard Webhooks
    /// suggests 15–30 s).
    public var defaultTimeout: Double

    /// A configuration; every parameter has the documented default.
    public init(
        initialDelay: Double = 1, maxDelay: Double = 20, retryAfterCap: Double = 300, minDelay: Double = 1,
        maxAttemptsPerMinute: Int = 12, defaultTimeout: Double = 15
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.retryAfterCap = retryAfterCap
        self.minDelay = minDelay
        self.maxAttemptsPerMinute = max(1, maxAttemptsPerMinute)
        self.defaultTimeout = defaultTimeout
    }

    /// The delay before retry number `retry` (1 for the first retry): `initialDelay · 2^(retry-1)`
    /// capped at `maxDelay`, then "equal jitter": half of it fixed, half scaled by `random`
    /// (0..<1), so retries from many exporters spread out but never come sooner than half.
    public func backoff(retry: Int, random: Double) -> Double {
        let exponent = Double(min(max(retry - 1, 0), 62))
        let base = min(maxDelay, initialDelay * pow2(exponent))
        return base / 2 + base / 2 * min(max(random, 0), 1)
    }

    /// The delay after an attempt that ended in `decision`: the backoff, or the receiver's
    /// `Retry-After` (capped) when that is longer, never below ``minDelay``.
    ///
    /// `Retry-After` can lengthen the wait, never shorten it below the backoff: a receiver
    /// answering `503 Retry-After: 0` would otherwise use up the group's attempts of a minute in
    /// its first 12 seconds, and once it recovered the group would wait out the rest of that
    /// minute (the soak saw a 20 s outage delay delivery by 40 s, past the alert's end, so the
    /// alert was never announced). With the backoff the attempts thin out to one per 20 s and
    /// the per-minute cap never binds, so a recovered receiver is reached within 20 s.
    public func delay(after decision: RetryDecision, retry: Int, random: Double) -> Double {
        var d = backoff(retry: retry, random: random)
        if case .retry(let after?) = decision, min(after, retryAfterCap) > d {
            d = min(after, retryAfterCap)
        }
        if !(d >= minDelay) { d = minDelay }  // also catches NaN
        return d
    }

    private func pow2(_ e: Double) -> Double {
        var v = 1.0
        var i = 0.0
        while i < e && v < 1e12 {
            v *= 2
            i += 1
        }
        return v
    }
}
