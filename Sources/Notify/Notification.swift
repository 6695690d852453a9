/// One notification for one integration: a group's alerts at the moment it was flushed.
///
/// The ``id`` is created once, when the dispatcher makes the notification (derived from its
/// content, see ``Dispatcher/contentID(integration:groupID:alerts:firing:)``), and sent as
/// Standard Webhooks' `webhook-id` on every attempt, so a receiver can drop duplicates when a
/// retry follows a lost response, or when two replicas send the same notification.
///
/// An immutable class, not a struct: with 1200 alerts on 20 routes, 24,000 of these are
/// pending at once and move through dictionaries (a scheduler's slots, a flush's results); a
/// reference keeps each such entry at 8 bytes instead of ~140 (the tables' spare capacity
/// was ~13 MB of RSS). Equality is by value.
public final class Notification: Sendable, Equatable {
    /// The id of this notification (`msg_` + 32 hex digits), stable across retries.
    public var id: String { compactID.text }
    private let compactID: NotificationID
    /// Where it goes.
    public let integration: IntegrationID
    /// Alertmanager's group key: `{route key}:{group labels}`. Read from ``groupID`` (which
    /// ends with it) when it can be, so 24,000 pending notifications do not hold a second copy.
    public var groupKey: String {
        explicitGroupKey ?? String(AggregationGroup.groupKey(ofGroupID: groupID) ?? Substring(groupID))
    }
    /// The group key when ``groupID`` does not end with it.
    private let explicitGroupKey: String?
    /// The labels the group is keyed on.
    public let groupLabels: [String: String]
    /// The alerts, sorted as Alertmanager sorts them (job, instance, then label sets); resolved
    /// ones are present only when the integration sends resolved alerts.
    public let alerts: [NotifiableAlert]
    /// When the group was flushed (Unix seconds); an alert's status is judged at this time.
    public let createdAt: Double
    /// Why it was sent.
    public let reason: NotificationReason
    /// The dispatcher's id of the group (route id and group key), which keys delivery state.
    public let groupID: String
    /// Fingerprints of the group's firing alerts at ``createdAt`` (what the notification log
    /// records on delivery).
    public let firingFingerprints: Set<String>
    /// Fingerprints of the group's resolved alerts at ``createdAt``, also those not sent
    /// because the integration does not send resolved alerts.
    public let resolvedFingerprints: Set<String>

    /// Creates a notification; `groupID` defaults to `groupKey`, the fingerprint sets to what
    /// `alerts` says at `createdAt`.
    public init(
        id: String, integration: IntegrationID, groupKey: String, groupLabels: [String: String],
        alerts: [NotifiableAlert], createdAt: Double, reason: NotificationReason, groupID: String? = nil,
        firingFingerprints: Set<String>? = nil, resolvedFingerprints: Set<String>? = nil
    ) {
        self.groupID = groupID ?? groupKey
        self.firingFingerprints =
            firingFingerprints ?? Set(alerts.filter { !$0.isResolved(at: createdAt) }.map(\.fingerprint))
        self.resolvedFingerprints =
            resolvedFingerprints ?? Set(alerts.filter { $0.isResolved(at: createdAt) }.map(\.fingerprint))
        self.compactID = NotificationID(id)
        self.integration = integration
        self.explicitGroupKey =
            AggregationGroup.groupKey(ofGroupID: self.groupID) == Substring(groupKey) ? nil : groupKey
        self.groupLabels = groupLabels
        self.alerts = alerts
        self.createdAt = createdAt
        self.reason = reason
    }

    /// Equal when every field is equal.
    public static func == (a: Notification, b: Notification) -> Bool {
        a === b
            || (a.id == b.id && a.integration == b.integration && a.groupKey == b.groupKey
                && a.groupLabels == b.groupLabels && a.alerts == b.alerts && a.createdAt == b.createdAt
                && a.reason == b.reason && a.groupID == b.groupID && a.firingFingerprints == b.firingFingerprints
                && a.resolvedFingerprints == b.resolvedFingerprints)
    }

    /// The receiver's name.
    public var receiver: String { integration.receiver }

    /// The alerts still firing at ``createdAt``.
    public var firingAlerts: [NotifiableAlert] { alerts.filter { !$0.isResolved(at: createdAt) } }

    /// `firing` when any alert fires, else `resolved` (Alertmanager's group status).
    public var status: String { firingAlerts.isEmpty ? "resolved" : "firing" }
}

extension Notification {
    /// True when `other` tells the receiver the same thing: the same firing and resolved
    /// alerts. A flush that produces the same content keeps the pending notification (and its
    /// `webhook-id`), so a receiver can deduplicate a retry after an unknown outcome.
    func sameContent(as other: Notification) -> Bool {
        firingFingerprints == other.firingFingerprints && resolvedFingerprints == other.resolvedFingerprints
            && alerts.count == other.alerts.count
    }

    /// An estimate of the bytes this notification holds (strings plus per-entry overhead), the
    /// unit of the delivery byte budget.
    var estimatedBytes: Int {
        var total = 256 + groupKey.utf8.count + groupID.utf8.count + 64 * groupLabels.count
        for (k, v) in groupLabels { total += k.utf8.count + v.utf8.count }
        for a in alerts {
            total += 192 + a.fingerprint.utf8.count + a.generatorURL.utf8.count
            for (k, v) in a.labels { total += 64 + k.utf8.count + v.utf8.count }
            for (k, v) in a.annotations { total += 64 + k.utf8.count + v.utf8.count }
        }
        total += 48 * (firingFingerprints.count + resolvedFingerprints.count)
        return total
    }
}
