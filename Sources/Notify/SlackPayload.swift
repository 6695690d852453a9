import JSON

/// A Slack incoming-webhook body: one attachment, coloured `danger` while firing and `good` once
/// resolved, in the shape Alertmanager's `notify/slack` sends.
///
/// `title` and `text` are plain text with these placeholders (Alertmanager's Go templates are not
/// implemented; anything else inside `{{ }}` is a load error): `{{ .Status }}`, `{{ .Receiver }}`,
/// `{{ .GroupLabels.<name> }}`, `{{ .CommonLabels.<name> }}`, `{{ .CommonAnnotations.<name> }}`.
/// Defaults: Alertmanager's default title (`[FIRING:2] <group label values> (<other common
/// label values>)`) and, as text, one line per alert with its `summary` (or `description`).
/// `&`, `<` and `>` are escaped, as Slack reads them as markup.
public enum SlackPayload {
    /// Encodes `notification` for `configuration`.
    public static func encode(_ notification: Notification, configuration: SlackConfiguration) -> [UInt8] {
        let values = Values(notification)
        let title = configuration.title.map { values.expand($0) } ?? values.defaultTitle
        let text = configuration.text.map { values.expand($0) } ?? values.defaultText
        var w = JSONWriter(escaping: .goEncodingJSON)
        var fields: [(String, (inout JSONWriter) -> Void)] = []
        if let channel = configuration.channel { fields.append(("channel", { $0.string(channel) })) }
        fields.append(
            (
                "attachments",
                { w in
                    w.raw("[")
                    w.object([
                        ("title", { $0.string(escape(title)) }),
                        ("text", { $0.string(escape(text)) }),
                        ("fallback", { $0.string(escape(title)) }),
                        ("color", { $0.string(notification.status == "firing" ? "danger" : "good") }),
                        ("mrkdwn_in", { $0.raw("[\"fallback\",\"pretext\",\"text\"]") }),
                    ])
                    w.raw("]")
                }
            ))
        w.object(fields)
        return w.bytes
    }

    /// Slack's markup escaping for `&`, `<`, `>`.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A description of the first unsupported `{{ }}` placeholder in `template`, or nil.
    public static func unsupportedPlaceholder(in template: String) -> String? {
        for p in placeholders(template) where Values.kind(of: p) == nil {
            return "unsupported placeholder {{ \(p) }}; supported: {{ .Status }}, {{ .Receiver }}, "
                + "{{ .GroupLabels.name }}, {{ .CommonLabels.name }}, {{ .CommonAnnotations.name }}"
        }
        return nil
    }

    static func placeholders(_ s: String) -> [String] {
        var out: [String] = []
        var rest = Substring(s)
        while let open = rest.firstRange(of: "{{") {
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                out.append(String(rest[open.upperBound...]))
                break
            }
            out.append(String(rest[open.upperBound..<close.lowerBound]).trimmingWhitespace)
            rest = rest[close.upperBound...]
        }
        return out
    }

    /// The placeholder values of one notification (shared with ``PagerDutyPayload``).
    struct Values {
        let status: String
        let receiver: String
        let groupLabels: [String: String]
        let commonLabels: [String: String]
        let commonAnnotations: [String: String]
        let notification: Notification

        init(_ n: Notification) {
            notification = n
            status = n.status
            receiver = n.receiver
            groupLabels = n.groupLabels
            commonLabels = AlertOrdering.common(n.alerts.map(\.labels))
            commonAnnotations = AlertOrdering.common(n.alerts.map(\.annotations))
        }

        enum Kind {
            case status
            case receiver
            case group(String)
            case common(String)
            case annotation(String)
        }

        static func kind(of p: String) -> Kind? {
            if p == ".Status" { return .status }
            if p == ".Receiver" { return .receiver }
            for (prefix, make) in [
                (".GroupLabels.", Kind.group), (".CommonLabels.", Kind.common),
                (".CommonAnnotations.", Kind.annotation),
            ] as [(String, (String) -> Kind)]
            where p.hasPrefix(prefix) && p.count > prefix.count {
                return make(String(p.dropFirst(prefix.count)))
            }
            return nil
        }

        func expand(_ template: String) -> String {
            var out = ""
            var rest = Substring(template)
            while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
                out += rest[..<open.lowerBound]
                let p = String(rest[open.upperBound..<close.lowerBound]).trimmingWhitespace
                switch Values.kind(of: p) {
                case .status: out += status
                case .receiver: out += receiver
                case .group(let n): out += groupLabels[n] ?? ""
                case .common(let n): out += commonLabels[n] ?? ""
                case .annotation(let n): out += commonAnnotations[n] ?? ""
                case nil: break
                }
                rest = rest[close.upperBound...]
            }
            return out + rest
        }

        var defaultTitle: String {
            var t = "[\(status.uppercased())"
            if status == "firing" { t += ":\(notification.firingAlerts.count)" }
            t += "] " + groupLabels.keys.sorted(by: GoString.less).map { groupLabels[$0]! }.joined(separator: " ")
            if commonLabels.count > groupLabels.count {
                let others = commonLabels.keys.filter { groupLabels[$0] == nil }.sorted(by: GoString.less)
                t += " (" + others.map { commonLabels[$0]! }.joined(separator: " ") + ")"
            }
            return t
        }

        var defaultText: String {
            notification.alerts.map { a in
                let state = a.isResolved(at: notification.createdAt) ? "resolved" : "firing"
                let what = a.annotations["summary"] ?? a.annotations["description"] ?? a.labels["alertname"] ?? ""
                return "• [\(state)] \(what)"
            }.joined(separator: "\n")
        }
    }
}
