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
    /// The status page at `/` and `/api/v1/status` (issue 12), updated by the poller.
    public let statusPage: StatusPage
    /// The Alertmanager API v2 subset (silences, alerts) under `/api/v2/`; nil: 404.
    public var alertmanagerAPI: AlertmanagerAPI?

    public init(
        state: ExporterState, telemetryPath: String, alerting: AlertingRuntime? = nil,
        reloads: ReloadCoordinator? = nil, enableLifecycle: Bool = false, statusPage: StatusPage? = nil
    ) {
        self.state = state
        self.telemetryPath = telemetryPath
        self.alerting = alerting
        self.reloads = reloads
        self.enableLifecycle = enableLifecycle
        self.statusPage =
            statusPage
            ?? StatusPage(
                telemetryPath: telemetryPath, pollInterval: state.pollInterval,
                censusEnabled: false, eventsEnabled: false)
    }

    /// Answers one request.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let path = request.path
        if path == "/-/reload" { return reload(request) }
        if path.hasPrefix("/api/v2/"), let api = alertmanagerAPI { return api.handle(request) }
        guard path == telemetryPath || Self.fixedPaths.contains(path) || StatusAssets.byPath[path] != nil else {
            return .text(status: 404, "404 page not found: \(path) (try \(telemetryPath))\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HTTPResponse.text(status: 405, "405 method not allowed: \(path) accepts GET and HEAD\n")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        let gzip = ContentNegotiation.acceptsGzip(request.headers["Accept-Encoding"])
        switch path {
        case telemetryPath: return metrics(request, gzip: gzip)
        case "/": return statusPage.page(gzip: gzip)
        case "/api/v1/status": return statusPage.json(gzip: gzip)
        case "/-/healthy": return .text(status: 200, "Healthy\n")
        case "/api/v1/alerts":
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "application/json")],
                body: alerting?.alertsAPIBody ?? Array("{\"status\":\"success\",\"data\":{\"alerts\":[]}}".utf8))
        case "/-/ready":
            if let reason = state.notReadyReason(monotonicNow: monotonicNow()) {
                return .text(status: 503, "Not ready: \(reason)\n")
            }
            return .text(status: 200, "Ready\n")
        default: return StatusPage.asset(path: path, gzip: gzip) ?? .text(status: 404, "404 page not found: \(path)\n")
        }
    }

    /// The endpoints besides the telemetry path and the status page's assets.
    static let fixedPaths: Set<String> = ["/-/healthy", "/-/ready", "/", "/api/v1/alerts", "/api/v1/status"]

    /// The path prefixes whose endpoints ``handle(_:)`` answers by prefix or may grow: the
    /// lifecycle endpoints (`/-/reload`), the APIs (`/api/v2/` is Alertmanager's) and the status
    /// page's assets.
    static let reservedPrefixes = ["/-/", "/api/", "/static/"]

    /// Whether `path` is another endpoint's, so the telemetry path must not be it (it would
    /// shadow that endpoint, or be shadowed by it).
    static func isReserved(_ path: String) -> Bool {
        fixedPaths.contains(path) || StatusAssets.byPath[path] != nil || path == "/-/reload"
            || reservedPrefixes.contains { path.hasPrefix($0) }
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
            return .text(
                status: 403,
                "Lifecycle API is not enabled: start with --web.enable-lifecycle to allow POST /-/reload, or send SIGHUP\n"
            )
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

    private func metrics(_ request: HTTPRequest, gzip: Bool) -> HTTPResponse {
        let format = ContentNegotiation.format(accept: request.headers["Accept"])
        return state.metricsResponse(format: format, gzip: gzip)
    }
}
