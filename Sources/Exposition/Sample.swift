/// One value of a counter, gauge or untyped family, with its labels.
public struct Sample: Sendable {
    /// The label pairs, emitted in this order.
    public let labels: [Label]
    /// The value. Counters must be non-negative and not NaN.
    public let value: Double

    /// Creates a sample.
    public init(labels: [Label] = [], value: Double) {
        self.labels = labels
        self.value = value
    }
}
