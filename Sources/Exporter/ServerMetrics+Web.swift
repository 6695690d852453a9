import Exposition
import HTTP

extension ServerMetrics {
    /// Families about the endpoint's security (`--web.config.file`): refused logins, TLS
    /// handshakes that failed, certificate files re-read.
    static func webFamilies(http: HTTPServerStatistics, web: WebSecurity.Statistics) -> [MetricFamily] {
        var families = [
            MetricFamily(
                .httpAuthFailures,
                samples: HTTPAccessControl.Statistics.failureReasons.map {
                    Sample(labels: [Label("reason", $0)], value: Double(web.access.failures[$0] ?? 0))
                }),
            MetricFamily(.httpAuthBcryptChecks, value: Double(web.access.bcryptChecks)),
        ]
        guard let certificates = web.certificates else { return families }
        families.append(
            MetricFamily(
                .httpTLSHandshakeFailures,
                samples: HTTPServerStatistics.tlsHandshakeFailureReasons.map {
                    Sample(labels: [Label("reason", $0)], value: Double(http.tlsHandshakeFailures[$0] ?? 0))
                }))
        families.append(
            MetricFamily(
                .httpTLSCertificateReloads,
                samples: [
                    Sample(labels: [Label("result", "success")], value: Double(certificates.reloads)),
                    Sample(labels: [Label("result", "failure")], value: Double(certificates.failures)),
                ]))
        return families
    }
}
