import Exposition
import HTTP

/// The `/metrics` responses of one poll: one per format and encoding, over the bodies
/// ``RenderedMetrics`` rendered and compressed once, each with its status line and header
/// fields encoded once (``HTTPResponse/prepared()``). A scrape picks one and the server sends
/// the shared bytes: nothing is rendered, compressed, copied or encoded per request.
public struct MetricsResponses: Sendable {
    private let text: HTTPResponse
    private let textGzip: HTTPResponse
    private let openMetrics: HTTPResponse
    private let openMetricsGzip: HTTPResponse

    /// The four responses over `rendered`'s bodies.
    public init(_ rendered: RenderedMetrics) {
        func response(_ format: ExpositionFormat, gzip: Bool) -> HTTPResponse {
            var headers = [("Content-Type", format.contentType), ("Vary", "Accept, Accept-Encoding")]
            if gzip { headers.append(("Content-Encoding", "gzip")) }
            return HTTPResponse(status: 200, headers: headers, body: rendered.body(format: format, gzip: gzip))
                .prepared()
        }
        text = response(.prometheusText, gzip: false)
        textGzip = response(.prometheusText, gzip: true)
        openMetrics = response(.openMetrics, gzip: false)
        openMetricsGzip = response(.openMetrics, gzip: true)
    }

    /// The response in `format`, gzip-compressed when `gzip`.
    public func response(format: ExpositionFormat, gzip: Bool) -> HTTPResponse {
        switch (format, gzip) {
        case (.prometheusText, false): return text
        case (.prometheusText, true): return textGzip
        case (.openMetrics, false): return openMetrics
        case (.openMetrics, true): return openMetricsGzip
        }
    }
}
