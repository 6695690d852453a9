/// Formats Unix seconds as Go's `time.RFC3339Nano` in UTC (`2026-11-25T18:00:00.5Z`: fraction only
/// when non-zero, trailing zeros dropped), which is how Prometheus's JSON renders `time.Time`.
public enum RFC3339 {
    /// The seconds `format` writes as they are: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    /// Outside it a time is clamped to the nearer end, and a NaN is written as the first (Go's
    /// zero time), so a damaged stored time can never trap the conversion to `Int64`.
    public static let representable: ClosedRange<Double> = -62_135_596_800...253_402_300_799

    /// The UTC timestamp text for `seconds` since the Unix epoch.
    public static func format(_ seconds: Double) -> String {
        let seconds =
            seconds.isNaN
            ? representable.lowerBound : min(max(seconds, representable.lowerBound), representable.upperBound)
        var whole = Int64(seconds.rounded(.down))
        // Microseconds: a Double of today's Unix time holds no more, and finer digits would be float noise.
        var nanos = Int64(((seconds - Double(whole)) * 1e6).rounded()) * 1000
        if nanos >= 1_000_000_000 {
            whole += 1
            nanos -= 1_000_000_000
        }
        let days = whole >= 0 ? whole / 86400 : (whole - 86399) / 86400
        let secondOfDay = whole - days * 86400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
        text += "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if nanos > 0 {
            var fraction = pad(nanos, 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }
}
