import Alerting
import JSON

/// JSON bodies of the Alertmanager API v2 subset the exporter serves (`amtool silence …`,
/// `amtool alert query`), in the field names and shapes of Alertmanager's OpenAPI spec
/// (`api/v2/openapi.yaml`: `gettableSilence`, `gettableAlert`, `alertmanagerStatus`), so
/// amtool's generated client decodes them unchanged.
public enum AlertmanagerAPIv2 {
    /// One `gettableSilence`.
    public static func silence(_ s: Silence, now: Double) -> [UInt8] {
        var w = JSONWriter(escaping: .goEncodingJSON)
        write(s, now: now, into: &w)
        return w.bytes
    }

    /// A list of `gettableSilence`.
    public static func silences(_ list: [Silence], now: Double) -> [UInt8] {
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.raw("[")
        for (i, s) in list.enumerated() {
            if i > 0 { w.raw(",") }
            write(s, now: now, into: &w)
        }
        w.raw("]")
        return w.bytes
    }

    /// `{"silenceID":"…"}`, the answer to `POST /api/v2/silences`.
    public static func silenceID(_ id: String) -> [UInt8] {
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.object([("silenceID", { $0.string(id) })])
        return w.bytes
    }

    /// The matchers of a silence as the API writes them (`isRegex`, `isEqual`).
    static func writeMatchers(_ matchers: [LabelMatcher], into w: inout JSONWriter) {
        w.raw("[")
        for (i, m) in matchers.enumerated() {
            if i > 0 { w.raw(",") }
            let regex = m.op == .regexMatch || m.op == .regexNoMatch
            let equal = m.op == .equal || m.op == .regexMatch
            w.object([
                ("isEqual", { $0.raw(equal ? "true" : "false") }), ("isRegex", { $0.raw(regex ? "true" : "false") }),
                ("name", { $0.string(m.name) }), ("value", { $0.string(m.value) }),
            ])
        }
        w.raw("]")
    }

    private static func write(_ s: Silence, now: Double, into w: inout JSONWriter) {
        w.object([
            ("id", { $0.string(s.id) }),
            ("status", { w in w.object([("state", { $0.string(s.state(at: now).rawValue) })]) }),
            ("updatedAt", { $0.string(RFC3339.format(s.updatedAt)) }),
            ("comment", { $0.string(s.comment) }),
            ("createdBy", { $0.string(s.createdBy) }),
            ("endsAt", { $0.string(RFC3339.format(s.endsAt)) }),
            ("matchers", { writeMatchers(s.matchers, into: &$0) }),
            ("startsAt", { $0.string(RFC3339.format(s.startsAt)) }),
        ])
    }

    /// Filters of `GET /api/v2/alerts` (each nil-able flag defaults to true, as in Alertmanager).
    public struct AlertFilter: Sendable {
        /// Include active (not muted) alerts.
        public var active = true
        /// Include silenced alerts.
        public var silenced = true
        /// Include inhibited alerts.
        public var inhibited = true
        /// Label matchers every listed alert must satisfy (`filter=`).
        public var matchers: [LabelMatcher] = []
        /// When set, only alerts routed to a receiver whose name fully matches this regex.
        public var receiver: LabelRegex?
        /// All alerts.
        public init() {}
    }

    /// A list of `gettableAlert`: the exporter's firing alerts (resolved ones are not listed,
    /// as Alertmanager lists none past their end) with `status.state` `active` or `suppressed`,
    /// `silencedBy` and `inhibitedBy`.
    public static func alerts(
        _ alerts: [NotifiableAlert], mutes: MuteStatus, receivers: [String: [String]], filter: AlertFilter,
        now: Double
    ) -> [UInt8] {
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.raw("[")
        var first = true
        for a in alerts.sorted(by: AlertOrdering.less) where !a.isResolved(at: now) {
            let silencedBy = mutes.silencedBy[a.fingerprint] ?? []
            let inhibitedBy = mutes.inhibitedBy[a.fingerprint] ?? []
            if !filter.active && silencedBy.isEmpty && inhibitedBy.isEmpty { continue }
            if !filter.silenced && !silencedBy.isEmpty { continue }
            if !filter.inhibited && !inhibitedBy.isEmpty { continue }
            guard filter.matchers.allSatisfy({ $0.matches(a.labels) }) else { continue }
            let names = receivers[a.fingerprint] ?? []
            if let r = filter.receiver, !names.contains(where: { r.matches($0) }) { continue }
            if !first { w.raw(",") }
            first = false
            let suppressed = !silencedBy.isEmpty || !inhibitedBy.isEmpty
            w.object([
                ("annotations", { $0.stringMap(a.annotations) }),
                ("endsAt", { $0.string(RFC3339.format(a.endsAt ?? 0)) }),
                ("fingerprint", { $0.string(a.fingerprint) }),
                (
                    "receivers",
                    { w in
                        w.raw("[")
                        for (i, n) in names.enumerated() {
                            if i > 0 { w.raw(",") }
                            w.object([("name", { $0.string(n) })])
                        }
                        w.raw("]")
                    }
                ),
                ("startsAt", { $0.string(RFC3339.format(a.startsAt)) }),
                (
                    "status",
                    { w in
                        w.object([
                            ("inhibitedBy", { stringList(inhibitedBy, into: &$0) }),
                            ("mutedBy", { stringList([], into: &$0) }),
                            ("silencedBy", { stringList(silencedBy, into: &$0) }),
                            ("state", { $0.string(suppressed ? "suppressed" : "active") }),
                        ])
                    }
                ),
                ("updatedAt", { $0.string(RFC3339.format(now)) }),
                ("generatorURL", { $0.string(a.generatorURL) }),
                ("labels", { $0.stringMap(a.labels) }),
            ])
        }
        w.raw("]")
        return w.bytes
    }

    /// The Alertmanager release whose API v2 this subset follows, reported as
    /// `versionInfo.version`: amtool's version check refuses anything older than 0.16, and the
    /// exporter's own version number (0.x) would read as such.
    public static let emulatedVersion = "0.25.0"

    /// `alertmanagerStatus`: what `amtool config show` and amtool's version check read
    /// (`versionInfo.version` is ``emulatedVersion``, `branch` names the exporter and its
    /// version). `config.original` is empty: the alerting file may hold secrets (URLs with
    /// tokens), and is not echoed.
    public static func status(exporter: String, uptimeSince: Double) -> [UInt8] {
        var w = JSONWriter(escaping: .goEncodingJSON)
        w.object([
            ("cluster", { w in w.object([("status", { $0.string("disabled") }), ("peers", { $0.raw("[]") })]) }),
            ("config", { w in w.object([("original", { $0.string("") })]) }),
            ("uptime", { $0.string(RFC3339.format(uptimeSince)) }),
            (
                "versionInfo",
                { w in
                    w.object([
                        ("branch", { $0.string(exporter) }), ("buildDate", { $0.string("") }),
                        ("buildUser", { $0.string("") }),
                        ("goVersion", { $0.string("") }), ("revision", { $0.string("") }),
                        ("version", { $0.string(emulatedVersion) }),
                    ])
                }
            ),
        ])
        return w.bytes
    }

    private static func stringList(_ list: [String], into w: inout JSONWriter) {
        w.raw("[")
        for (i, s) in list.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(s)
        }
        w.raw("]")
    }
}
