extension StatusHTMLRenderer {
    /// The page of several targets (`--targets.file`): every pending or firing alert first (from
    /// `overview`), then one section per target with its own tiles, queues, workers, results and
    /// exporter health. Element ids inside a target's section carry the prefix `t<index>-`.
    static func render(targets: [(name: String, model: StatusModel)], overview: StatusModel, telemetryPath: String)
        -> String
    {
        var html = head(overview)
        html += section("alerts", "Alerts", alerts(overview))
        for (index, target) in targets.enumerated() {
            let id = "target-\(index)"
            let prefix = "t\(index)-"
            let model = target.model
            let name = StatusEscaping.htmlText(target.name)
            html +=
                "<section class=\"target\" id=\"\(id)\" data-target=\"\(StatusEscaping.htmlAttribute(target.name))\" "
                + "aria-labelledby=\"\(id)-h\"><h2 id=\"\(id)-h\">Target <code>\(name)</code></h2>\n"
            html +=
                "<section class=\"tiles\" id=\"\(prefix)summary\" aria-label=\"Summary of \(StatusEscaping.htmlAttribute(target.name))\">"
                + "\(tiles(model, prefix: prefix))</section>\n"
            html += section(prefix + "queues", "Queues", queues(model, prefix: prefix), heading: "h3")
            html += section(prefix + "workers", "Workers", workers(model, prefix: prefix), heading: "h3")
            html += section(prefix + "results", "Results", results(model), heading: "h3")
            html += section(prefix + "health", "Exporter", health(model), heading: "h3")
            html += "</section>\n"
        }
        return html + foot(overview, telemetryPath: telemetryPath)
    }
}
