import Alerting

/// Numbers with units for the status page (`1.2k`, `3m 12s`, `42 ms`, `12s ago`). The page's
/// script (``StatusAssets/script``) formats live updates with the same rules; the browser test
/// checks that a live-updated page reads like a freshly rendered one.
enum StatusFormatting {
    /// A count: exact below 1,000, else 3 significant digits with k, M, G (`1.2k`, `45.6k`, `789k`).
    static func count(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let magnitude = abs(value)
        if magnitude < 1000 { return trimmed(value, digits: magnitude < 10 && value != value.rounded() ? 1 : 0) }
        let units: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, suffix) in units where magnitude >= scale {
            let scaled = value / scale
            return trimmed(scaled, digits: abs(scaled) < 10 ? 1 : (abs(scaled) < 100 ? 1 : 0)) + suffix
        }
        return trimmed(value, digits: 0)
    }

    /// A duration in seconds, two units at most: `0s`, `45s`, `3m 12s`, `2h 5m`, `3d 4h`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        // Capped below Int's range: an age computed from a forged timestamp (1e300 s) trapped here.
        let total = Int(min(max(0, seconds), maximumSeconds).rounded(.down))
        let d = total / 86400
        let h = total / 3600 % 24
        let m = total / 60 % 60
        let s = total % 60
        if d > 0 { return h > 0 ? "\(d)d \(h)h" : "\(d)d" }
        if h > 0 { return m > 0 ? "\(h)h \(m)m" : "\(h)h" }
        if m > 0 { return s > 0 ? "\(m)m \(s)s" : "\(m)m" }
        return "\(s)s"
    }

    /// Longest duration shown (about 31.7 million years); longer ones read as this.
    static let maximumSeconds = 1e15

    /// A short duration (a poll): `42 ms` below a second, else `1.25 s`.
    static func shortDuration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        if seconds < 1 { return "\(Int((max(0, seconds) * 1000).rounded())) ms" }
        return trimmed(seconds, digits: 2) + " s"
    }

    /// A rate per minute: `0/min`, `3.5/min`, `1.2k/min`.
    static func rate(_ perMinute: Double) -> String {
        guard perMinute.isFinite else { return "–" }
        if perMinute > 0 && perMinute < 10 { return trimmed(perMinute, digits: 1) + "/min" }
        return count(perMinute.rounded()) + "/min"
    }

    /// `time` relative to `now`: `just now`, `12s ago`, `3m 12s ago`, `in 5s`.
    static func relative(_ time: Double, now: Double) -> String {
        let delta = now - time
        if abs(delta) < 1 { return "just now" }
        return delta > 0 ? duration(delta) + " ago" : "in " + duration(-delta)
    }

    /// Machine-readable UTC time for `<time datetime>`: `2026-12-05T10:00:00Z`.
    static func isoTime(_ time: Double) -> String { RFC3339.format(time.rounded(.down)) }

    /// Human-readable UTC time for hover titles: `2026-12-05 10:00:00 UTC`.
    static func absoluteTime(_ time: Double) -> String {
        String(isoTime(time).dropLast().map { $0 == "T" ? " " : $0 }) + " UTC"
    }

    /// `value` with at most `digits` decimals, trailing zeros dropped.
    private static func trimmed(_ value: Double, digits: Int) -> String {
        var factor = 1.0
        for _ in 0..<digits { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        // Past 1e15 a Double holds no fractional digits to trim (and Int64 ends at 9.2e18).
        guard abs(rounded) < 1e15 else { return rounded.isFinite ? String(rounded) : "–" }
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        var text = String(rounded)
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > digits + 1 {
            text = String(text[..<text.index(dot, offsetBy: digits + 1)])
        }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
