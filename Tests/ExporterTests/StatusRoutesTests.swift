import Exposition
import HTTP
import Testing

@testable import Exporter

/// Issue 12: the routes serve the page, the JSON and the assets with a strict CSP and nosniff.
@Suite struct StatusRoutesTests {
    static func get(_ routes: Routes, _ target: String, gzip: Bool = false) -> HTTPResponse {
        routes.handle(
            HTTPRequest(
                method: "GET", target: target,
                headers: gzip ? HTTPHeaders([("Accept-Encoding", "gzip")]) : HTTPHeaders()))
    }

    @Test func everyStatusResponseCarriesTheSecurityHeaders() throws {
        let routes = Routes(
            state: ExporterState(initial: RenderedMetrics(families: []), pollInterval: 15), telemetryPath: "/metrics")
        let expected = [
            "/": "text/html; charset=utf-8", "/api/v1/status": "application/json",
            "/static/status.css?v=1": "text/css; charset=utf-8", "/static/status.js": "text/javascript; charset=utf-8",
            "/static/favicon.svg": "image/svg+xml",
        ]
        for (target, type) in expected {
            let response = Self.get(routes, target)
            #expect(response.status == 200 && response.header("Content-Type") == type, "\(target)")
            let csp = try #require(response.header("Content-Security-Policy"))
            #expect(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe"))
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            let zipped = Self.get(routes, target, gzip: true)
            #expect(zipped.header("Content-Encoding") == "gzip")
            #expect(try Gzip.decompress(zipped.body) == response.body)
        }
        #expect(Self.get(routes, "/static/other.js").status == 404)
        #expect(Self.get(routes, "/static/").status == 404)
        let page = String(decoding: Self.get(routes, "/").body, as: UTF8.self)
        #expect(page.contains("no poll yet") && page.contains("href=\"/metrics\""))
    }
}
