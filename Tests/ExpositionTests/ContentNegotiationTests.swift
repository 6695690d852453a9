import Exposition
import Testing

@Suite struct ContentNegotiationTests {
    /// What Prometheus 3 sends by default (scrape_protocols default order).
    static let prometheusDefault =
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
        + "application/openmetrics-text;version=0.0.1;q=0.4,"
        + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"

    static let acceptTable: [(accept: String?, expected: ExpositionFormat)] = [
        (nil, .prometheusText),
        ("", .prometheusText),
        (prometheusDefault, .openMetrics),
        // Prometheus 2.x default.
        (
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics
        ),
        ("application/openmetrics-text", .openMetrics),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
        ("APPLICATION/OpenMetrics-Text;Version=\"1.0.0\"", .openMetrics),
        ("  application/openmetrics-text ; q=0.5  ", .openMetrics),
        // Only the pre-1.0 draft: we do not answer it with 1.0.0, so the fallback applies.
        ("application/openmetrics-text;version=0.0.1", .prometheusText),
        (
            "application/openmetrics-text;version=0.0.1;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5",
            .openMetrics
        ),
        ("application/openmetrics-text;version=2.0.0", .prometheusText),
        ("text/plain", .prometheusText),
        ("text/plain;version=0.0.4", .prometheusText),
        ("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5", .prometheusText),
        (
            "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5",
            .openMetrics
        ),
        ("*/*", .prometheusText),
        ("*/*;q=0.9,application/openmetrics-text;q=0.5", .prometheusText),
        ("text/plain;q=0.5,application/openmetrics-text;q=0.5", .prometheusText),  // tie: first listed
        ("application/openmetrics-text;q=0.5,text/plain;q=0.5", .openMetrics),
        // q=0 means "not acceptable".
        ("application/openmetrics-text;q=0", .prometheusText),
        ("application/openmetrics-text;q=0.000,*/*", .prometheusText),
        ("text/plain;q=0,application/openmetrics-text;q=0.1", .openMetrics),
        // Browsers and other clients.
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", .prometheusText),
        ("application/json", .prometheusText),
        (
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
                + "application/openmetrics-text;q=0.5", .openMetrics
        ),
        // Malformed: ignored element by element, never trusted.
        (";;;,,,", .prometheusText),
        ("/", .prometheusText),
        ("application/", .prometheusText),
        ("application/openmetrics-text/x", .prometheusText),
        ("application/openmetrics-text;q=abc", .prometheusText),
        ("application/openmetrics-text;q=2", .prometheusText),
        ("application/openmetrics-text;q=-1", .prometheusText),
        ("application/openmetrics-text;q=", .prometheusText),
        ("application/openmetrics-text;q=nan", .prometheusText),
        ("application/openmetrics-text;version", .prometheusText),
        ("application/openmetrics-text;q=abc,text/plain;q=0.1", .prometheusText),
        ("application/open metrics-text", .prometheusText),
        ("application/openmetrics-text\u{0}", .prometheusText),
        ("\u{FFFD}\u{FFFD}/\u{1F600}", .prometheusText),
        (String(repeating: "application/openmetrics-text,", count: 200), .prometheusText),  // too long
    ]

    @Test(arguments: acceptTable)
    func negotiatesFormat(_ row: (accept: String?, expected: ExpositionFormat)) {
        #expect(ContentNegotiation.format(accept: row.accept) == row.expected)
    }

    static let encodingTable: [(acceptEncoding: String?, gzip: Bool)] = [
        (nil, false),
        ("", false),
        ("gzip", true),
        ("GZIP", true),
        ("x-gzip", true),
        ("gzip, deflate, br, zstd", true),
        ("br, zstd", false),
        ("identity", false),
        ("*", true),
        ("*;q=0", false),
        ("deflate, *;q=0.1", true),
        ("gzip;q=0.5", true),
        ("gzip;q=0", false),
        ("gzip; q=0.0", false),
        ("gzip;q=0, *", false),  // the explicit refusal wins over the wildcard
        ("*, gzip;q=0", false),
        ("gzip;q=bad", false),
        ("gzip;q=1.5", false),
        (" gzip ;q=1 ", true),
        (",,,", false),
    ]

    @Test(arguments: encodingTable)
    func negotiatesGzip(_ row: (acceptEncoding: String?, gzip: Bool)) {
        #expect(ContentNegotiation.acceptsGzip(row.acceptEncoding) == row.gzip)
    }

    @Test func contentTypesAreExact() {
        #expect(ExpositionFormat.prometheusText.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(
            ExpositionFormat.openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
    }
}
