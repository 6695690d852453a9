import Alerting

/// Active silences arranged so that matching one alert checks only the silences that can
/// match it (Alertmanager checks every silence against every alert; at the caps, 1,000
/// silences of 64 matchers against 10,000 alerts, that took seconds per evaluation).
///
/// Each silence with an equality matcher (`name="value"`, value not empty, or a regex that is
/// only literal alternatives, `name=~"a|b"`, as amtool users write) is filed under one of them:
/// the one fewest of the current alerts satisfy, so a silence whose values no alert carries is
/// never checked at all. An alert then looks up its own value of each filed label name and
/// checks only the silences filed under it, plus the silences without such a matcher (other
/// regexes and `!=` only), which every alert checks: those cost silences × alerts × matchers
/// (`scripts/bench-silences.sh`).
struct SilenceIndex {
    /// label name → label value → indices into ``silences``.
    private var filed: [String: [String: [Int]]] = [:]
    /// Silences with no usable equality matcher.
    private var unfiled: [Int] = []
    /// The active silences.
    let silences: [Silence]
    /// Per silence, the order its matchers are tried in: one that rejects an alert moves to
    /// the front, so a silence padded with matchers every alert satisfies costs one check per
    /// alert after the first, not one per matcher.
    private var order: [[Int]]

    /// Indexes `silences` (all active) for matching `alerts`.
    init(_ silences: [Silence], alerts: [NotifiableAlert]) {
        self.silences = silences
        self.order = silences.map { Array($0.matchers.indices) }
        var names = Set<String>()
        for s in silences { for m in s.matchers where m.literalValues != nil { names.insert(m.name) } }
        // How many alerts carry each (name, value) an equality matcher asks for.
        var counts: [String: [String: Int]] = [:]
        for name in names {
            var c: [String: Int] = [:]
            for a in alerts { if let v = a.labels[name] { c[v, default: 0] += 1 } }
            counts[name] = c
        }
        for (i, s) in silences.enumerated() {
            var best: (name: String, values: [String], count: Int)?
            for m in s.matchers {
                guard let values = m.literalValues else { continue }
                let n = values.reduce(0) { $0 + (counts[m.name]?[$1] ?? 0) }
                if best == nil || n < best!.count { best = (m.name, values, n) }
            }
            guard let best else {
                unfiled.append(i)
                continue
            }
            // An alert has one value per name, so it meets the silence under one value at most.
            // No alert carries any of them: the silence matches none of them now.
            for v in best.values where counts[best.name]?[v] != nil {
                filed[best.name, default: [:]][v, default: []].append(i)
            }
        }
    }

    /// The ids of the silences matching `labels`, sorted.
    mutating func matching(_ labels: [String: String]) -> [String] {
        var ids: [String] = []
        for (name, byValue) in filed {
            guard let v = labels[name], let candidates = byValue[v] else { continue }
            for i in candidates where matches(i, labels) { ids.append(silences[i].id) }
        }
        for i in unfiled where matches(i, labels) { ids.append(silences[i].id) }
        return ids.sorted()
    }

    /// Whether silence `i` matches `labels` (all its matchers), trying first the matcher that
    /// last rejected an alert.
    private mutating func matches(_ i: Int, _ labels: [String: String]) -> Bool {
        let matchers = silences[i].matchers
        for (position, m) in order[i].enumerated() where !matchers[m].matches(labels) {
            if position > 0 { order[i].swapAt(0, position) }
            return false
        }
        return true
    }
}
