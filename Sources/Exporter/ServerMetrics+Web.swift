import Exposition
import HTTP

extension ServerMetrics {
    /// Families about the endpoint's security (`--web.config.file`): refused logins, TLS
    /// handshakes that failed, certificate files re-read.
    static func webFamilies(http: HTTPServerStatistics, web: WebSecurity.Statistics) -> [MetricFamily] {
        var families = [
            MetricFamily(
                name: "celery_redis_http_auth_failures",
                help:
                    "HTTP requests refused by basic authentication (--web.config.file): missing (no or malformed credentials, 401), invalid (wrong user or password, 401), busy (too many password checks waiting, 429).",
                type: .counter,
                samples: HTTPAccessControl.Statistics.failureReasons.map {
                    Sample(labels: [Label("reason", $0)], value: Double(web.access.failures[$0] ?? 0))
                }),
            MetricFamily(
                name: "celery_redis_http_auth_bcrypt_checks",
                help:
                    "Passwords checked with bcrypt; a client's next requests with the same password are let in from memory.",
                type: .counter, samples: [Sample(value: Double(web.access.bcryptChecks))]),
        ]
        guard let certificates = web.certificates else { return families }
        families.append(
            MetricFamily(
                name: "celery_redis_http_tls_handshake_failures",
                help:
                    "TLS connections that failed before a request: error (no common version, missing or rejected client certificate, not TLS), http_on_tls (plain HTTP to the TLS port, answered 400), timeout (handshake not done within the request timeout).",
                type: .counter,
                samples: HTTPServerStatistics.tlsHandshakeFailureReasons.map {
                    Sample(labels: [Label("reason", $0)], value: Double(http.tlsHandshakeFailures[$0] ?? 0))
                }))
        families.append(
            MetricFamily(
                name: "celery_redis_http_tls_certificate_reloads",
                help:
                    "Times the TLS certificate, key or client CA files changed on disk: success (new connections use them), failure (they did not load; the previous certificate is still served).",
                type: .counter,
                samples: [
                    Sample(labels: [Label("result", "success")], value: Double(certificates.reloads)),
                    Sample(labels: [Label("result", "failure")], value: Double(certificates.failures)),
                ]))
        return families
    }
}
