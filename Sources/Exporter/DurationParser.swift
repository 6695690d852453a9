/// Parses durations the way Prometheus writes them: `15s`, `500ms`, `1m30s`, `2h`, `1d`,
/// or a bare number of seconds (`15`, `0.5`).
public enum DurationParser {
    /// Seconds in `text`, or nil when it is not a duration.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.isEmpty { return nil }
        if let plain = Double(trimmed), plain.isFinite { return plain >= 0 ? plain : nil }
        let units: [(String, Double)] = [
            ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800), ("y", 31_536_000),
        ]
        var total = 0.0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let letters = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.0 == letters }) else { return nil }
            rest = rest.dropFirst(letters.count)
            total += value * unit.1
        }
        // A long run of digits reads as infinity; callers range-check finite values only.
        return total.isFinite ? total : nil
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
