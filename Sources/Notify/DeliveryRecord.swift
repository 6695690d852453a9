import Alerting

/// What survives a restart with `--storage.path`: every aggregation group with its alerts
/// (so `startsAt` is kept and alerts that resolved while the exporter was down are resolved),
/// owed resolves (also those owed to receivers that were maybe told), timers and the
/// notification log, plus the rule evaluator's alert activity (so `activeAt` is kept).
/// Pending notifications are not stored: they are made again from this record at each
/// group's next flush, with the then current alerts.
public struct DeliveryRecord: Sendable, Equatable {
    /// One group.
    public struct Group: Sendable, Equatable {
        /// The dispatcher's id (route id, NUL, group key).
        public var id: String
        /// Alertmanager's group key.
        public var groupKey: String
        /// The group labels.
        public var groupLabels: [String: String]
        /// When the next flush is due (Unix seconds).
        public var nextFlush: Double
        /// Whether the group has flushed before (group_wait is over).
        public var hasFlushed: Bool
        /// The alerts, resolved ones with owed resolves included.
        public var alerts: [NotifiableAlert]
        /// What each integration was last told.
        public var log: [Entry]
        /// What each integration may have been told fires (see ``Maybe``).
        public var maybeTold: [Maybe] = []
    }

    /// Alerts an integration may have been told fire: an attempt announcing them got no
    /// answer, so their resolve is owed although the log does not record them.
    public struct Maybe: Sendable, Equatable {
        /// The integration.
        public var integration: IntegrationID
        /// The fingerprints.
        public var firing: Set<String>
    }

    /// One notification-log entry.
    public struct Entry: Sendable, Equatable {
        /// The integration.
        public var integration: IntegrationID
        /// Fingerprints delivered as firing.
        public var firing: Set<String>
        /// Fingerprints delivered as resolved.
        public var resolved: Set<String>
        /// When (Unix seconds).
        public var timestamp: Double
    }

    /// The groups.
    public var groups: [Group]
    /// The rule evaluator's pending and firing alerts by fingerprint (``AlertEvaluator/activity``).
    public var activity: [String: AlertActivity] = [:]
}

extension Dispatcher {
    /// The record of every group, for storage.
    public func record() -> DeliveryRecord {
        DeliveryRecord(
            groups: groups.sorted { $0.key < $1.key }.map { id, g in
                DeliveryRecord.Group(
                    id: id, groupKey: String(AggregationGroup.groupKey(ofGroupID: id) ?? Substring(id)),
                    groupLabels: g.groupLabels, nextFlush: g.nextFlush,
                    hasFlushed: g.hasFlushed,
                    alerts: g.alerts.values.sorted { $0.fingerprint < $1.fingerprint },
                    log: g.log.map { k, v in
                        DeliveryRecord.Entry(
                            integration: k, firing: v.firing, resolved: v.resolved, timestamp: v.timestamp)
                    }.sorted { $0.integration.description < $1.integration.description },
                    maybeTold: g.maybeTold.map { DeliveryRecord.Maybe(integration: $0.key, firing: $0.value) }
                        .sorted { $0.integration.description < $1.integration.description })
            })
    }

    /// Restores groups of `record` whose route still exists (matched like a reload, see
    /// ``adopt(_:)``); alerts restored as firing resolve at the first update that does not
    /// report them, which sends the resolves owed for alerts that ended while the exporter
    /// was down.
    public mutating func restore(_ record: DeliveryRecord, now: Double) {
        var old = Dispatcher(configuration: configuration)
        for g in record.groups {
            guard let shared = routeOf(groupID: g.id), g.groupKey.hasPrefix(shared.route.key + ":") else { continue }
            var group = AggregationGroup(
                route: shared, groupLabels: g.groupLabels, nextFlush: g.nextFlush,
                sendsResolved: [])
            group.hasFlushed = g.hasFlushed
            for a in g.alerts { group.alerts[a.fingerprint] = a }
            for e in g.log {
                group.log[e.integration] = .init(firing: e.firing, resolved: e.resolved, timestamp: e.timestamp)
            }
            for m in g.maybeTold where !m.firing.isEmpty {
                group.maybeTold[m.integration, default: []].formUnion(m.firing)
            }
            old.groups[g.id] = group
        }
        adopt(old)
    }

    /// Owed resolves by receiver name.
    public var owedResolvesByReceiver: [String: Int] {
        var out: [String: Int] = [:]
        for g in groups.values {
            let n = g.alerts.values.filter { $0.endsAt != nil && g.isOwed($0.fingerprint) }.count
            if n > 0 { out[g.route.receiver, default: 0] += n }
        }
        return out
    }
}
