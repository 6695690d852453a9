import JSON
import TLS

/// A PagerDuty Events API v2 event, byte for byte as Alertmanager's `notify/pagerduty` writes it
/// (`json.Encoder` over its `pagerDutyMessage`):
///
/// ```json
/// {"routing_key":"…","dedup_key":"<sha256 of the group key>","event_action":"trigger",
///  "payload":{"summary":"[FIRING:1] …","source":"…","severity":"error","custom_details":{…}},
///  "client":"…","client_url":"…"}
/// ```
///
/// `event_action` is `trigger` while any alert of the group fires, else `resolve`; the
/// `dedup_key` is the same for both (SHA-256 hex of Alertmanager's group key), so PagerDuty
/// resolves the incident it opened. An event over 512,000 bytes has its custom details replaced
/// by a note, as Alertmanager does (PagerDuty rejects larger events).
public enum PagerDutyPayload {
    /// PagerDuty's limit on one event, Alertmanager's `maxEventSize`.
    public static let maxEventBytes = 512_000
    /// Alertmanager's `maxV2SummaryLenRunes`.
    public static let maxSummaryCharacters = 1024
    /// The `client` when none is configured.
    public static let defaultClient = "celery-redis-exporter"

    /// The `dedup_key` of a group: SHA-256 of its group key in lowercase hex (Alertmanager's
    /// `notify.Key.Hash`).
    public static func dedupKey(groupKey: String) -> String { SHA256.hex(groupKey) }

    /// Encodes `notification` for `configuration`; `externalURL` is the default `client_url`.
    public static func encode(
        _ notification: Notification, configuration: PagerDutyConfiguration, externalURL: String
    ) -> [UInt8] {
        encodeMeasured(notification, configuration: configuration, externalURL: externalURL).bytes
    }

    /// Like ``encode(_:configuration:externalURL:)``, also giving the size of the event before
    /// its custom details were replaced (nil when they were kept).
    static func encodeMeasured(
        _ notification: Notification, configuration c: PagerDutyConfiguration, externalURL: String
    ) -> (bytes: [UInt8], oversizedBytes: Int?) {
        let values = SlackPayload.Values(notification)
        let expand = { (t: String) in values.expand(t) }
        var details: [String: String] = [
            "firing": WebhookPayload.alertsJSON(notification.firingAlerts, at: notification.createdAt),
            "resolved": WebhookPayload.alertsJSON(
                notification.alerts.filter { $0.isResolved(at: notification.createdAt) }, at: notification.createdAt),
            "num_firing": String(notification.firingAlerts.count),
            "num_resolved": String(notification.alerts.count - notification.firingAlerts.count),
        ]
        for (k, v) in c.details { details[k] = expand(v) }
        let client = c.client.map(expand) ?? defaultClient
        let message = Message(
            routingKey: c.routingKey, dedupKey: dedupKey(groupKey: notification.groupKey),
            action: notification.status == "firing" ? "trigger" : "resolve",
            summary: truncate(c.summary.map(expand) ?? defaultSummary(values), to: maxSummaryCharacters),
            source: c.source.map(expand) ?? client, severity: expand(c.severity), eventClass: expand(c.eventClass),
            component: expand(c.component), group: expand(c.group), details: details, client: client,
            clientURL: c.clientURL.map(expand) ?? externalURL,
            images: c.images.map { (expand($0.src), expand($0.alt), expand($0.href)) }.filter { !$0.0.isEmpty },
            links: c.links.map { (expand($0.href), expand($0.text)) }.filter { !$0.0.isEmpty })
        let bytes = message.json()
        guard bytes.count > maxEventBytes else { return (bytes, nil) }
        var smaller = message
        smaller.details = [
            "error":
                "Custom details have been removed because the original event exceeds the maximum size of 512kB"
        ]
        return (smaller.json(), bytes.count)
    }

    /// Alertmanager's `__subject` template: `[FIRING:2] <group label values> (<other common
    /// label values>)`, with its trailing space when there are no other common labels.
    static func defaultSummary(_ v: SlackPayload.Values) -> String {
        var t = "[\(v.status.uppercased())"
        if v.status == "firing" { t += ":\(v.notification.firingAlerts.count)" }
        t += "] " + v.groupLabels.keys.sorted(by: GoString.less).map { v.groupLabels[$0]! }.joined(separator: " ") + " "
        if v.commonLabels.count > v.groupLabels.count {
            let others = v.commonLabels.keys.filter { v.groupLabels[$0] == nil }.sorted(by: GoString.less)
            t += "(" + others.map { v.commonLabels[$0]! }.joined(separator: " ") + ")"
        }
        return t
    }

    /// Alertmanager's `TruncateInRunes`: at most `limit` characters, the last one `…` when cut.
    static func truncate(_ s: String, to limit: Int) -> String {
        let scalars = s.unicodeScalars
        guard scalars.count > limit else { return s }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars.prefix(limit - 1))
        out.append("…")
        return String(out)
    }

    /// The fields of `pagerDutyMessage` and its `payload` that Events API v2 uses, written in
    /// Go's struct order, empty `omitempty` fields left out.
    private struct Message {
        var routingKey, dedupKey, action, summary, source, severity, eventClass, component, group: String
        var details: [String: String]
        var client, clientURL: String
        var images: [(String, String, String)]
        var links: [(String, String)]

        func json() -> [UInt8] {
            var w = JSONWriter(escaping: .goEncodingJSON)
            var payload: [(String, (inout JSONWriter) -> Void)] = [
                ("summary", { $0.string(summary) }), ("source", { $0.string(source) }),
                ("severity", { $0.string(severity) }),
            ]
            for (key, value) in [("class", eventClass), ("component", component), ("group", group)]
            where !value.isEmpty {
                payload.append((key, { $0.string(value) }))
            }
            payload.append(("custom_details", { $0.stringMap(details) }))
            var fields: [(String, (inout JSONWriter) -> Void)] = [
                ("routing_key", { $0.string(routingKey) }), ("dedup_key", { $0.string(dedupKey) }),
                ("event_action", { $0.string(action) }), ("payload", { $0.object(payload) }),
            ]
            if !client.isEmpty { fields.append(("client", { $0.string(client) })) }
            if !clientURL.isEmpty { fields.append(("client_url", { $0.string(clientURL) })) }
            if !images.isEmpty {
                fields.append(
                    (
                        "images",
                        { w in Self.array(&w, images.map { i in [("src", i.0), ("alt", i.1), ("href", i.2)] }) }
                    ))
            }
            if !links.isEmpty {
                fields.append(("links", { w in Self.array(&w, links.map { l in [("href", l.0), ("text", l.1)] }) }))
            }
            w.object(fields)
            w.raw("\n")
            return w.bytes
        }

        /// A JSON array of objects whose fields are all strings.
        private static func array(_ w: inout JSONWriter, _ items: [[(String, String)]]) {
            w.raw("[")
            for (i, item) in items.enumerated() {
                if i > 0 { w.raw(",") }
                w.object(item.map { field in (field.0, { $0.string(field.1) }) })
            }
            w.raw("]")
        }
    }
}
