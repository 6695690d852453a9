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
            MetricFamily(.httpConnectionsOpen, value: Double(http.openConnections)),
            MetricFamily(
                .httpConnectionsEvicted,
                samples: HTTPServerStatistics.EvictionReason.allCases.map {
                    Sample(
                        labels: [Label("reason", $0.rawValue)],
                        value: Double(http.connectionsEvictedByReason[$0.rawValue] ?? 0))
                }),
            MetricFamily(
                .httpConnectionsRejected,
                samples: [
                    Sample(labels: [Label("reason", "client_cap")], value: Double(http.connectionsRejectedAtClientCap)),
                    Sample(labels: [Label("reason", "connection_cap")], value: Double(http.connectionsRejectedAtCap)),
                    Sample(labels: [Label("reason", "out_of_descriptors")], value: Double(http.connectionsShed)),
                ]),
            MetricFamily(
                .httpAcceptErrors,
                samples: HTTPServerStatistics.acceptErrorReasons.map {
                    Sample(labels: [Label("reason", $0)], value: Double(http.acceptErrors[$0] ?? 0))
                }),
            MetricFamily(.httpRequestTimeouts, value: Double(http.requestTimeouts)),
            MetricFamily(.httpQueuedBytes, value: Double(http.queuedBytes)),
            MetricFamily(
                .httpConnectionPauses,
                samples: HTTPServerStatistics.pauseReasons.map {
                    Sample(labels: [Label("reason", $0)], value: Double(http.connectionPauses[$0] ?? 0))
                }),
        ]
        if let web { families += webFamilies(http: http, web: web) }
        if let reloads {
            families.append(
                MetricFamily(
                    .configReloadRequests,
                    samples: ReloadCoordinator.Source.allCases.map {
                        Sample(labels: [Label("source", $0.rawValue)], value: Double(reloads.requests[$0] ?? 0))
                    }))
            families.append(MetricFamily(.configReloads, value: Double(reloads.reloads)))
            families.append(MetricFamily(.configReloadRequestsCoalesced, value: Double(reloads.coalesced)))
        }
        return families
    }
}
