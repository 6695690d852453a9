import Exposition
import HTTP

/// The exporter's metrics about its own HTTP server and configuration reloads: how it held up
/// under abusive clients (evictions, timeouts, running out of descriptors) and how reload
/// requests were coalesced.
public enum ServerMetrics {
    /// Families for the HTTP server's and the reload coordinator's counters.
    public static func families(
        http: HTTPServerStatistics, reloads: ReloadCoordinator.Statistics?, web: WebSecurity.Statistics? = nil
    ) -> [MetricFamily] {
        var families: [MetricFamily] = [
            MetricFamily(
                name: "celery_redis_http_connections_open",
                help: "HTTP connections open when the last poll finished (capped by --web.max-connections).",
                type: .gauge, samples: [Sample(value: Double(http.openConnections))]),
            MetricFamily(
                name: "celery_redis_http_connections_evicted",
                help: "HTTP connections closed to admit a new one at the connection cap or when out of file descriptors: reason idle (keep-alive, no request in progress) or partial_head (request head still arriving or no request sent yet, oldest first).",
                type: .counter,
                samples: HTTPServerStatistics.EvictionReason.allCases.map {
                    Sample(labels: [Label("reason", $0.rawValue)], value: Double(http.connectionsEvictedByReason[$0.rawValue] ?? 0))
                }),
            MetricFamily(
                name: "celery_redis_http_connections_rejected",
                help: "HTTP connections answered 503 and closed at once: reason connection_cap (cap reached, nothing idle to close), client_cap (the address's share of the cap reached, none of its connections can be closed) or out_of_descriptors (accepted on the reserved descriptor).",
                type: .counter,
                samples: [
                    Sample(labels: [Label("reason", "client_cap")], value: Double(http.connectionsRejectedAtClientCap)),
                    Sample(labels: [Label("reason", "connection_cap")], value: Double(http.connectionsRejectedAtCap)),
                    Sample(labels: [Label("reason", "out_of_descriptors")], value: Double(http.connectionsShed)),
                ]),
            MetricFamily(
                name: "celery_redis_http_accept_errors",
                help: "Failed accept() calls: emfile (the process is out of file descriptors), enfile (the system is), enomem (out of memory or socket buffers).",
                type: .counter,
                samples: HTTPServerStatistics.acceptErrorReasons.map {
                    Sample(labels: [Label("reason", $0)], value: Double(http.acceptErrors[$0] ?? 0))
                }),
            MetricFamily(
                name: "celery_redis_http_request_timeouts",
                help: "HTTP requests that did not arrive whole within the request deadline (answered 408, connection closed).",
                type: .counter, samples: [Sample(value: Double(http.requestTimeouts))]),
            MetricFamily(
                name: "celery_redis_http_queued_bytes",
                help: "Request bytes read and not yet answered plus response bytes not yet sent, over all HTTP connections (each connection is capped).",
                type: .gauge, samples: [Sample(value: Double(http.queuedBytes))]),
            MetricFamily(
                name: "celery_redis_http_connection_pauses",
                help: "Times an HTTP connection's service stopped early to let others have the loop: reason output_cap (unsent output over the cap, reading paused until the client reads) or turn_budget (its share of requests or bytes for one loop turn used).",
                type: .counter,
                samples: HTTPServerStatistics.pauseReasons.map {
                    Sample(labels: [Label("reason", $0)], value: Double(http.connectionPauses[$0] ?? 0))
                }),
        ]
        if let web { families += webFamilies(http: http, web: web) }
        if let reloads {
            families.append(MetricFamily(
                name: "celery_redis_config_reload_requests",
                help: "Configuration reload requests by source (http: POST /-/reload, signal: SIGHUP).",
                type: .counter,
                samples: ReloadCoordinator.Source.allCases.map {
                    Sample(labels: [Label("source", $0.rawValue)], value: Double(reloads.requests[$0] ?? 0))
                }))
            families.append(MetricFamily(
                name: "celery_redis_config_reloads",
                help: "Configuration reloads run; concurrent requests share one reload, and reloads start at most once a second.",
                type: .counter, samples: [Sample(value: Double(reloads.reloads))]))
            families.append(MetricFamily(
                name: "celery_redis_config_reload_requests_coalesced",
                help: "Reload requests answered by a reload another request had already asked for.",
                type: .counter, samples: [Sample(value: Double(reloads.coalesced))]))
        }
        return families
    }
}
