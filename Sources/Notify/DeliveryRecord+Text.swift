import Alerting

/// The storage format of ``DeliveryRecord``: a header line, then one line per rule-alert
/// activity (`R`), group (`G`), alert (`A`, belonging to the group above), log entry (`L`) and
/// maybe-told entry (`M`, also of the group above), fields separated by tabs,
/// text percent-escaped (`%`, tab, CR, LF, NUL, `,`, `=`), maps as `k=v,k=v`, sets as `a,b`.
/// Line-based and versioned, so a foreign or truncated file is recognised and rejected whole.
extension DeliveryRecord {
    /// The first line of every file.
    static let header = "celery-redis-exporter delivery-record v1"

    /// The file's text.
    func encoded() -> String {
        var out = Self.header + "\n"
        for fp in activity.keys.sorted() {
            let a = activity[fp]!
            out += field(["R", fp, num(a.activeAt), a.firedAt.map(num) ?? "-"])
        }
        for g in groups {
            out += field(["G", g.id, g.groupKey, map(g.groupLabels), num(g.nextFlush), g.hasFlushed ? "1" : "0"])
            for a in g.alerts {
                out += field([
                    "A", a.fingerprint, num(a.startsAt), a.endsAt.map(num) ?? "-", map(a.labels), map(a.annotations),
                    a.generatorURL,
                ])
            }
            for e in g.log {
                out += field([
                    "L", e.integration.receiver, e.integration.kind.rawValue, String(e.integration.index),
                    num(e.timestamp), set(e.firing), set(e.resolved),
                ])
            }
            for m in g.maybeTold {
                out += field([
                    "M", m.integration.receiver, m.integration.kind.rawValue, String(m.integration.index),
                    set(m.firing),
                ])
            }
        }
        return out + "end\n"
    }

    /// Parses a file's text; the error says what is wrong (never quoting content).
    static func decode(_ text: String) throws(DeliveryRecordError) -> DeliveryRecord {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == header else { throw .unknownHeader }
        guard lines.count >= 2, lines.removeLast() == "", lines.last == "end" else {
            throw .truncated
        }
        var groups: [Group] = []
        var activity: [String: AlertActivity] = [:]
        for (i, line) in lines.dropFirst().dropLast().enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map { unescape(String($0)) }
            let bad = DeliveryRecordError.malformedLine(line: i + 2)
            switch (f.first, f.count) {
            case ("G", 6):
                guard let next = time(f[4]), let labels = unmap(f[3]) else { throw bad }
                groups.append(
                    Group(
                        id: f[1], groupKey: f[2], groupLabels: labels, nextFlush: next, hasFlushed: f[5] == "1",
                        alerts: [], log: []))
            case ("A", 7):
                guard !groups.isEmpty, let starts = time(f[2]), let labels = unmap(f[4]),
                    let annotations = unmap(f[5])
                else { throw bad }
                let ends: Double? = f[3] == "-" ? nil : time(f[3])
                if f[3] != "-" && ends == nil { throw bad }
                groups[groups.count - 1].alerts.append(
                    NotifiableAlert(
                        labels: labels, annotations: annotations, startsAt: starts, endsAt: ends, fingerprint: f[1],
                        generatorURL: f[6]))
            case ("L", 7):
                guard !groups.isEmpty, let kind = IntegrationID.Kind(rawValue: f[2]), let index = Int(f[3]),
                    let ts = time(f[4])
                else { throw bad }
                groups[groups.count - 1].log.append(
                    Entry(
                        integration: IntegrationID(receiver: f[1], kind: kind, index: index), firing: unset(f[5]),
                        resolved: unset(f[6]), timestamp: ts))
            case ("M", 5):
                guard !groups.isEmpty, let kind = IntegrationID.Kind(rawValue: f[2]), let index = Int(f[3]) else {
                    throw bad
                }
                groups[groups.count - 1].maybeTold.append(
                    Maybe(integration: IntegrationID(receiver: f[1], kind: kind, index: index), firing: unset(f[4])))
            case ("R", 4):
                guard let active = time(f[2]) else { throw bad }
                let fired: Double? = f[3] == "-" ? nil : time(f[3])
                if f[3] != "-" && fired == nil { throw bad }
                activity[f[1]] = AlertActivity(activeAt: active, firedAt: fired)
            default:
                throw bad
            }
        }
        return DeliveryRecord(groups: groups, activity: activity)
    }

    /// The largest magnitude a stored time (Unix seconds) may have: about the year 5138. A file
    /// edited by hand or damaged with `nan`, `inf` or `-1e300` there trapped converting the time
    /// to a date, and a `nan` flush time spun the flush thread; such a line is malformed.
    static let maximumTimeMagnitude = 1e11

    /// A stored time: a finite number of seconds within ``maximumTimeMagnitude``, else nil.
    private static func time(_ text: String) -> Double? {
        guard let t = Double(text), t.isFinite, t.magnitude <= maximumTimeMagnitude else { return nil }
        return t
    }

    private func num(_ v: Double) -> String { String(v) }
    private func field(_ parts: [String]) -> String { parts.map(Self.escape).joined(separator: "\t") + "\n" }
    private func map(_ m: [String: String]) -> String {
        m.keys.sorted().map { Self.escapeItem($0) + "=" + Self.escapeItem(m[$0]!) }.joined(separator: ",")
    }
    private func set(_ s: Set<String>) -> String { s.sorted().map(Self.escapeItem).joined(separator: ",") }

    /// Items of maps and sets escape their separators; the whole field is escaped again, so
    /// `%` round-trips through both layers.
    private static func escapeItem(_ s: String) -> String { escape(s, extra: [",", "="]) }

    private static func escape(_ s: String) -> String { escape(s, extra: []) }

    private static func escape(_ s: String, extra: Set<Character>) -> String {
        var out = ""
        for c in s {
            if c == "%" || c == "\t" || c == "\n" || c == "\r" || c == "\u{0}" || extra.contains(c) {
                for b in String(c).utf8 { out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }
            } else {
                out.append(c)
            }
        }
        return out
    }

    private static func unescape(_ s: String) -> String {
        guard s.contains("%") else { return s }
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%"), it.count >= 2,
                let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func unmap(_ s: String) -> [String: String]? {
        if s.isEmpty { return [:] }
        var out: [String: String] = [:]
        for item in s.split(separator: ",", omittingEmptySubsequences: false) {
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2 else { return nil }
            out[unescape(String(kv[0]))] = unescape(String(kv[1]))
        }
        return out
    }

    private static func unset(_ s: String) -> Set<String> {
        s.isEmpty ? [] : Set(s.split(separator: ",").map { unescape(String($0)) })
    }
}
