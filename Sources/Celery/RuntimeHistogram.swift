import Exposition

/// A cumulative histogram of durations with fixed bounds: the state behind
/// `celery_redis_task_runtime_seconds`. A pure value; ``series(labels:)`` renders it.
public struct RuntimeHistogram: Sendable, Equatable {
    /// Finite upper bounds, strictly increasing (`+Inf` is implicit).
    public let bounds: [Double]
    /// Observations per bucket (not cumulative); the last slot counts those above every bound.
    public private(set) var bucketCounts: [UInt64]
    /// Sum of the observations.
    public private(set) var sum: Double = 0
    /// Number of observations.
    public private(set) var count: UInt64 = 0
    /// Largest value observed as itself: about 31.7 years of seconds.
    public static let largestObservation = 1e9

    /// Creates an empty histogram; traps unless `bounds` are finite and strictly increasing.
    public init(bounds: [Double]) {
        precondition(bounds.allSatisfy(\.isFinite), "histogram bounds must be finite")
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "histogram bounds must increase")
        self.bounds = bounds
        self.bucketCounts = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Adds one observation (negative or NaN values count as 0: receipt times can tie; values
    /// past ``largestObservation`` count as it, so one forged `runtime` of 1e308 cannot make the
    /// sum +Inf, and every `rate()` of it NaN, for the rest of the process's life).
    public mutating func observe(_ value: Double) {
        let v = value.isNaN ? 0 : min(max(0, value), RuntimeHistogram.largestObservation)
        let index = bounds.firstIndex { v <= $0 } ?? bounds.count
        bucketCounts[index] += 1
        sum += v
        count += 1
    }

    /// The exposition series with cumulative buckets.
    public func series(labels: [Label]) -> HistogramSeries {
        var cumulative: UInt64 = 0
        var buckets: [(upperBound: Double, cumulativeCount: UInt64)] = []
        buckets.reserveCapacity(bounds.count)
        for (bound, n) in zip(bounds, bucketCounts) {
            cumulative += n
            buckets.append((bound, cumulative))
        }
        return HistogramSeries(labels: labels, buckets: buckets, sum: sum, count: count)
    }
}
