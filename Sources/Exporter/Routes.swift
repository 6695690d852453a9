import Exposition
import HTTP

/// The exporter's HTTP endpoints. Handlers only read pre-rendered state, so they are fast
/// enough to run on the server's event-loop thread; `POST /-/reload` hands the work to the
/// ``ReloadCoordinator``'s thread and answers through a deferred response.
public struct Routes: Sendable {
    public let state: ExporterState
    public let telemetryPath: String
    /// The alerting runtime, for `/api/v1/alerts`.
    public let alerting: AlertingRuntime?
    /// Runs `POST /-/reload` off the loop thread; nil: nothing to reload.
    public let reloads: ReloadCoordinator?
    /// Whether `POST /-/reload` is allowed (`--web.enable-lifecycle`, off by default as in Prometheus).
    public let enableLifecycle: Bool
    /// The Alertmanager API v2 subset (silences, alerts) under `/api/v2/`; nil: 404.
    public var alertmanagerAPI: AlertmanagerAPI?

    public init(state: ExporterState, telemetryPath: String, alerting: AlertingRuntime? = nil,
                reloads: ReloadCoordinator? = nil, enableLifecycle: Bool = false) {
        self.state = state
        self.telemetryPath = telemetryPath
        self.alerting = alerting
        self.reloads = reloads
        self.enableLifecycle = enableLifecycle
    }

    /// Answers one request.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let path = request.path
        if path == "/-/reload" { return reload(request) }
        if path.hasPrefix("/api/v2/"), let api = alertmanagerAPI { return api.handle(request) }
        let known = [telemetryPath, "/-/healthy", "/-/ready", "/", "/api/v1/alerts"]
        guard known.contains(path) else {
            return .text(status: 404, "404 page not found: \(path) (try \(telemetryPath))\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HTTPResponse.text(status: 405, "405 method not allowed: \(path) accepts GET and HEAD\n")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        switch path {
        case telemetryPath: return metrics(request)
        case "/-/healthy": return .text(status: 200, "Healthy\n")
        case "/api/v1/alerts":
            return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")],
                                body: alerting?.alertsAPIBody ?? Array("{\"status\":\"success\",\"data\":{\"alerts\":[]}}".utf8))
        case "/-/ready":
            if let reason = state.notReadyReason(monotonicNow: monotonicNow()) {
                return .text(status: 503, "Not ready: \(reason)\n")
            }
            return .text(status: 200, "Ready\n")
        default: return landingPage()
        }
    }

    /// `POST /-/reload` (Prometheus's lifecycle endpoint): re-reads rules and alerting config.
    /// Answers once a reload that started after the request has finished: 200, or 500 with the
    /// reason; 503 when too many requests are already waiting.
    private func reload(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "POST" || request.method == "PUT" else {
            var response = HTTPResponse.text(status: 405, "405 method not allowed: /-/reload accepts POST\n")
            response.headers.append(("Allow", "POST, PUT"))
            return response
        }
        guard enableLifecycle else {
            return .text(status: 403, "Lifecycle API is not enabled: start with --web.enable-lifecycle to allow POST /-/reload, or send SIGHUP\n")
        }
        guard let reloads else { return .text(status: 200, "nothing to reload\n") }
        let pending = HTTPDeferredResponse()
        let accepted = reloads.request(from: .http) { failure in
            if let failure {
                pending.complete(.text(status: 500, "failed to reload config: \(failure)\n"))
            } else {
                pending.complete(.text(status: 200, "reloaded\n"))
            }
        }
        guard accepted else {
            return .text(status: 503, "too many reload requests are waiting; try again shortly\n")
        }
        return .deferred(pending)
    }

    private func metrics(_ request: HTTPRequest) -> HTTPResponse {
        let format = ContentNegotiation.format(accept: request.headers["Accept"])
        let gzip = ContentNegotiation.acceptsGzip(request.headers["Accept-Encoding"])
        var headers = [("Content-Type", format.contentType), ("Vary", "Accept, Accept-Encoding")]
        if gzip { headers.append(("Content-Encoding", "gzip")) }
        return HTTPResponse(status: 200, headers: headers, body: state.current.rendered.body(format: format, gzip: gzip))
    }

    private func landingPage() -> HTTPResponse {
        let path = Self.htmlEscape(telemetryPath)
        let html = """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>\(ExporterVersion.name)</title></head>
            <body>
            <h1>\(ExporterVersion.name)</h1>
            <p>Prometheus exporter for Celery on Redis, version \(ExporterVersion.version).</p>
            <ul>
            <li><a href="\(path)">\(path)</a>: metrics</li>
            <li><a href="/-/healthy">/-/healthy</a>: liveness</li>
            <li><a href="/-/ready">/-/ready</a>: readiness (last poll of Redis succeeded and is recent)</li>
            <li><a href="/api/v1/alerts">/api/v1/alerts</a>: alerts from the rule files, as Prometheus's alerts API</li>
            </ul>
            </body>
            </html>

            """
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    static func htmlEscape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
