/// Decides which alerts `inhibit_rules` mute, from one full alert list (Alertmanager's
/// `Inhibitor.Mutes`, computed for all alerts at once instead of per call).
///
/// Cost: per rule one pass to index firing sources by their `equal` values, one pass over the
/// targets; O(rules × alerts) matcher checks, no pairwise comparison.
public enum Inhibitor {
    /// For every muted alert's fingerprint, the fingerprints of the firing source alerts that
    /// mute it (sorted). A resolved alert can be muted (its resolve is held back, as in
    /// Alertmanager), but only a firing alert mutes.
    public static func inhibited(
        _ alerts: [NotifiableAlert], rules: [InhibitRule], now: Double
    ) -> [String: [String]] {
        guard !rules.isEmpty else { return [:] }
        var out: [String: Set<String>] = [:]
        for rule in rules {
            var sources: [[String]: [(fingerprint: String, alsoTarget: Bool)]] = [:]
            for a in alerts where !a.isResolved(at: now) && rule.isSource(a.labels) {
                sources[rule.equalKey(a.labels), default: []].append((a.fingerprint, rule.isTarget(a.labels)))
            }
            guard !sources.isEmpty else { continue }
            for a in alerts where rule.isTarget(a.labels) {
                guard let by = sources[rule.equalKey(a.labels)] else { continue }
                // Alertmanager's `excludeTwoSidedMatch`: a target that also matches the source
                // side is not muted by sources that also match the target side, so alerts
                // matching both sides (the alert itself among them) never mute each other.
                let twoSided = rule.isSource(a.labels)
                let muting = by.filter { !(twoSided && $0.alsoTarget) }.map(\.fingerprint)
                if !muting.isEmpty { out[a.fingerprint, default: []].formUnion(muting) }
            }
        }
        return out.mapValues { $0.sorted() }
    }
}
