/// How long to wait before reconnecting after consecutive failures: capped exponential growth
/// with jitter, so a dead Redis is not hammered and many exporters do not retry in lock-step.
///
/// A pure value: ``delay(afterFailures:random:)`` takes the random number as a parameter, so
/// tests can check exact delays.
public struct ReconnectBackoff: Sendable, Equatable {
    /// The wait after the first failure (default 100 ms).
    public var initialDelay: Duration
    /// The longest wait (default 30 s).
    public var maximumDelay: Duration
    /// Growth per further failure (default 2: doubling).
    public var multiplier: Double
    /// The fraction of the delay removed at random, `0...1` (default 0.2: waits are 80–100% of
    /// the nominal delay, never longer than ``maximumDelay``).
    public var jitter: Double

    /// Creates a policy; the defaults are 100 ms doubling up to 30 s with 20% jitter.
    public init(
        initialDelay: Duration = .milliseconds(100),
        maximumDelay: Duration = .seconds(30),
        multiplier: Double = 2,
        jitter: Double = 0.2
    ) {
        precondition(initialDelay >= .zero && maximumDelay >= initialDelay, "backoff delays out of order")
        precondition(multiplier >= 1 && (0...1).contains(jitter), "backoff multiplier or jitter out of range")
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
        self.jitter = jitter
    }

    /// The nominal delay after `failures` consecutive failures (zero for none), before jitter.
    public func nominalDelay(afterFailures failures: Int) -> Duration {
        .nanoseconds(Int64(nominalNanoseconds(afterFailures: failures).rounded()))
    }

    /// The delay to wait after `failures` consecutive failures; `random` is uniform in `0..<1`.
    public func delay(afterFailures failures: Int, random: Double) -> Duration {
        let nominal = nominalNanoseconds(afterFailures: failures)
        return .nanoseconds(Int64((nominal * (1 - jitter * min(max(random, 0), 1))).rounded()))
    }

    /// Computed in whole nanoseconds as `Double` (exact for every delay below 104 days).
    private func nominalNanoseconds(afterFailures failures: Int) -> Double {
        guard failures > 0 else { return 0 }
        let maximum = ReconnectBackoff.nanoseconds(maximumDelay)
        var delay = ReconnectBackoff.nanoseconds(initialDelay)
        var step = 1
        while step < failures && delay < maximum {
            delay *= multiplier
            step += 1
        }
        return min(delay, maximum)
    }

    private static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds / 1_000_000_000)
    }
}
