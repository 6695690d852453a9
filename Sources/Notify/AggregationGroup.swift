/// The alerts of one route with one set of group labels, with its flush timer and, per
/// integration, what was last notified (Alertmanager's `aggrGroup` plus its notification log).
struct AggregationGroup: Sendable {
    /// What an integration was last told about this group (Alertmanager's `nflog` entry).
    struct LogEntry: Sendable {
        var firing: Set<String>
        var resolved: Set<String>
        var timestamp: Double
    }

    let route: Route
    let groupKey: String
    let groupLabels: [String: String]
    /// Alerts by fingerprint, resolved ones included until the next flush.
    var alerts: [String: NotifiableAlert] = [:]
    /// When the next flush is due (Unix seconds).
    var nextFlush: Double
    var hasFlushed = false
    var log: [IntegrationID: LogEntry] = [:]

    init(route: Route, groupKey: String, groupLabels: [String: String], nextFlush: Double) {
        self.route = route
        self.groupKey = groupKey
        self.groupLabels = groupLabels
        self.nextFlush = nextFlush
    }

    /// Alertmanager's `DedupStage.needsUpdate`, returning why a notification is needed, or nil.
    static func reasonToNotify(
        entry: LogEntry?, firing: Set<String>, resolved: Set<String>, sendResolved: Bool, repeatInterval: Double,
        now: Double
    ) -> NotificationReason? {
        guard let entry else { return firing.isEmpty ? nil : .firstNotification }
        if !firing.isSubset(of: entry.firing) { return .newAlerts }
        if firing.isEmpty {
            // Alerts that fired and resolved between two flushes were never announced: say nothing.
            return entry.firing.isEmpty ? nil : .allResolved
        }
        if sendResolved && !resolved.isSubset(of: entry.resolved) { return .someResolved }
        return now - entry.timestamp >= repeatInterval ? .repeatInterval : nil
    }
}
