import Alerting
import Celery
import Exposition
import HTTP
import Logging
import Synchronization

/// The status page's state: the depth history and outcome rates (poller thread), and the page and
/// JSON rendered from the latest poll (read by every request). ``update(_:)`` runs once per poll
/// and renders both bodies, plain and gzipped, so a request only copies references.
public final class StatusPage: Sendable {
    private struct History: Sendable {
        var depth = DepthHistory()
        var rates = OutcomeRateWindow()
        /// Whether the last poll left queues without history (logged on change only).
        var historyFull = false
    }

    /// The bodies served until the next poll.
    struct Rendered: Sendable {
        var html: [UInt8]
        var htmlGzip: [UInt8]
        var json: [UInt8]
        var jsonGzip: [UInt8]
    }

    /// Depth history and outcome rates per target (key: its name, "" for the single target).
    private let history = Mutex([String: History]())
    private let rendered: Mutex<Rendered>
    private let telemetryPath: String
    private let pollInterval: Double
    private let censusEnabled: Bool
    private let logger: Logger?

    /// A page showing "no poll yet" until the first ``update(_:)``.
    public init(
        telemetryPath: String, pollInterval: Double, censusEnabled: Bool, eventsEnabled: Bool,
        logger: Logger? = nil
    ) {
        self.logger = logger
        self.telemetryPath = telemetryPath
        self.pollInterval = pollInterval
        self.censusEnabled = censusEnabled
        let model = StatusModel.initial(
            pollInterval: pollInterval, censusEnabled: censusEnabled,
            eventsEnabled: eventsEnabled, now: wallClockNow())
        rendered = Mutex(Self.render(model, telemetryPath: telemetryPath))
    }

    /// Poller thread, after each poll of the single target from flags: records history, builds the
    /// model, renders both bodies.
    func update(snapshot: Snapshot, families: [MetricFamily], alerts: [Alert], lastSuccessAt: Double?, now: Double) {
        let model = self.model(
            key: "", snapshot: snapshot, families: families, alerts: alerts,
            lastSuccessAt: lastSuccessAt, now: now)
        let next = Self.render(model, telemetryPath: telemetryPath)
        rendered.withLock { $0 = next }
    }

    /// Poller thread, after each tick: one section per target when targets are named, else the
    /// single target's page (``update(snapshot:families:alerts:lastSuccessAt:now:)``).
    /// - Parameters:
    ///   - processFamilies: families of the process every target's section may read (the notifier's).
    ///   - allFamilies: everything `/metrics` serves this tick (the single target reads these).
    func update(
        targets polls: [TargetPoll], processFamilies: [MetricFamily], allFamilies: [MetricFamily],
        alerts: [Alert], now: Double
    ) {
        guard let first = polls.first else { return }
        if polls.count == 1, first.name == nil {
            update(
                snapshot: first.snapshot, families: allFamilies, alerts: alerts, lastSuccessAt: first.lastSuccessAt,
                now: now)
            return
        }
        let models = polls.map { poll -> (name: String, model: StatusModel) in
            let name = poll.name ?? ""
            // A target's section shows the alerts about it: those carrying its `target` label.
            let own = alerts.filter { $0.labels[TargetLabels.name] == name }
            return (
                name,
                model(
                    key: name, snapshot: poll.snapshot,
                    families: poll.families + poll.connectionFamilies + processFamilies,
                    alerts: own, lastSuccessAt: poll.lastSuccessAt, now: now)
            )
        }
        var overview = models[0].model
        let rows = StatusModel.alertRows(alerts)
        overview.alerts = Array(rows.prefix(StatusModel.maximumRows))
        overview.alertTotal = rows.count
        let html = Array(
            StatusHTMLRenderer.render(targets: models, overview: overview, telemetryPath: telemetryPath).utf8)
        let json = Array(StatusJSONRenderer.render(targets: models, overview: overview).utf8)
        let next = Rendered(html: html, htmlGzip: Gzip.compress(html), json: json, jsonGzip: Gzip.compress(json))
        rendered.withLock { $0 = next }
    }

    /// Records one target's poll in its history (`key`: its name, "" for the single target) and
    /// builds its model.
    private func model(
        key: String, snapshot: Snapshot, families: [MetricFamily], alerts: [Alert],
        lastSuccessAt: Double?, now: Double
    ) -> StatusModel {
        let inputs = StatusInputs(
            snapshot: snapshot, families: families, alerts: alerts,
            monotonicToWall: wallClockNow() - monotonicNow(), now: now, lastSuccessAt: lastSuccessAt,
            pollInterval: pollInterval, censusEnabled: censusEnabled)
        return history.withLock { histories -> StatusModel in
            // One history per target; targets are fixed at start-up, so the table is bounded by them.
            var h = histories[key] ?? History()
            defer { histories[key] = h }
            // A failed poll knows no queues: keep the history rather than forgetting every queue.
            if let sampled = snapshot.sampled {
                h.depth.record(sampled.queues.map { (LabelValueLimit.capped($0.name), $0.length) }, at: now)
            }
            if let totals = StatusModel.resultTotals(families) { h.rates.record(totals, at: now) }
            let full = h.depth.untracked > 0
            if full != h.historyFull {
                h.historyFull = full
                var metadata: Logger.Metadata = [
                    "kept": "\(DepthHistory.maximumQueues)", "without_history": "\(h.depth.untracked)",
                ]
                if !key.isEmpty { metadata["target"] = "\(key)" }
                if full {
                    logger?.warning(
                        "status page: more queues than the depth history keeps; the rest have no sparkline",
                        metadata: metadata)
                } else {
                    logger?.info("status page: every queue has depth history again")
                }
            }
            return StatusModel.build(inputs, history: h.depth, rates: h.rates)
        }
    }

    /// `GET /`: the page.
    func page(gzip: Bool) -> HTTPResponse {
        let r = rendered.withLock { $0 }
        return Self.response(
            contentType: "text/html; charset=utf-8", plain: r.html, gzipped: r.htmlGzip, gzip: gzip,
            cache: "no-store")
    }

    /// `GET /api/v1/status`: the JSON.
    func json(gzip: Bool) -> HTTPResponse {
        let r = rendered.withLock { $0 }
        return Self.response(
            contentType: "application/json", plain: r.json, gzipped: r.jsonGzip, gzip: gzip,
            cache: "no-store")
    }

    /// `GET /static/…`: the stylesheet, script and icon; nil for any other path.
    static func asset(path: String, gzip: Bool) -> HTTPResponse? {
        guard let asset = StatusAssets.byPath[path] else { return nil }
        return response(
            contentType: asset.contentType, plain: asset.plain, gzipped: asset.gzipped, gzip: gzip,
            cache: "no-cache")
    }

    /// The policy of every status page response: scripts, styles, images and fetches from this
    /// origin only, nothing inline, no plugins, no framing, no form posts, no `<base>`.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    private static func response(
        contentType: String, plain: [UInt8], gzipped: [UInt8], gzip: Bool,
        cache: String
    ) -> HTTPResponse {
        var headers = [
            ("Content-Type", contentType), ("Content-Security-Policy", contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"), ("Cache-Control", cache), ("Vary", "Accept-Encoding"),
        ]
        if gzip { headers.append(("Content-Encoding", "gzip")) }
        return HTTPResponse(status: 200, headers: headers, body: gzip ? gzipped : plain)
    }

    private static func render(_ model: StatusModel, telemetryPath: String) -> Rendered {
        let html = Array(StatusHTMLRenderer.render(model, telemetryPath: telemetryPath).utf8)
        let json = Array(StatusJSONRenderer.render(model).utf8)
        return Rendered(html: html, htmlGzip: Gzip.compress(html), json: json, jsonGzip: Gzip.compress(json))
    }
}
