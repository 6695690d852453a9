/// The retry loop's timing: exponential backoff with jitter within a retry window.
///
/// Defaults: first retry after about 1 s, doubling up to 5 minutes between attempts, for at
/// most 1 hour per notification. A notification is given up (counted `failed`, logged) when its
/// next attempt would start after the window; it is never replaced by a newer notification for
/// the same group, because the dispatcher has already dropped the alerts that notification
/// resolved and a newer one would not repeat them.
public struct RetryConfiguration: Sendable, Equatable {
    /// Seconds before the first retry (before jitter).
    public var initialDelay: Double
    /// Upper bound of the delay between attempts.
    public var maxDelay: Double
    /// Seconds from the first attempt after which no new attempt starts.
    public var retryWindow: Double
    /// Upper bound on a receiver's `Retry-After`.
    public var retryAfterCap: Double
    /// Seconds one attempt may take when the integration sets no `timeout` (Standard Webhooks
    /// suggests 15–30 s).
    public var defaultTimeout: Double

    /// A configuration; every parameter has the documented default.
    public init(
        initialDelay: Double = 1, maxDelay: Double = 300, retryWindow: Double = 3600, retryAfterCap: Double = 300,
        defaultTimeout: Double = 15
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.retryWindow = retryWindow
        self.retryAfterCap = retryAfterCap
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
