import Alerting
import JSON

/// Alertmanager's webhook body, version 4, byte for byte as Alertmanager's `notify/webhook`
/// writes it (`json.Encoder` over its `Message` struct, so field order, escaping and the
/// trailing newline match):
///
/// ```json
/// {"receiver":"team","status":"firing","alerts":[{"status":"firing","labels":{…},"annotations":{…},
///  "startsAt":"2024-05-01T12:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"…",
///  "fingerprint":"…"}],"groupLabels":{…},"commonLabels":{…},"commonAnnotations":{…},
///  "externalURL":"…","version":"4","groupKey":"{}:{alertname=\"X\"}","truncatedAlerts":0}
/// ```
public enum WebhookPayload {
    /// Go's zero `time.Time`, which Alertmanager sends as `endsAt` of an alert still firing.
    public static let zeroTime = "0001-01-01T00:00:00Z"

    /// Encodes `notification`, keeping at most `maxAlerts` alerts (0 = all); common labels,
    /// annotations and status are computed over the alerts kept, as Alertmanager does.
    public static func encode(_ notification: Notification, externalURL: String, maxAlerts: Int = 0) -> [UInt8] {
        var alerts = notification.alerts
        var truncated = 0
        if maxAlerts > 0 && alerts.count > maxAlerts {
            truncated = alerts.count - maxAlerts
            alerts = Array(alerts.prefix(maxAlerts))
        }
        let now = notification.createdAt
        let status = alerts.contains { !$0.isResolved(at: now) } ? "firing" : "resolved"
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.object([
            ("receiver", { $0.string(notification.receiver) }),
            ("status", { $0.string(status) }),
            ("alerts", { $0.raw(alertsJSON(alerts, at: now)) }),
            ("groupLabels", { $0.stringMap(notification.groupLabels) }),
            ("commonLabels", { $0.stringMap(AlertOrdering.common(alerts.map(\.labels))) }),
            ("commonAnnotations", { $0.stringMap(AlertOrdering.common(alerts.map(\.annotations))) }),
            ("externalURL", { $0.string(externalURL) }),
            ("version", { $0.string("4") }),
            ("groupKey", { $0.string(notification.groupKey) }),
            ("truncatedAlerts", { $0.raw(String(truncated)) }),
        ])
        w.raw("\n")
        return w.bytes
    }

    /// The JSON array of `alerts` as judged at `now`, each as Alertmanager's template `Alert`
    /// (what the webhook body lists and what PagerDuty's default `firing`/`resolved` details hold).
    static func alertsJSON(_ alerts: [NotifiableAlert], at now: Double) -> String {
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.raw("[")
        for (i, a) in alerts.enumerated() {
            if i > 0 { w.raw(",") }
            let resolved = a.isResolved(at: now)
            w.object([
                ("status", { $0.string(resolved ? "resolved" : "firing") }),
                ("labels", { $0.stringMap(a.labels) }),
                ("annotations", { $0.stringMap(a.annotations) }),
                ("startsAt", { $0.string(RFC3339.format(a.startsAt)) }),
                // A future end time is not exposed (Alertmanager's types.Alerts).
                ("endsAt", { $0.string(resolved ? RFC3339.format(a.endsAt!) : WebhookPayload.zeroTime) }),
                ("generatorURL", { $0.string(a.generatorURL) }),
                ("fingerprint", { $0.string(a.fingerprint) }),
            ])
        }
        w.raw("]")
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
