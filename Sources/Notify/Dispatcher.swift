import TLS

/// Routes alerts into groups and decides when each group is notified, with Alertmanager's
/// semantics; a pure value driven by explicit clocks, so tests step time by hand.
///
/// - ``update(alerts:now:)`` takes the full current alert list after each evaluation. Every
///   alert is matched against the routing tree (depth-first, `continue`) and added to the group
///   of each matching route, keyed by its `group_by` labels. An alert that disappears from the
///   list, or arrives with an end time, is resolved.
/// - ``tick(now:)`` flushes due groups: a new group waits `group_wait` (or flushes at once when
///   its alert started longer than `group_wait` ago, as Alertmanager does after a restart), then
///   every `group_interval` each integration is notified if it has not yet seen every firing
///   alert, if alerts resolved (and it sends resolved alerts), if everything resolved, or if
///   `repeat_interval` passed since its last notification. Resolved alerts leave the group after
///   the flush; an empty group is deleted. A group whose alerts all resolved before its first
///   flush notifies nobody.
///
/// Difference from Alertmanager, on purpose: the notification log is updated when a
/// notification is queued, not when it is delivered. Delivery is the queue's job, which retries
/// each notification for its own retry window instead of relying on the next flush.
public struct Dispatcher: Sendable {
    /// The routing tree and receivers.
    public let configuration: AlertingConfiguration
    private var groups: [String: AggregationGroup] = [:]
    private let makeID: @Sendable () -> String

    /// A dispatcher for `configuration`; `makeID` creates notification ids (random by default).
    public init(configuration: AlertingConfiguration, makeID: @escaping @Sendable () -> String = Dispatcher.randomID) {
        self.configuration = configuration
        self.makeID = makeID
    }

    /// `msg_` and 32 random hex digits (Standard Webhooks' id style).
    public static func randomID() -> String {
        "msg_"
            + secureRandomBytes(16).map { b in
                let s = String(b, radix: 16)
                return s.count == 1 ? "0" + s : s
            }.joined()
    }

    /// The number of live groups.
    public var groupCount: Int { groups.count }

    /// The earliest time a group is due, nil when there are no groups.
    public var nextFlushTime: Double? { groups.values.map(\.nextFlush).min() }

    /// Takes the full list of current alerts (firing, plus any the evaluator still reports as
    /// resolved) at `now`.
    public mutating func update(alerts: [NotifiableAlert], now: Double) {
        var present = Set<String>()
        for alert in alerts {
            let resolved = alert.isResolved(at: now)
            for route in configuration.route.match(alert.labels) {
                let labels = route.groupLabels(for: alert.labels)
                let key = GroupKey.make(routeKey: route.key, labels: labels)
                let id = route.id + "\u{0}" + key
                if groups[id] == nil {
                    if resolved { continue }  // nobody was told it fired: nothing to resolve
                    groups[id] = AggregationGroup(
                        route: route, groupKey: key, groupLabels: labels, nextFlush: now + route.groupWait)
                }
                if resolved && groups[id]!.alerts[alert.fingerprint] == nil { continue }
                groups[id]!.alerts[alert.fingerprint] = alert
                if !groups[id]!.hasFlushed && alert.startsAt + route.groupWait < now {
                    groups[id]!.nextFlush = min(groups[id]!.nextFlush, now)
                }
                present.insert(id + "\u{0}" + alert.fingerprint)
            }
        }
        for (id, group) in groups {
            for (fp, alert) in group.alerts where !present.contains(id + "\u{0}" + fp) && !alert.isResolved(at: now) {
                groups[id]!.alerts[fp]!.endsAt = now
            }
        }
    }

    /// Flushes every group due at `now` and returns the notifications to queue, in a stable
    /// order (by due time, then group key).
    public mutating func tick(now: Double) -> [Notification] {
        let due = groups.filter { $0.value.nextFlush <= now }
            .sorted {
                ($0.value.nextFlush, $0.value.groupKey, $0.key) < ($1.value.nextFlush, $1.value.groupKey, $1.key)
            }
        var out: [Notification] = []
        for (id, _) in due {
            var group = groups[id]!
            out += flush(&group, now: now)
            group.hasFlushed = true
            let next = group.nextFlush + group.route.groupInterval
            group.nextFlush = next > now ? next : now + group.route.groupInterval
            group.alerts = group.alerts.filter { !$0.value.isResolved(at: now) }
            groups[id] = group.alerts.isEmpty ? nil : group
        }
        return out
    }

    private func flush(_ group: inout AggregationGroup, now: Double) -> [Notification] {
        guard let receiver = configuration.receiver(named: group.route.receiver) else { return [] }
        let sorted = group.alerts.values.sorted(by: AlertOrdering.less)
        let firing = Set(sorted.filter { !$0.isResolved(at: now) }.map(\.fingerprint))
        let resolved = Set(sorted.filter { $0.isResolved(at: now) }.map(\.fingerprint))
        var out: [Notification] = []
        for integration in receiver.integrations {
            let sendResolved = receiver.sendResolved(integration)
            guard
                let reason = AggregationGroup.reasonToNotify(
                    entry: group.log[integration], firing: firing, resolved: resolved, sendResolved: sendResolved,
                    repeatInterval: group.route.repeatInterval, now: now)
            else { continue }
            group.log[integration] = .init(firing: firing, resolved: resolved, timestamp: now)
            let alerts = sendResolved ? sorted : sorted.filter { firing.contains($0.fingerprint) }
            if alerts.isEmpty { continue }
            out.append(
                Notification(
                    id: makeID(), integration: integration, groupKey: group.groupKey, groupLabels: group.groupLabels,
                    alerts: alerts, createdAt: now, reason: reason))
        }
        return out
    }
}
