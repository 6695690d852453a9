/// One labelled series of a histogram family: cumulative buckets, sum and count.
///
/// The `le="+Inf"` bucket is not passed in: the encoder emits it with the value of `count`.
public struct HistogramSeries: Sendable {
    /// The label pairs (not `le`, which the encoder adds).
    public let labels: [Label]
    /// Finite upper bounds in strictly increasing order, each with the cumulative count of
    /// observations less than or equal to it.
    public let buckets: [(upperBound: Double, cumulativeCount: UInt64)]
    /// The sum of all observations.
    public let sum: Double
    /// The number of observations (also the `+Inf` bucket).
    public let count: UInt64

    /// Creates a series; traps on an `le` label, non-increasing or non-finite bounds, or
    /// cumulative counts that decrease or exceed `count`.
    public init(
        labels: [Label] = [], buckets: [(upperBound: Double, cumulativeCount: UInt64)], sum: Double,
        count: UInt64
    ) {
        precondition(!labels.contains { $0.name == "le" }, "a histogram series must not have an 'le' label")
        var previous: (upperBound: Double, cumulativeCount: UInt64)? = nil
        for bucket in buckets {
            precondition(bucket.upperBound.isFinite, "histogram bucket bounds must be finite (+Inf is implicit)")
            precondition(bucket.cumulativeCount <= count, "histogram bucket count exceeds the total count")
            if let previous {
                precondition(bucket.upperBound > previous.upperBound, "histogram bucket bounds must increase")
                precondition(bucket.cumulativeCount >= previous.cumulativeCount, "histogram buckets must be cumulative")
            }
            previous = bucket
        }
        self.labels = labels
        self.buckets = buckets
        self.sum = sum
        self.count = count
    }
}
