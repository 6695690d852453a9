import JSON

/// The body of `GET /api/v1/alerts` in Prometheus's shape, so tools that read Prometheus's alerts API
/// (Grafana, karma, scripts) read ours unchanged:
///
/// ```json
/// {"status":"success","data":{"alerts":[{"labels":{…},"annotations":{…},"state":"firing",
///  "activeAt":"2026-11-25T18:00:00Z","value":"1e+00"}]}}
/// ```
///
/// Like Prometheus, only pending and firing alerts are listed (resolved ones are not "active");
/// maps have sorted keys and strings are escaped as Go's `encoding/json` escapes them; `value` is
/// Go's `strconv.FormatFloat(v, 'e', -1, 64)`; `keepFiringSince` appears only while set.
public enum AlertsAPI {
    /// Encodes `alerts` (resolved ones are skipped).
    public static func json(_ alerts: [Alert]) -> [UInt8] {
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.raw(#"{"status":"success","data":{"alerts":["#)
        var first = true
        for alert in alerts where alert.state != .resolved {
            if !first { w.raw(",") }
            first = false
            w.raw(#"{"labels":"#)
            w.stringMap(alert.labels)
            w.raw(#","annotations":"#)
            w.stringMap(alert.annotations)
            w.raw(#","state":"#)
            w.string(alert.state.rawValue)
            w.raw(#","activeAt":"#)
            w.string(RFC3339.format(alert.activeAt))
            if let since = alert.keepFiringSince {
                w.raw(#","keepFiringSince":"#)
                w.string(RFC3339.format(since))
            }
            w.raw(#","value":"#)
            w.string(GoFormat.exponentShortest(alert.value))
            w.raw("}")
        }
        w.raw("]}}")
        return w.bytes
    }
}
