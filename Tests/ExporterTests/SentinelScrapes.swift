import TestSupport

/// The scrapes the Sentinel end-to-end suites share.
enum SentinelScrapes {
    /// `/metrics` of `exporter` now; empty when it does not answer.
    static func metrics(_ exporter: ExporterProcess) -> MetricsText {
        MetricsText(text: (try? exporter.get("/metrics").text) ?? "")
    }

    /// Scrapes `exporter` for up to 15 s until it serves `celery_redis_up 0` and at least one
    /// broker `celery_redis_sentinel_query_failures_total` of `reason` for `master`: whether it
    /// did, and the last scrape.
    static func waitForQueryFailure(_ exporter: ExporterProcess, master: String, reason: String) -> (
        counted: Bool, metrics: MetricsText
    ) {
        var m = MetricsText(text: "")
        let counted = waitUntil(timeout: 15) {
            m = metrics(exporter)
            return m.value("celery_redis_up") == 0
                && (m.value(
                    "celery_redis_sentinel_query_failures_total",
                    ["connection": "broker", "master": master, "reason": reason]) ?? 0) >= 1
        }
        return (counted, m)
    }
}
