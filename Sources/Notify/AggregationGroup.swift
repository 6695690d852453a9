/// The alerts of one route with one set of group labels, with its flush timer and, per
/// integration, what was last delivered (Alertmanager's `aggrGroup` plus its notification log).
struct AggregationGroup: Sendable {
    /// What an integration was last told about this group (Alertmanager's `nflog` entry),
    /// written only when a notification was delivered.
    struct LogEntry: Sendable, Equatable {
        var firing: Set<String>
        var resolved: Set<String>
        var timestamp: Double
    }

    /// One route, shared by all its groups: a group holds 8 bytes for it, not a ~120-byte copy
    /// (24,000 groups with 1200 alerts on 20 routes).
    final class SharedRoute: Sendable {
        let route: Route
        init(_ route: Route) { self.route = route }
    }

    private let shared: SharedRoute
    /// The group's route.
    var route: Route { shared.route }
    let groupLabels: [String: String]
    /// Alerts by fingerprint; resolved ones stay while a resolve is owed.
    var alerts = AlertTable()
    /// When the next flush is due (Unix seconds).
    var nextFlush: Double
    var hasFlushed = false
    var log: [IntegrationID: LogEntry] = [:]
    /// Per integration, fingerprints it may have been told fire: an attempt announcing them
    /// got no answer (`unknown`), so the receiver may have them open. Their resolve is owed
    /// like one the log records; an entry ends when a delivered notification covers it. Kept
    /// apart from ``log``, which records only what was surely delivered.
    var maybeTold: [IntegrationID: Set<String>] = [:]
    /// The integrations of the route's receiver that send resolved alerts.
    var sendsResolved: Set<IntegrationID>

    init(
        route: SharedRoute, groupLabels: [String: String], nextFlush: Double,
        sendsResolved: Set<IntegrationID>
    ) {
        self.shared = route
        self.groupLabels = groupLabels
        self.nextFlush = nextFlush
        self.sendsResolved = sendsResolved
    }

    /// True when an integration that sends resolved alerts was (or may have been) told
    /// `fingerprint` fires and has not been told it resolved.
    func isOwed(_ fingerprint: String) -> Bool {
        sendsResolved.contains {
            (log[$0]?.firing.contains(fingerprint) ?? false) || (maybeTold[$0]?.contains(fingerprint) ?? false)
        }
    }

    /// The group key within a dispatcher group id (`{route id}\0{group key}`): the group keeps
    /// only its id, not a second copy of the key (24,000 groups with 1200 alerts on 20 routes).
    static func groupKey(ofGroupID id: String) -> Substring? {
        guard let cut = id.firstIndex(of: "\u{0}") else { return nil }
        return id[id.index(after: cut)...]
    }

    /// Drops resolved alerts nobody is owed a resolve for.
    mutating func prune(now: Double) {
        let drop = alerts.values.filter { $0.isResolved(at: now) && !isOwed($0.fingerprint) }.map(\.fingerprint)
        for fp in drop { alerts[fp] = nil }  // in place: most flushes drop nothing
        if !maybeTold.isEmpty {
            // An alert that left the group owes nothing more.
            maybeTold = maybeTold.compactMapValues { fps in
                let kept = fps.filter { alerts[$0] != nil }
                return kept.isEmpty ? nil : kept
            }
        }
    }

    /// Alertmanager's `DedupStage.needsUpdate`, returning why a notification is needed, or nil.
    /// `maybeFiring` (see ``maybeTold``) makes the resolve of those alerts owed although the
    /// log never recorded them firing.
    static func reasonToNotify(
        entry: LogEntry?, maybeFiring: Set<String> = [], firing: Set<String>, resolved: Set<String>,
        sendResolved: Bool, repeatInterval: Double, now: Double
    ) -> NotificationReason? {
        // The receiver may have these open (an attempt announcing them got no answer).
        let maybeOpen = sendResolved && !maybeFiring.isDisjoint(with: resolved)
        guard let entry else { return !firing.isEmpty ? .firstNotification : maybeOpen ? .allResolved : nil }
        if !firing.isSubset(of: entry.firing) { return .newAlerts }
        if firing.isEmpty {
            // Alerts that fired and resolved between two deliveries were never announced: say nothing.
            return entry.firing.isEmpty && !maybeOpen ? nil : .allResolved
        }
        if maybeOpen { return .someResolved }
        if sendResolved && !resolved.isSubset(of: entry.resolved) {
            // Only resolves of alerts the integration was told about are news.
            if !resolved.intersection(entry.firing).isEmpty { return .someResolved }
        }
        return now - entry.timestamp >= repeatInterval ? .repeatInterval : nil
    }
}
