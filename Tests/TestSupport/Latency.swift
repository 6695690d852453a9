import Foundation

/// Latency that a loaded CI machine cannot fake: the durations of `attempts` runs of `body`, so a
/// test asserts on the fastest.
///
/// A single wall-clock reading on a 2-core machine with a load of 10 includes however long the
/// test process (or the server) waited for a CPU, which can exceed any bound worth asserting.
/// A product that really is slow (a lock-out, a wait for a timeout, a blocked loop) is slow on
/// every attempt, so "the fastest of a few is under the bound" still fails for it, while one
/// unlucky scheduling gap no longer does.
public struct LatencySamples<Result> {
    /// What each attempt returned, in order.
    public let results: [Result]
    /// How long each attempt took, in order.
    public let durations: [Duration]

    /// The fastest attempt's duration.
    public var fastest: Duration { durations.min() ?? .zero }
    /// The slowest attempt's duration.
    public var slowest: Duration { durations.max() ?? .zero }

    /// Runs `body(attempt)` `attempts` times, timing each run; `between(attempt)` runs after
    /// each one, untimed (a pause, or putting the server back in the state under test).
    public init(
        attempts: Int, between: (Int) throws -> Void = { _ in }, measure body: (Int) throws -> Result
    ) rethrows {
        var results: [Result] = []
        var durations: [Duration] = []
        for attempt in 0..<attempts {
            let started = ContinuousClock.now
            results.append(try body(attempt))
            durations.append(ContinuousClock.now - started)
            try between(attempt)
        }
        self.results = results
        self.durations = durations
    }
}
