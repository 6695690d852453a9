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
        var out = #"{"status":"success","data":{"alerts":["#
        var first = true
        for alert in alerts where alert.state != .resolved {
            if !first { out += "," }
            first = false
            out += #"{"labels":"# + JSONText.object(alert.labels)
            out += #","annotations":"# + JSONText.object(alert.annotations)
            out += #","state":"# + JSONText.string(alert.state.rawValue)
            out += #","activeAt":"# + JSONText.string(RFC3339.format(alert.activeAt))
            if let since = alert.keepFiringSince {
                out += #","keepFiringSince":"# + JSONText.string(RFC3339.format(since))
            }
            out += #","value":"# + JSONText.string(GoFormat.exponentShortest(alert.value)) + "}"
        }
        out += "]}}"
        return Array(out.utf8)
    }
}
