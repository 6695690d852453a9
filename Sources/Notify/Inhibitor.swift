/// Decides which alerts `inhibit_rules` mute, from one full alert list (Alertmanager's
/// `Inhibitor.Mutes`, computed for all alerts at once instead of per call).
///
/// Cost: per rule one pass to index firing sources by their `equal` values, one pass over the
/// targets; O(rules × alerts) matcher checks, no pairwise comparison, and one source kept per
/// muted alert (the table is O(alerts), not sources × targets).
public enum Inhibitor {
    /// For every muted alert's fingerprint, the firing source alert that mutes it, as a
    /// one-element list: the smallest muting fingerprint over all rules. Alertmanager records
    /// the first source it finds, too; keeping every one grew as sources × targets (10,000
    /// sources muting 10,000 targets was 10^8 entries). A resolved alert can be muted (its
    /// resolve is held back, as in Alertmanager), but only a firing alert mutes.
    public static func inhibited(
        _ alerts: [NotifiableAlert], rules: [InhibitRule], now: Double
    ) -> [String: [String]] {
        guard !rules.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for rule in rules {
            // Per `equal` value: the smallest source fingerprint, and the smallest among sources
            // that do not also match the target side.
            var sources: [[String]: (any: String, sourceOnly: String?)] = [:]
            for a in alerts where !a.isResolved(at: now) && rule.isSource(a.labels) {
                let key = rule.equalKey(a.labels)
                let sourceOnly = rule.isTarget(a.labels) ? nil : a.fingerprint
                if let known = sources[key] {
                    sources[key] = (
                        min(known.any, a.fingerprint), [known.sourceOnly, sourceOnly].compactMap { $0 }.min()
                    )
                } else {
                    sources[key] = (a.fingerprint, sourceOnly)
                }
            }
            guard !sources.isEmpty else { continue }
            for a in alerts where rule.isTarget(a.labels) {
                guard let by = sources[rule.equalKey(a.labels)] else { continue }
                // Alertmanager's `excludeTwoSidedMatch`: a target that also matches the source
                // side is not muted by sources that also match the target side, so alerts
                // matching both sides (the alert itself among them) never mute each other.
                guard let muting = rule.isSource(a.labels) ? by.sourceOnly : by.any else { continue }
                out[a.fingerprint] = out[a.fingerprint].map { min($0, muting) } ?? muting
            }
        }
        return out.mapValues { [$0] }
    }
}
