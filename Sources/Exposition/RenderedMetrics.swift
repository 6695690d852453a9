/// The four response bodies for one set of families (text and OpenMetrics, each plain and
/// gzipped), rendered once per poll so that serving a scrape costs no rendering or compression.
public struct RenderedMetrics: Sendable {
    private let text: [UInt8]
    private let textGzip: [UInt8]
    private let openMetrics: [UInt8]
    private let openMetricsGzip: [UInt8]

    /// Encodes `families` in both formats and gzips both.
    public init(families: [MetricFamily]) {
        text = MetricEncoder.encode(families, as: .prometheusText)
        openMetrics = MetricEncoder.encode(families, as: .openMetrics)
        textGzip = Gzip.compress(text)
        openMetricsGzip = Gzip.compress(openMetrics)
    }

    /// The body for a response in `format`, gzip-compressed if `gzip` (then send
    /// `Content-Encoding: gzip`).
    public func body(format: ExpositionFormat, gzip: Bool) -> [UInt8] {
        switch (format, gzip) {
        case (.prometheusText, false): return text
        case (.prometheusText, true): return textGzip
        case (.openMetrics, false): return openMetrics
        case (.openMetrics, true): return openMetricsGzip
        }
    }
}
