import Foundation

/// Reads sample values out of Prometheus text: `value("celery_redis_queue_length", ["queue": "celery"])`.
struct MetricsText {
    let text: String

    /// The value of the series with exactly these labels, or nil when absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let value = line[line.index(after: space)...]
            let seriesName: Substring
            var seriesLabels: [String: String] = [:]
            if let brace = series.firstIndex(of: "{") {
                seriesName = series[..<brace]
                let inner = series[series.index(after: brace)..<series.index(before: series.endIndex)]
                for pair in inner.split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { continue }
                    seriesLabels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
                }
            } else {
                seriesName = series
            }
            if seriesName == name && seriesLabels == labels { return Double(value) }
        }
        return nil
    }

    /// All series names present.
    var names: Set<String> {
        Set(
            text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
                String(line.prefix { $0 != "{" && $0 != " " })
            })
    }

    /// The text with time-dependent sample values replaced by `<t>`, and the values of
    /// build-dependent labels (`revision`, `swift_version`) by `<build>`, for golden comparison.
    func normalized(timeDependent: Set<String>, buildLabels: [String] = ["revision", "swift_version"]) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " ") else { return String(line) }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            var out = timeDependent.contains(name) ? String(line[..<space]) + " <t>" : String(line)
            for label in buildLabels {
                guard let start = out.range(of: label + "=\""),
                    let end = out[start.upperBound...].firstIndex(of: "\"")
                else { continue }
                out.replaceSubrange(start.upperBound..<end, with: "<build>")
            }
            return out
        }.joined(separator: "\n")
    }
}
