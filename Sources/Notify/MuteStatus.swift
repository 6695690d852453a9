/// Which alerts are muted now, and by what (the `status` of Alertmanager's API v2 alerts):
/// silences that match them and firing alerts that inhibit them.
public struct MuteStatus: Sendable, Equatable {
    /// Per muted fingerprint, the ids of the active silences matching it (sorted).
    public var silencedBy: [String: [String]] = [:]
    /// Per muted fingerprint, the fingerprints of the firing alerts inhibiting it (sorted).
    public var inhibitedBy: [String: [String]] = [:]
    /// The earliest future time a silence starts or ends (the status must be made again
    /// then), nil when none will.
    public var nextChange: Double?

    /// Nothing muted.
    public init() {}

    /// Every muted fingerprint.
    public var muted: Set<String> { Set(silencedBy.keys).union(inhibitedBy.keys) }

    /// The status of `alerts` at `now` under `rules` and `silences`.
    public static func compute(
        alerts: [NotifiableAlert], rules: [InhibitRule], silences: [Silence], now: Double
    ) -> MuteStatus {
        var cache = SilenceMatchCache()
        return compute(alerts: alerts, rules: rules, silences: silences, now: now, cache: &cache)
    }

    /// The same, reusing (and updating) what `cache` knows of earlier computations.
    public static func compute(
        alerts: [NotifiableAlert], rules: [InhibitRule], silences: [Silence], now: Double,
        cache: inout SilenceMatchCache
    ) -> MuteStatus {
        var status = MuteStatus()
        status.inhibitedBy = Inhibitor.inhibited(alerts, rules: rules, now: now)
        var active: [Silence] = []
        for s in silences {
            switch s.state(at: now) {
            case .active:
                active.append(s)
                status.nextChange = min(status.nextChange ?? s.endsAt, s.endsAt)
            case .pending:
                status.nextChange = min(status.nextChange ?? s.startsAt, s.startsAt)
            case .expired: break
            }
        }
        guard !active.isEmpty else {
            cache = SilenceMatchCache()
            return status
        }
        status.silencedBy = cache.silencedBy(alerts, active: active)
        return status
    }
}
