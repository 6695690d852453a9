import Alerting

extension NotifiableAlert {
    /// The notifier's view of an evaluator alert, as Prometheus maps its alerts for
    /// Alertmanager: `startsAt` is when it started firing (`firedAt`, else `activeAt`), `endsAt`
    /// is `resolvedAt` for a resolved alert. Returns nil for pending alerts, which are never sent.
    public init?(_ alert: Alert, generatorURL: String = "") {
        switch alert.state {
        case .pending:
            return nil
        case .firing:
            self.init(
                labels: alert.labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt,
                endsAt: nil, fingerprint: alert.fingerprint, generatorURL: generatorURL)
        case .resolved:
            self.init(
                labels: alert.labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt,
                endsAt: alert.resolvedAt ?? alert.lastTrueAt, fingerprint: alert.fingerprint,
                generatorURL: generatorURL)
        }
    }

    /// Maps a whole evaluation result, dropping pending alerts (and merging alerts of one
    /// fingerprint, see ``merged(_:)``).
    public static func from(_ alerts: [Alert], generatorURL: String = "") -> [NotifiableAlert] {
        merged(alerts.compactMap { NotifiableAlert($0, generatorURL: generatorURL) })
    }

    /// One alert per fingerprint, in order of first appearance. Two rules can yield the same
    /// labels (one file loaded twice, the same rule in two groups); to the dispatcher, as to
    /// Alertmanager, that is one alert, so it must not be told "firing" and "resolved" in the same
    /// update. Firing wins over resolved (one rule still holding is no resolution); of two firing,
    /// the earlier start; of two resolved, the later end.
    static func merged(_ alerts: [NotifiableAlert]) -> [NotifiableAlert] {
        var out: [NotifiableAlert] = []
        out.reserveCapacity(alerts.count)
        var index: [String: Int] = [:]
        for alert in alerts {
            guard let i = index[alert.fingerprint] else {
                index[alert.fingerprint] = out.count
                out.append(alert)
                continue
            }
            let kept = out[i]
            switch (kept.endsAt, alert.endsAt) {
            case (nil, nil): if alert.startsAt < kept.startsAt { out[i] = alert }
            case (.some, nil): out[i] = alert
            case (nil, .some): break
            case (let a?, let b?): if b > a { out[i] = alert }
            }
        }
        return out
    }

    /// Maps a whole evaluation result, dropping pending alerts and merging alerts of one
    /// fingerprint (``merged(_:)``), each with Prometheus's
    /// `generatorURL`: `<externalURL>/graph?g0.expr=<rule expression>&g0.tab=1`, the expression
    /// found by alert name in `rules` (nil when no rule has that name: then just `externalURL`).
    public static func from(_ alerts: [Alert], externalURL: String, rules: [RuleGroup]) -> [NotifiableAlert] {
        var expressions: [String: String] = [:]
        for group in rules {
            for rule in group.rules where expressions[rule.name] == nil { expressions[rule.name] = rule.expression }
        }
        var base = externalURL
        while base.hasSuffix("/") { base.removeLast() }
        return merged(
            alerts.compactMap { a in
                let url =
                    expressions[a.name].map { base + "/graph?g0.expr=" + queryEscape($0) + "&g0.tab=1" } ?? externalURL
                return NotifiableAlert(a, generatorURL: url)
            })
    }

    /// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, the rest `%XX`.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(b)))
            case UInt8(ascii: " "):
                out.append("+")
            default:
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
