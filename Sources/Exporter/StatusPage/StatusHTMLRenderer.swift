/// The status page at `/`: complete, readable HTML with JavaScript off; ``StatusAssets/script``
/// then keeps it current from `/api/v1/status`. No inline script or style anywhere (the page is
/// served with a CSP that forbids both): all styling is by class, from `/static/status.css`.
///
/// Every string from Redis or rules passes through the ``StatusEscaping`` function of the context
/// it lands in: `text` for element content, `attr` for attribute values, `svg` inside the sparkline.
enum StatusHTMLRenderer {
    static func render(_ model: StatusModel, telemetryPath: String) -> String {
        var html = head(model)
        html += "<section class=\"tiles\" id=\"summary\" aria-label=\"Summary\">\(tiles(model))</section>\n"
        html += section("alerts", "Alerts", alerts(model))
        html += section("queues", "Queues", queues(model))
        html += section("workers", "Workers", workers(model))
        html += section("results", "Results", results(model))
        html += section("health", "Exporter", health(model))
        return html + foot(model, telemetryPath: telemetryPath)
    }

    /// The document up to and including `<main>`.
    static func head(_ model: StatusModel) -> String {
        let v = StatusEscaping.htmlAttribute(model.version)
        return """
            <!DOCTYPE html>
            <html lang="en" data-generated-at="\(StatusJSONRenderer.number(model.generatedAt))">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>Celery status · \(ExporterVersion.name)</title>
            <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
            <link rel="stylesheet" href="/static/status.css?v=\(v)">
            <script src="/static/status.js?v=\(v)" defer></script>
            </head>
            <body>
            <header class="top">
            <h1>Celery status</h1>
            <p class="updated" id="updated">\(updated(model))</p>
            </header>
            <main>

            """
    }

    /// The document from `</main>` on.
    static func foot(_ model: StatusModel, telemetryPath: String) -> String {
        let metrics = StatusEscaping.htmlAttribute(telemetryPath)
        return """
            </main>
            <footer><a href="\(metrics)">\(StatusEscaping.htmlText(telemetryPath))</a> · <a href="/api/v1/status">/api/v1/status</a> · \
            <a href="/api/v1/alerts">/api/v1/alerts</a> · <a href="/-/ready">/-/ready</a> · \
            \(ExporterVersion.name) \(StatusEscaping.htmlText(model.version))</footer>
            </body>
            </html>

            """
    }

    // MARK: Sections (each one's inner HTML is what the script replaces)

    static func section(_ id: String, _ title: String, _ body: String, heading: String = "h2") -> String {
        "<section id=\"\(id)\" aria-labelledby=\"\(id)-h\"><\(heading) id=\"\(id)-h\">\(title)</\(heading)><div class=\"body\" id=\"\(id)-body\">\(body)</div></section>\n"
    }

    static func updated(_ model: StatusModel) -> String {
        "Updated \(time(model.generatedAt, now: model.generatedAt)) · polling Redis every \(StatusFormatting.duration(model.pollInterval))"
            + " <span class=\"live\" id=\"live\" hidden></span>"
    }

    static func tiles(_ model: StatusModel, prefix: String = "") -> String {
        let h = model.health
        let redis =
            !h.polled
            ? ("warn", "waiting", "no poll yet")
            : (h.redisUp ? ("ok", "up", "last poll succeeded") : ("bad", "down", "last poll failed"))
        let waiting = model.depthTotal
        let backedUp = model.queuesNeedingAttention
        let firing = model.alerts.filter { $0.state == "firing" }.count
        let pending = model.alertTotal - firing
        var out = tile(prefix + "redis", "Redis", redis.1, redis.2, redis.0)
        out += tile(
            prefix + "queues", "Queues", StatusFormatting.count(Double(model.queueTotal)),
            "\(StatusFormatting.count(Double(waiting))) waiting"
                + (backedUp > 0 ? " · \(backedUp) need attention" : ""),
            backedUp > 0 ? "warn" : "ok")
        if model.workers != nil {
            let down = model.workerTotal - model.workersUp
            out += tile(
                prefix + "workers", "Workers", "\(model.workersUp)/\(model.workerTotal)",
                down > 0 ? "\(down) down" : (model.workerTotal == 0 ? "no heartbeat yet" : "all up"),
                down > 0 ? "bad" : (model.workerTotal == 0 ? "warn" : "ok"))
        } else {
            out += tile(prefix + "workers", "Workers", "–", "events off", "muted")
        }
        out += tile(
            prefix + "alerts", "Alerts", String(firing), "firing" + (pending > 0 ? ", \(pending) pending" : ""),
            firing > 0 ? "bad" : (pending > 0 ? "warn" : "ok"))
        return out
    }

    static func tile(_ id: String, _ key: String, _ value: String, _ note: String, _ level: String) -> String {
        "<div class=\"tile \(level)\" id=\"tile-\(id)\"><span class=\"k\">\(key)</span><span class=\"v\">\(text(value))</span><span class=\"n\">\(text(note))</span></div>"
    }

    static func alerts(_ model: StatusModel) -> String {
        guard !model.alerts.isEmpty else { return "<p class=\"empty\">No alerts pending or firing.</p>" }
        let columns = ["Alert", "State", "Since", "Labels", "Summary"]
        var out = tableStart("alerts-table", "Pending and firing alerts", columns)
        for a in model.alerts {
            let kind = a.state == "firing" ? "firing" : "pending"
            let labels = a.labels.map { "<span class=\"label\">\(text($0.name))=\(text($0.value))</span>" }.joined(
                separator: " ")
            out += row(
                kind, text(a.name), columns,
                [
                    ("", "<span class=\"badge \(kind)\">\(text(a.state))</span>"),
                    ("", time(a.since, now: model.generatedAt)),
                    ("labels", labels), ("summary", text(a.summary)),
                ])
        }
        return out + "</tbody></table></div>" + more(model.alertTotal, model.alerts.count, "alerts", "/api/v1/alerts")
    }

    /// The queue table's columns: title, sort key (a field of `/api/v1/status`), numeric.
    static let queueColumns: [(String, String?, Bool)] = [
        ("Queue", "name", false), ("Waiting", "depth", true), ("Oldest waiting", "oldest_age_seconds", true),
        ("In flight", "in_flight", true), ("Scheduled", "scheduled", true), ("Stranded", "stranded", true),
        ("Waiting tasks", nil, false), ("Last hour", nil, false),
    ]

    /// "app.a 12 · app.b 5", with "≈" when estimated from a sample; "–" when unknown.
    static func topTasks(_ q: StatusModel.Queue) -> String {
        guard !q.topTasks.isEmpty else { return "–" }
        let approx = q.topTasksExact ? "" : "≈"
        return q.topTasks.map { text($0.task) + " " + approx + String($0.messages) }.joined(separator: " · ")
    }

    static func queues(_ model: StatusModel, prefix: String = "") -> String {
        guard !model.queues.isEmpty else { return "<p class=\"empty\">No queues known yet.</p>" }
        var out = tableStart(prefix + "queues-table", "Queues, worst first", queueColumns)
        for q in model.queues {
            let kind = q.alertState.map { $0 == "firing" ? "firing" : "pending" } ?? (q.stranded > 0 ? "pending" : nil)
            let badge =
                q.alertState.map {
                    " <span class=\"badge \($0 == "firing" ? "firing" : "pending")\">\(text($0))</span>"
                } ?? ""
            out += row(
                kind, text(q.name) + badge, queueColumns.map(\.0),
                [
                    ("num", count(Double(q.depth), unit: "messages")),
                    ("num", q.oldestAge.map { StatusFormatting.duration($0) } ?? "–"),
                    ("num", count(Double(q.inFlight), unit: "messages")),
                    ("num", count(Double(q.scheduled), unit: "messages")),
                    (q.stranded > 0 ? "num warn" : "num", count(Double(q.stranded), unit: "messages")),
                    ("tasks", topTasks(q)),
                    ("spark-cell", sparkline(q.history, name: q.name)),
                ])
        }
        out += "</tbody></table></div>" + more(model.queueTotal, model.queues.count, "queues", nil)
        if model.queuesWithoutHistory > 0 {
            out +=
                "<p class=\"note\">\(model.queuesWithoutHistory) queues have no history: the page keeps the last hour of at most \(DepthHistory.maximumQueues) queues.</p>"
        }
        return out
    }

    static let workerColumns: [(String, String?, Bool)] = [
        ("Worker", "name", false), ("State", "up", false), ("Active", "active", true), ("Processed", "processed", true),
        ("Last heartbeat", "last_heartbeat", true), ("Down for", "down_since", true),
    ]

    static func workers(_ model: StatusModel, prefix: String = "") -> String {
        guard let workers = model.workers else {
            return
                "<p class=\"empty\">Worker heartbeats are not followed: start the exporter with <code>--celery.events</code>.</p>"
        }
        guard !workers.isEmpty else { return "<p class=\"empty\">No worker heartbeat seen yet.</p>" }
        var out = tableStart(prefix + "workers-table", "Workers, dead ones first", workerColumns)
        for w in workers {
            out += row(
                w.up ? nil : "firing", text(w.name), workerColumns.map(\.0),
                [
                    ("", "<span class=\"badge \(w.up ? "ok" : "firing")\">\(w.up ? "up" : "down")</span>"),
                    ("num", count(Double(w.active), unit: "tasks")),
                    ("num", count(Double(w.processed), unit: "tasks")),
                    ("num", time(w.lastHeartbeat, now: model.generatedAt)),
                    ("num", w.downSince.map { time($0, now: model.generatedAt, ago: false) } ?? "–"),
                ])
        }
        return out + "</tbody></table></div>" + more(model.workerTotal, workers.count, "workers", nil)
    }

    /// One table row: the row header (already escaped HTML), then cells labelled with their
    /// column titles (`data-label`, shown above each value when the table folds on a phone).
    static func row(_ kind: String?, _ header: String, _ columns: [String], _ cells: [(String, String)]) -> String {
        var out = "<tr\(kind.map { " class=\"\($0)\"" } ?? "")><th scope=\"row\" class=\"name\">\(header)</th>"
        for (i, cell) in cells.enumerated() {
            let cls = cell.0.isEmpty ? "" : " class=\"\(cell.0)\""
            out += "<td\(cls) data-label=\"\(columns[i + 1])\">\(cell.1)</td>"
        }
        return out + "</tr>"
    }

    static func results(_ model: StatusModel) -> String {
        let r = model.results
        var out = "<div class=\"cols\">"
        out += "<div><h3>In the result backend</h3>"
        if let census = r.census {
            out +=
                "<dl class=\"kv\">"
                + census.map { "<dt>\(text($0.state))</dt><dd>\(count(Double($0.count), unit: "results"))</dd>" }
                .joined() + "</dl>"
        } else {
            out +=
                "<p class=\"empty\">\(model.health.censusEnabled ? "Counting (the first pass of the census is running)…" : "The census is off.")</p>"
        }
        out += "</div><div><h3>Outcomes, last \(StatusFormatting.duration(r.rateWindow))</h3>"
        if let rates = r.ratesPerMinute {
            out +=
                rates.isEmpty
                ? "<p class=\"empty\">No results received yet.</p>"
                : "<dl class=\"kv\">"
                    + rates.map { "<dt>\(text($0.state))</dt><dd>\(StatusFormatting.rate($0.rate))</dd>" }.joined()
                    + "</dl>"
        } else {
            out +=
                "<p class=\"empty\">\(model.health.eventsEnabled ? "Measuring…" : "Live results need <code>--celery.events</code>.")</p>"
        }
        out +=
            "</div><div><h3>Orphaned</h3><dl class=\"kv\"><dt>STARTED, worker gone</dt><dd\((r.orphanedStarted ?? 0) > 0 ? " class=\"warn\"" : "")>"
        out += r.orphanedStarted.map { count(Double($0), unit: "tasks") } ?? "unknown"
        return out + "</dd></dl></div></div>"
    }

    static func health(_ model: StatusModel) -> String {
        let h = model.health
        var rows: [(String, String, String)] = []
        rows.append(
            (
                "Redis", !h.polled ? "no poll yet" : (h.redisUp ? "up" : "down"),
                !h.polled ? "warn" : (h.redisUp ? "" : "bad")
            ))
        if let e = h.lastError { rows.append(("Last error", text(e), "bad")) }
        rows.append(
            (
                "Last poll",
                h.lastPollAt.map {
                    time($0, now: model.generatedAt)
                        + (h.lastPollDuration.map { ", took \(StatusFormatting.shortDuration($0))" } ?? "")
                } ?? "–", ""
            ))
        if !h.redisUp, let s = h.lastSuccessAt { rows.append(("Last success", time(s, now: model.generatedAt), "")) }
        rows.append(
            (
                "Census",
                !h.censusEnabled
                    ? "off"
                    : (h.censusUpdatedAt.map { "counts as of " + time($0, now: model.generatedAt) }
                        ?? "first pass running"), ""
            ))
        rows.append(
            (
                "Celery events", !h.eventsEnabled ? "off" : (h.eventsSubscribed ? "subscribed" : "not subscribed"),
                h.eventsEnabled && !h.eventsSubscribed ? "warn" : ""
            ))
        if h.receivers.isEmpty {
            rows.append(("Notifications", "no receivers configured", ""))
        }
        for r in h.receivers {
            var value = "\(count(Double(r.delivered), unit: "notifications")) delivered"
            if r.failed > 0 { value += ", \(count(Double(r.failed), unit: "notifications")) failed" }
            if r.retried > 0 { value += ", \(count(Double(r.retried), unit: "attempts")) retried" }
            if r.pending > 0 { value += ", \(count(Double(r.pending), unit: "groups")) pending" }
            if let t = r.lastSuccessAt { value += "; last " + time(t, now: model.generatedAt) }
            rows.append(("Notify " + text(r.name), value, r.failed > 0 ? "bad" : ""))
        }
        return "<dl class=\"kv wide\">"
            + rows.map { "<dt>\($0.0)</dt><dd\($0.2.isEmpty ? "" : " class=\"\($0.2)\"")>\($0.1)</dd>" }.joined()
            + "</dl>"
    }

    // MARK: Pieces

    static func tableStart(_ id: String, _ caption: String, _ headers: [String]) -> String {
        tableStart(id, caption, headers.map { ($0, nil, false) })
    }

    static func tableStart(_ id: String, _ caption: String, _ columns: [(String, String?, Bool)]) -> String {
        var out = "<div class=\"scroll\"><table id=\"\(id)\"><caption class=\"sr\">\(caption)</caption><thead><tr>"
        for (title, key, numeric) in columns {
            out +=
                "<th scope=\"col\"\(numeric ? " class=\"num\"" : "")\(key.map { " data-key=\"\($0)\"" } ?? "")>\(title)</th>"
        }
        return out + "</tr></thead><tbody>"
    }

    /// The note under a table cut to ``StatusModel/maximumRows``: how many rows are not shown and
    /// where all of them are (`link`, or the metrics).
    static func more(_ total: Int, _ shown: Int, _ what: String, _ link: String?) -> String {
        guard total > shown else { return "" }
        let whereAll = link.map { "all are in <a href=\"\($0)\">\($0)</a>" } ?? "all are in the metrics"
        return "<p class=\"note\">\(total - shown) more \(what) not shown (the \(shown) worst are); \(whereAll).</p>"
    }

    /// A count with its exact value and unit on hover: `<span title="1234 messages">1.2k</span>`.
    static func count(_ value: Double, unit: String) -> String {
        let short = StatusFormatting.count(value)
        let exact = StatusJSONRenderer.number(value)
        return short == exact && value < 1000 ? short : "<span title=\"\(exact) \(unit)\">\(short)</span>"
    }

    /// A time, relative to `now`, with the absolute UTC time on hover.
    static func time(_ t: Double, now: Double, ago: Bool = true) -> String {
        let label = ago ? StatusFormatting.relative(t, now: now) : StatusFormatting.duration(now - t)
        return
            "<time datetime=\"\(StatusFormatting.isoTime(t))\" title=\"\(StatusFormatting.absoluteTime(t))\">\(label)</time>"
    }

    /// Slots the sparkline's x axis spans at least (5 minutes).
    static let sparklineMinimumSlots = 10

    /// The last hour of depth as an inline SVG line (largest depth per slot; the dot is now).
    static func sparkline(_ history: [Int64?], name: String) -> String {
        let known = history.enumerated().compactMap { i, v in v.map { (i, $0) } }
        guard let last = known.last else { return "<span class=\"muted\">–</span>" }
        let peak = max(1, known.map(\.1).max() ?? 1)
        let width = 120.0
        let height = 24.0
        // The x axis spans the known part of the hour (at least ``sparklineMinimumSlots``), so a
        // freshly started exporter draws a line across the cell rather than a stub at its end.
        let start = max(0, min(known[0].0, history.count - sparklineMinimumSlots))
        let step = width / Double(max(1, history.count - 1 - start))
        func point(_ i: Int, _ v: Int64) -> (x: String, y: String) {
            let x = Double(i - start) * step
            let y = height - 2 - Double(v) / Double(peak) * (height - 4)
            return (
                StatusJSONRenderer.number((x * 10).rounded() / 10), StatusJSONRenderer.number((y * 10).rounded() / 10)
            )
        }
        // Points inside a flat run add nothing to the line: an idle queue is two points, not 120.
        let all = known.map { point($0.0, $0.1) }
        let points = all.indices.filter { i in
            i == 0 || i == all.count - 1 || all[i - 1].y != all[i].y || all[i + 1].y != all[i].y
        }
        .map { "\(all[$0].x),\(all[$0].y)" }
        let label = "Waiting in \(name) over the last hour: now \(last.1), peak \(peak) messages"
        var svg =
            "<svg class=\"spark\" viewBox=\"0 0 120 24\" width=\"120\" height=\"24\" role=\"img\" aria-label=\"\(StatusEscaping.svgText(label))\">"
        svg +=
            "<title>\(StatusEscaping.svgText(label))</title><line class=\"base\" x1=\"0\" y1=\"22\" x2=\"120\" y2=\"22\"/>"
        if known.count > 1 { svg += "<polyline points=\"\(points.joined(separator: " "))\"/>" }
        let now = point(last.0, last.1)
        return svg + "<circle cx=\"\(now.x)\" cy=\"\(now.y)\" r=\"2\"/></svg>"
    }

    private static func text(_ s: String) -> String { StatusEscaping.htmlText(s) }
}
