/// Durations written as Prometheus writes them in rule files (`30s`, `5m`, `1h30m`, `0s`, `2d`).
///
/// Mirrors `model.ParseDuration` from prometheus/common: units `y w d h m s ms`, each at most once,
/// largest first, integer amounts; a bare `0` is allowed. Kept separate from the exporter's flag
/// parser so rule files are read exactly as Prometheus reads them.
public enum PrometheusDuration {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
        ("s", 1000), ("ms", 1),
    ]

    /// Parses `text` into seconds; `nil` when it is not a Prometheus duration, or when it does not fit
    /// in 64-bit milliseconds (about 292 million years), which Prometheus rejects as out of range too.
    public static func parse(_ text: String) -> Double? {
        if text == "0" { return 0 }
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return nil }
        var index = 0
        var total: Int64 = 0
        var nextUnit = 0  // units must appear in decreasing order, each at most once
        while index < bytes.count {
            var amount: Int64 = 0
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (times10, o1) = amount.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(bytes[index] - 0x30))
                if o1 || o2 { return nil }
                amount = sum
                index += 1
            }
            if index == start { return nil }
            var unitEnd = index
            while unitEnd < bytes.count, !(bytes[unitEnd] >= 0x30 && bytes[unitEnd] <= 0x39) { unitEnd += 1 }
            let suffix = String(decoding: bytes[index..<unitEnd], as: UTF8.self)
            guard let position = units.firstIndex(where: { $0.suffix == suffix }), position >= nextUnit else {
                return nil
            }
            let (part, o1) = amount.multipliedReportingOverflow(by: units[position].milliseconds)
            let (sum, o2) = total.addingReportingOverflow(part)
            if o1 || o2 { return nil }
            total = sum
            nextUnit = position + 1
            index = unitEnd
        }
        return Double(total) / 1000
    }

    /// Formats seconds the way Prometheus prints a duration (`1h30m`, `5m`, `0s`, `500ms`).
    public static func format(_ seconds: Double) -> String {
        let scaled = (seconds * 1000).rounded()
        // Out of Int64's range (or NaN) cannot come from parse(); say so instead of trapping.
        guard scaled.magnitude < 0x1p63 else { return scaled.isNaN ? "NaN" : (scaled < 0 ? "-" : "") + "Inf" }
        var ms = Int64(scaled)
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
