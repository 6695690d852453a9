import Exposition

/// The exporter's own recent samples of the series that the loaded rules' range selectors
/// (`rate(m[5m])`) reference, so range functions work without a Prometheus server: one sample
/// per series per evaluation (after every poll), kept for the longest range any rule uses.
///
/// Bounded twice: ranges are at most ``maximumRange`` (the parser rejects longer ones), and the
/// estimated bytes held are at most `byteLimit`. Past the byte limit the least recently seen
/// series give way (a series that vanished first; among series still present, the newest), and
/// each eviction is counted: its range functions then return nothing for it until it has two
/// samples again, which ``metricFamilies()`` makes visible.
struct SeriesHistory {
    /// The longest range a rule may use: an hour of samples at any poll interval.
    static let maximumRange: Double = 3600
    /// The default byte limit: about 2,600 series of 240 samples (1 h at 15 s), 4,400 of 120.
    static let defaultByteLimit = 16 << 20
    /// Estimated fixed cost of one series besides its samples and label text (its entry and key
    /// in the table, the label dictionary, array and allocation headers). Measured with
    /// scripts/measure-rule-history.sh: 2,000 series of 13 samples took 1,421 bytes each in RSS.
    static let seriesOverheadBytes = 1024
    /// Estimated cost of one label besides its name and value bytes.
    static let labelOverheadBytes = 48

    /// The series of one selector, recorded.
    struct Series {
        var labels: [String: String]
        /// Oldest first; `samples[start...]` are live, the prefix is trimmed lazily.
        var samples: [HistorySample] = []
        var start = 0
        var firstSeen: Int64
        var lastSeen: Int64
        let labelBytes: Int

        var live: ArraySlice<HistorySample> { samples[start...] }
        /// The sample buffer counts by capacity, plus a quarter for the allocator's slack (the buffer
        /// doubles as it grows; measured: 200 series of 427 samples took 10.8 KB each in RSS).
        var bytes: Int {
            SeriesHistory.seriesOverheadBytes + labelBytes + samples.capacity * HistorySample.bytes * 5 / 4
        }
    }

    let byteLimit: Int
    /// The selectors whose series are recorded, and the longest range among them (ms).
    private(set) var selectors: [VectorSelector] = []
    private(set) var retention: Int64 = 0
    private var series: [String: Series] = [:]
    private(set) var bytes = 0
    private(set) var evictedSeries: UInt64 = 0

    init(byteLimit: Int = SeriesHistory.defaultByteLimit) {
        self.byteLimit = max(byteLimit, 0)
    }

    /// Records the series the rules use (call with every rule's ``Expression/matrixSelectors``,
    /// again after a reload); series no selector matches any more are dropped at the next record.
    mutating func use(_ matrices: [MatrixSelector]) {
        var unique: [VectorSelector] = []
        for m in matrices where !unique.contains(m.selector) { unique.append(m.selector) }
        selectors = unique
        retention = Int64(((matrices.map(\.range).max() ?? 0) * 1000).rounded())
    }

    var seriesCount: Int { series.count }
    var sampleCount: Int { series.values.reduce(0) { $0 + $1.samples.count - $1.start } }

    /// Appends the current value of every series a selector matches at `time` (ms), forgets samples
    /// older than the retention, and evicts past the byte limit.
    mutating func record(_ current: [VectorElement], time: Int64) {
        guard !selectors.isEmpty else {
            series = [:]
            bytes = 0
            return
        }
        let oldest = time - retention
        for element in current where selectors.contains(where: { $0.matches(element.labels) }) {
            let key = SeriesHistory.key(element.labels)
            if series[key] == nil {
                let labelBytes = element.labels.reduce(0) {
                    $0 + $1.key.utf8.count + $1.value.utf8.count + SeriesHistory.labelOverheadBytes
                }
                series[key] = Series(labels: element.labels, firstSeen: time, lastSeen: time, labelBytes: labelBytes)
            }
            series[key]!.lastSeen = time
            // Two results for one series at one time (a duplicate in the input) keep the last.
            if let last = series[key]!.samples.last, last.time >= time {
                series[key]!.samples[series[key]!.samples.count - 1].value = element.value
            } else {
                series[key]!.samples.append(HistorySample(time: time, value: element.value))
            }
        }
        var total = 0
        for key in Array(series.keys) {
            guard let lastSeen = series[key]?.lastSeen, lastSeen >= oldest, let labels = series[key]?.labels,
                selectors.contains(where: { $0.matches(labels) })
            else {
                series[key] = nil
                continue
            }
            // Mutated in place through the dictionary, so the sample buffer is never copied.
            let count = series[key]!.samples.count
            while series[key]!.start < count, series[key]!.samples[series[key]!.start].time < oldest {
                series[key]!.start += 1
            }
            let start = series[key]!.start
            if start > 0 && start * 2 >= count {
                series[key]!.samples.removeFirst(start)
                series[key]!.start = 0
            }
            total += series[key]!.bytes
        }
        bytes = total
        if bytes > byteLimit { evict() }
    }

    private mutating func evict() {
        // Least recently seen first; among equally recent ones, the newest series gives way, so
        // the series whose history is already long keep it.
        let order = series.sorted {
            ($0.value.lastSeen, -$0.value.firstSeen, $0.key) < ($1.value.lastSeen, -$1.value.firstSeen, $1.key)
        }
        for (key, entry) in order where bytes > byteLimit {
            series[key] = nil
            bytes -= entry.bytes
            evictedSeries += 1
        }
    }

    /// The recorded series a selector matches, each with its samples in `[start, end]` (ms), only
    /// those with at least one; in a stable order (by label key).
    func window(_ selector: VectorSelector, start: Int64, end: Int64)
        -> [(labels: [String: String], samples: ArraySlice<HistorySample>)]
    {
        var out: [(key: String, labels: [String: String], samples: ArraySlice<HistorySample>)] = []
        for (key, entry) in series where selector.matches(entry.labels) {
            let live = entry.live
            guard let lower = live.firstIndex(where: { $0.time >= start }) else { continue }
            var upper = live.endIndex
            while upper > lower, live[upper - 1].time > end { upper -= 1 }
            if upper > lower { out.append((key, entry.labels, live[lower..<upper])) }
        }
        return out.sorted { $0.key < $1.key }.map { ($0.labels, $0.samples) }
    }

    /// One text per label set: name U+00FF value, joined by U+00FE (so keys sort by label set as
    /// before). Values come from Redis (queue and task names) and may hold those characters, so
    /// U+00FD, U+00FE and U+00FF inside a name or value are escaped with a U+00FD: unescaped,
    /// `{a="x\u{fe}b\u{ff}y"}` and `{a="x", b="y"}` shared one series.
    static func key(_ labels: [String: String]) -> String {
        func escaped(_ text: String) -> String {
            guard text.unicodeScalars.contains(where: { (0xFD...0xFF).contains($0.value) }) else { return text }
            var out = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                if (0xFD...0xFF).contains(scalar.value) { out.append("\u{fd}") }
                out.append(scalar)
            }
            return String(out)
        }
        return labels.sorted { $0.key < $1.key }.map { escaped($0.key) + "\u{ff}" + escaped($0.value) }
            .joined(separator: "\u{fe}")
    }

    /// What the history holds, for the exporter's own metrics.
    func metricFamilies() -> [MetricFamily] {
        [
            MetricFamily(.ruleHistorySeries, value: Double(seriesCount)),
            MetricFamily(.ruleHistorySamples, value: Double(sampleCount)),
            MetricFamily(.ruleHistoryBytes, value: Double(bytes)),
            MetricFamily(.ruleHistoryLimitBytes, value: Double(byteLimit)),
            MetricFamily(.ruleHistoryRetentionSeconds, value: Double(retention) / 1000),
            MetricFamily(.ruleHistorySeriesEvicted, value: Double(evictedSeries)),
        ]
    }
}

extension VectorSelector {
    /// Whether a series' labels satisfy every matcher (a missing label matches as "").
    func matches(_ labels: [String: String]) -> Bool {
        matchers.allSatisfy { $0.matches(labels) }
    }
}
