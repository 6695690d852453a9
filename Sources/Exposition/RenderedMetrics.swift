/// The four response bodies for one set of families (text and OpenMetrics, each plain and
/// gzipped), rendered once per poll so that serving a scrape costs no rendering or compression.
public struct RenderedMetrics: Sendable {
    private let text: [UInt8]
    private let textGzip: [UInt8]
    private let openMetrics: [UInt8]
    private let openMetricsGzip: [UInt8]

    /// Encodes `families` in both formats and gzips both, here and only here: serving a body
    /// afterwards compresses nothing (`compress` lets a test count the compressions).
    public init(families: [MetricFamily], compress: ([UInt8]) -> [UInt8] = { Gzip.compress($0) }) {
        text = MetricEncoder.encode(families, as: .prometheusText)
        openMetrics = MetricEncoder.encode(families, as: .openMetrics)
        textGzip = compress(text)
        openMetricsGzip = compress(openMetrics)
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
