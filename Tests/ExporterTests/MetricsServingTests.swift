import Exposition
import HTTP
import Logging
import Sockets
import Synchronization
import TestSupport
import Testing

@testable import Exporter

/// `/metrics` serves what the poll rendered: compressed once per poll however many scrapes,
/// HEAD and every format and encoding included, and sent from the rendered bytes themselves.
@Suite struct MetricsServingTests {
    /// Families large enough that the gzip body differs clearly from the plain one.
    static func families(_ generation: Int) -> [MetricFamily] {
        [
            MetricFamily(
                name: "celery_redis_queue_length", help: "Messages waiting in each queue.", type: .gauge,
                samples: (0..<300).map {
                    Sample(labels: [Label("queue", "queue_\($0)")], value: Double($0 + generation))
                })
        ]
    }

    /// A compressor that counts its calls.
    final class CountingCompressor: Sendable {
        private let calls = Atomic<Int>(0)
        var count: Int { calls.load(ordering: .relaxed) }
        func compress(_ bytes: [UInt8]) -> [UInt8] {
            calls.add(1, ordering: .relaxed)
            return Gzip.compress(bytes)
        }
    }

    @Test func everyScrapeOfAPollIsServedFromOneCompression() throws {
        let compressions = CountingCompressor()
        let first = RenderedMetrics(families: Self.families(0), compress: compressions.compress)
        let state = ExporterState(initial: first, pollInterval: 15)
        let routes = Routes(state: state, telemetryPath: "/metrics")
        var logger = Logger(label: "metrics-serving-test")
        logger.logLevel = .warning
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(listenAddresses: [.tcp(host: "127.0.0.1", port: 0)]),
            logger: logger, handler: { routes.handle($0) })
        server.start()
        defer { server.shutdown(gracePeriod: .milliseconds(200)) }
        let port = server.boundAddresses[0].port
        #expect(compressions.count == 2)  // text and OpenMetrics, once each

        let variants: [(method: String, headers: [String: String], format: ExpositionFormat, gzip: Bool)] = [
            ("GET", [:], .prometheusText, false),
            ("GET", ["Accept-Encoding": "gzip"], .prometheusText, true),
            ("GET", ["Accept": "application/openmetrics-text; version=1.0.0"], .openMetrics, false),
            (
                "GET", ["Accept": "application/openmetrics-text", "Accept-Encoding": "deflate, gzip;q=0.5"],
                .openMetrics, true
            ),
            ("HEAD", ["Accept-Encoding": "gzip"], .prometheusText, true),
        ]
        for generation in 0..<2 {
            let rendered =
                generation == 0 ? first : RenderedMetrics(families: Self.families(1), compress: compressions.compress)
            // Scrapes are answered from published polls (one before the first poll waits for it).
            state.publish(
                .init(
                    rendered: rendered, lastPollSucceeded: true, lastPollMonotonic: Double(generation + 1),
                    lastFailure: nil))
            for _ in 0..<10 {
                for variant in variants {
                    let response = try httpRequest(
                        port: port, method: variant.method, path: "/metrics", headers: variant.headers)
                    let expected = rendered.body(format: variant.format, gzip: variant.gzip)
                    #expect(response.status == 200)
                    #expect(response.headers["content-type"] == variant.format.contentType)
                    #expect(response.headers["content-encoding"] == (variant.gzip ? "gzip" : nil))
                    #expect(response.headers["content-length"] == "\(expected.count)")
                    #expect(response.body == (variant.method == "HEAD" ? [] : expected))
                }
            }
            // 50 scrapes of this poll, and still only this poll's two compressions.
            #expect(compressions.count == 2 * (generation + 1))
        }
        // The handler hands out the rendered arrays themselves (shared storage, no copy).
        let served = routes.handle(
            HTTPRequest(method: "GET", target: "/metrics", headers: HTTPHeaders([("Accept-Encoding", "gzip")])))
        let rendered = state.current.rendered.body(format: .prometheusText, gzip: true)
        #expect(
            served.body.withUnsafeBufferPointer { $0.baseAddress }
                == rendered.withUnsafeBufferPointer { $0.baseAddress })
    }
}
