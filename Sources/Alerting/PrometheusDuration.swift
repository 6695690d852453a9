/// Durations written as Prometheus writes them in rule files (`30s`, `5m`, `1h30m`, `0s`, `2d`).
///
/// Mirrors `model.ParseDuration` from prometheus/common: units `y w d h m s ms`, each at most once,
/// largest first, integer amounts; a bare `0` is allowed. Kept separate from the exporter's flag
/// parser so rule files are read exactly as Prometheus reads them.
public enum PrometheusDuration {
    private static let units: [(suffix: String, seconds: Double)] = [
        ("y", 365 * 86400), ("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1), ("ms", 0.001),
    ]

    /// Parses `text` into seconds; `nil` when it is not a Prometheus duration.
    public static func parse(_ text: String) -> Double? {
        if text == "0" { return 0 }
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        var index = 0
        var total: Double = 0
        var nextUnit = 0  // units must appear in decreasing order, each at most once
        while index < bytes.count {
            var amount: Double = 0
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                amount = amount * 10 + Double(bytes[index] - 0x30)
                index += 1
            }
            if index == start { return nil }
            var unitEnd = index
            while unitEnd < bytes.count, !(bytes[unitEnd] >= 0x30 && bytes[unitEnd] <= 0x39) { unitEnd += 1 }
            let suffix = String(decoding: bytes[index..<unitEnd], as: UTF8.self)
            guard let position = units.firstIndex(where: { $0.suffix == suffix }), position >= nextUnit else {
                return nil
            }
            total += amount * units[position].seconds
            nextUnit = position + 1
            index = unitEnd
        }
        return total
    }

    /// Formats seconds the way Prometheus prints a duration (`1h30m`, `5m`, `0s`, `500ms`).
    public static func format(_ seconds: Double) -> String {
        var ms = Int64((seconds * 1000).rounded())
        if ms == 0 { return "0s" }
        var out = ""
        if ms < 0 {
            out = "-"
            ms = -ms
        }
        let factors: [(String, Int64)] = [
            ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
            ("s", 1000), ("ms", 1),
        ]
        for (suffix, factor) in factors where ms >= factor {
            out += "\(ms / factor)\(suffix)"
            ms %= factor
        }
        return out
    }
}
