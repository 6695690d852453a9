/// The type of a metric family, as declared on its `# TYPE` line.
public enum MetricType: Sendable, Equatable {
    /// A monotonically increasing count; samples are exposed with a `_total` suffix.
    case counter
    /// A value that can go up and down.
    case gauge
    /// Cumulative buckets plus `_sum` and `_count`; build it with ``MetricFamily/histogram(name:help:unit:series:)``.
    case histogram
    /// No declared type (`untyped` in text 0.0.4, `unknown` in OpenMetrics).
    case untyped

    /// The keyword for the `# TYPE` line of the given format.
    func keyword(openMetrics: Bool) -> String {
        switch self {
        case .counter: return "counter"
        case .gauge: return "gauge"
        case .histogram: return "histogram"
        case .untyped: return openMetrics ? "unknown" : "untyped"
        }
    }
}
