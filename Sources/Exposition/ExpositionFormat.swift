/// A wire format for `/metrics`.
public enum ExpositionFormat: Sendable, Equatable, CaseIterable {
    /// Prometheus text format 0.0.4, the fallback every scraper understands.
    case prometheusText
    /// OpenMetrics 1.0.0 text.
    case openMetrics

    /// The exact `Content-Type` header value for a response in this format.
    public var contentType: String {
        switch self {
        case .prometheusText: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}
