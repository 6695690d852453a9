import Alerting

/// Which silences matched which alert, kept from one mute computation to the next: alerts and
/// silences rarely change between polls, and matching them again is what costs (at the caps,
/// with regexes the index cannot narrow, seconds; `scripts/bench-silences.sh`).
///
/// Valid while the active silences are the same (ids and matchers; a silence that starts,
/// ends, or is changed empties it). An alert is known by its fingerprint, the hash of its
/// labels; entries of alerts no longer listed are dropped, so the cache holds at most one
/// entry per current alert.
public struct SilenceMatchCache: Sendable {
    private var silences: [String: [LabelMatcher]] = [:]
    private var byAlert: [String: [String]] = [:]

    /// An empty cache.
    public init() {}

    /// Per fingerprint of `alerts`, the ids of the `active` silences matching it (sorted);
    /// alerts no silence matches are left out.
    mutating func silencedBy(_ alerts: [NotifiableAlert], active: [Silence]) -> [String: [String]] {
        var current: [String: [LabelMatcher]] = [:]
        for s in active { current[s.id] = s.matchers }
        if current != silences {
            silences = current
            byAlert = [:]
        }
        var known: [String: [String]] = [:]
        var unknown: [NotifiableAlert] = []
        for a in alerts {
            if let ids = byAlert[a.fingerprint] { known[a.fingerprint] = ids } else { unknown.append(a) }
        }
        if !unknown.isEmpty {
            var index = SilenceIndex(active, alerts: unknown)
            for a in unknown { known[a.fingerprint] = index.matching(a.labels) }
        }
        byAlert = known
        return known.filter { !$0.value.isEmpty }
    }
}
