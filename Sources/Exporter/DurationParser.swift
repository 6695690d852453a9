/// Parses durations the way Prometheus writes them: `15s`, `500ms`, `1m30s`, `2h`, `1d`, or a
/// bare number of seconds (`15`, `0.5`).
///
/// As Prometheus's `model.ParseDuration`: decimal digits only (no `0x10`, `1e2`, signs), units
/// largest first and each at most once (`1h30m`, not `30m1h` or `1s1s`). Unlike it, a number may
/// have a fractional part (`0.5s`, `1.5h`) and a bare number is seconds.
public enum DurationParser {
    /// The units, largest first: the order they must appear in.
    static let units: [(String, Double)] = [
        ("y", 31_536_000), ("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001),
    ]

    /// Seconds in `text`, or nil when it is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = Substring(text.trimmingASCIIWhitespace())
        if trimmed.isEmpty { return nil }
        var rest = trimmed
        if let plain = number(&rest), rest.isEmpty { return plain.isFinite ? plain : nil }
        rest = trimmed
        var total = 0.0
        var nextUnit = 0
        while !rest.isEmpty {
            guard let value = number(&rest) else { return nil }
            let letters = rest.prefix { $0.isASCII && $0.isLetter }
            guard let index = units.firstIndex(where: { $0.0 == letters }), index >= nextUnit else { return nil }
            rest = rest.dropFirst(letters.count)
            total += value * units[index].1
            nextUnit = index + 1
        }
        // A long run of digits reads as infinity; callers range-check finite values only.
        return total.isFinite ? total : nil
    }

    /// Reads `digits[.digits]` (ASCII digits only) from the front of `rest`; nil (and `rest`
    /// unspecified) when there is none.
    private static func number(_ rest: inout Substring) -> Double? {
        let isDigit: (Character) -> Bool = { $0.isASCII && $0.isNumber }
        let whole = rest.prefix(while: isDigit)
        guard !whole.isEmpty else { return nil }
        rest = rest.dropFirst(whole.count)
        var text = String(whole)
        if rest.first == "." {
            let fraction = rest.dropFirst().prefix(while: isDigit)
            guard !fraction.isEmpty else { return nil }
            text += "." + fraction
            rest = rest.dropFirst(1 + fraction.count)
        }
        return Double(text)
    }

    /// Formats seconds compactly for help and log text (`15s`, `1m`, `1h`, `1d`, `500ms`).
    public static func format(_ seconds: Double) -> String {
        // Int() traps outside its range: anything that large (or negative, or not finite) is shown as is.
        guard seconds.isFinite, seconds >= 0, seconds < 1e15 else { return "\(seconds)s" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        let whole = Int(seconds)
        if Double(whole) != seconds { return "\(seconds)s" }
        for (suffix, size) in [("d", 86_400), ("h", 3600), ("m", 60)] where whole % size == 0 {
            return "\(whole / size)\(suffix)"
        }
        return "\(whole)s"
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
