import TLS

/// Routes alerts into groups and decides when each group is notified, with Alertmanager's
/// semantics; a pure value driven by explicit clocks, so tests step time by hand.
///
/// - ``update(alerts:now:)`` takes the full current alert list after each evaluation. Every
///   alert is matched against the routing tree (depth-first, `continue`) and added to the group
///   of each matching route, keyed by its `group_by` labels. An alert that disappears from the
///   list, or arrives with an end time, is resolved. A still-firing alert keeps the earliest
///   `startsAt` the group has seen (so a restored record survives a restart's reset).
/// - ``flush(now:)`` flushes due groups: a new group waits `group_wait` (or flushes at once when
///   its alert started longer than `group_wait` ago, as Alertmanager does after a restart), then
///   every `group_interval` each integration gets the group's *current* alerts if its
///   notification log says it has not yet seen every firing alert, if alerts resolved (and it
///   sends resolved alerts), if everything resolved, or if `repeat_interval` passed since its
///   last delivery. Otherwise the flush says "nothing owed", which withdraws a stale pending
///   notification.
/// - The notification log is written by ``markDelivered(_:at:)``, on delivery only (as in
///   Alertmanager), so an undelivered notification is made again at the next flush. An attempt
///   with no answer (``markMaybeDelivered(_:at:)``) leaves the log alone but marks its firing
///   alerts "maybe told": their resolve is owed as if they had been delivered.
/// - A resolved alert stays in its group while some integration that sends resolved alerts was
///   told it fired and not yet that it resolved (the resolve is owed); an empty group is deleted.
public struct Dispatcher: Sendable {
    /// The routing tree and receivers.
    public let configuration: AlertingConfiguration
    var groups: [String: AggregationGroup] = [:]
    private let routes: [String: AggregationGroup.SharedRoute]
    /// Per receiver, its integrations that send resolved alerts (shared by its groups).
    private let resolvedSenders: [String: Set<IntegrationID>]
    private let makeID: (@Sendable () -> String)?
    /// Fingerprints of alerts silenced or inhibited now (Alertmanager's `MuteStage`s): a flush
    /// leaves them out of every notification. A group whose alerts are all muted sends nothing
    /// and records nothing, so a muted alert's resolve is not sent while it is muted (still owed
    /// once the mute ends); with other alerts in the group, the delivered notification no
    /// longer lists it, as in Alertmanager. The caller sets this before each flush.
    public var muted: Set<String> = []

    /// A dispatcher for `configuration`; `makeID` creates notification ids (nil, the default,
    /// derives them from the content: ``contentID(integration:groupID:alerts:firing:)``).
    public init(configuration: AlertingConfiguration, makeID: (@Sendable () -> String)? = nil) {
        self.configuration = configuration
        self.makeID = makeID
        var routes: [String: AggregationGroup.SharedRoute] = [:]
        func walk(_ r: Route) {
            routes[r.id] = .init(r)
            r.routes.forEach(walk)
        }
        walk(configuration.route)
        self.routes = routes
        var resolvedSenders: [String: Set<IntegrationID>] = [:]
        for r in configuration.receivers { resolvedSenders[r.name] = Set(r.integrations.filter { r.sendResolved($0) }) }
        self.resolvedSenders = resolvedSenders
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

    /// Resolved alerts some integration is still owed a resolve for, counted once per group.
    public var owedResolveCount: Int {
        groups.values.reduce(0) { total, g in
            total + g.alerts.values.filter { $0.endsAt != nil && g.isOwed($0.fingerprint) }.count
        }
    }

    /// The earliest time a group is due, nil when there are no groups.
    public var nextFlushTime: Double? { groups.values.map(\.nextFlush).min() }

    /// Takes the full list of current alerts (firing, plus any the evaluator still reports as
    /// resolved) at `now`. `pending` holds fingerprints the evaluator sees as pending: a firing
    /// alert among them stays firing (after a restart the evaluator waits `for:` again before
    /// reporting an alert that never stopped; that is not a resolve).
    public mutating func update(alerts: [NotifiableAlert], pending: Set<String> = [], now: Double) {
        // Fingerprints suffice: the same fingerprint means the same labels, so the same groups.
        var present = Set<String>(minimumCapacity: alerts.count)
        for var alert in alerts {
            present.insert(alert.fingerprint)
            let resolved = alert.isResolved(at: now)
            // Routes with the same `group_by` share one group-label dictionary (20 routes, 1200
            // alerts: 1200 dictionaries instead of 24,000).
            var shared: (by: [String], all: Bool, labels: [String: String])?
            // Groups holding only this alert share one table (one array instead of 20).
            var single: AlertTable?
            for route in configuration.route.match(alert.labels) {
                let labels: [String: String]
                if let shared, shared.by == route.groupBy, shared.all == route.groupByAll {
                    labels = shared.labels
                } else {
                    labels = route.groupLabels(for: alert.labels)
                    shared = (route.groupBy, route.groupByAll, labels)
                }
                let key = GroupKey.make(routeKey: route.key, labels: labels)
                let id = route.id + "\u{0}" + key
                if groups[id] == nil {
                    if resolved { continue }  // nobody was told it fired: nothing to resolve
                    groups[id] = AggregationGroup(
                        route: routes[route.id]!, groupLabels: labels, nextFlush: now + route.groupWait,
                        sendsResolved: sendsResolved(route.receiver))
                }
                let known = groups[id]!.alerts[alert.fingerprint]
                if resolved && known == nil { continue }
                if let known, known.startsAt < alert.startsAt,
                    !known.isResolved(at: now) || (resolved && known.endsAt == alert.endsAt)
                {
                    // The same incident, as first seen; also while the evaluator keeps reporting
                    // it resolved (after a restart its startsAt may be later than the stored one).
                    alert.startsAt = known.startsAt
                }
                // An unchanged alert keeps the stored value, which pending notifications share.
                if known != alert {
                    if groups[id]!.alerts.holdsAtMost(alert.fingerprint) {
                        if single?.only != alert { single = AlertTable(only: alert) }
                        groups[id]!.alerts = single!
                    } else {
                        groups[id]!.alerts[alert.fingerprint] = alert
                    }
                }
                if !groups[id]!.hasFlushed && alert.startsAt + route.groupWait < now {
                    groups[id]!.nextFlush = min(groups[id]!.nextFlush, now)
                }
            }
        }
        // Found first, changed after: changing `groups` while iterating it would copy the table.
        var gone: [(String, String)] = []
        for (id, group) in groups {
            for alert in group.alerts.values
            where !present.contains(alert.fingerprint) && !alert.isResolved(at: now)
                && !pending.contains(alert.fingerprint)
            {
                gone.append((id, alert.fingerprint))
            }
        }
        for (id, fp) in gone { groups[id]!.alerts[fp]!.endsAt = now }
    }

    /// Flushes every group due at `now`: for each integration of each due group, the
    /// notification that should be pending now, or nil when nothing is owed. Stable order (by
    /// due time, then group key).
    public mutating func flush(now: Double) -> [GroupFlush] {
        var out: [GroupFlush] = []
        flush(now: now) { out.append($0) }
        return out
    }

    /// ``flush(now:)`` handing each result to `emit` as it is made, so a caller that keeps
    /// only what changed never holds all of them (24,000 notifications per flush with 1200
    /// alerts on 20 routes).
    ///
    /// `isHeld(integration, groupID, firing, resolved, alert count)` may say that the
    /// integration already holds a notification with this content; then none is made (no id,
    /// no allocation) and nothing is emitted for it, since the holder would keep its own.
    public mutating func flush(
        now: Double,
        isHeld: (IntegrationID, String, Set<String>, Set<String>, Int) -> Bool = { _, _, _, _, _ in false },
        emit: (GroupFlush) -> Void
    ) {
        // Keys only: copying 24,000 groups to sort them would double the memory for a moment.
        let due = groups.compactMap { id, g in
            g.nextFlush <= now ? (g.nextFlush, AggregationGroup.groupKey(ofGroupID: id) ?? "", id) : nil
        }
        .sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var shared = SharedContent()
        for (_, _, id) in due {
            // Taken out of the table while it is worked on, so its dictionaries stay uniquely
            // referenced and are changed in place rather than copied.
            var group = groups.removeValue(forKey: id)!
            flush(&group, id: id, now: now, shared: &shared, isHeld: isHeld, emit: emit)
            groups[id] = group
            groups[id]!.hasFlushed = true
            let interval = groups[id]!.route.groupInterval
            let next = groups[id]!.nextFlush + interval
            groups[id]!.nextFlush = next > now ? next : now + interval
            groups[id]!.prune(now: now)
            if groups[id]!.alerts.isEmpty { groups[id] = nil }
        }
    }

    /// The notifications of ``flush(now:)`` (tests and callers that do not withdraw).
    public mutating func tick(now: Double) -> [Notification] {
        flush(now: now).compactMap(\.notification)
    }

    /// Records that `notification` reached its integration at `now` (Alertmanager writes its
    /// notification log after a successful send). Alerts it announced as firing that have left
    /// their group since are put back as resolved, so their resolve is owed.
    public mutating func markDelivered(_ notification: Notification, at now: Double) {
        guard let id = groupFor(notification, now: now) else { return }
        let integration = notification.integration
        groups[id]!.log[integration] = .init(
            firing: notification.firingFingerprints, resolved: notification.resolvedFingerprints, timestamp: now)
        if var maybe = groups[id]!.maybeTold[integration] {
            // Now surely told: the log carries these from here.
            maybe.subtract(notification.firingFingerprints)
            maybe.subtract(notification.resolvedFingerprints)
            groups[id]!.maybeTold[integration] = maybe.isEmpty ? nil : maybe
        }
        putBackResolved(notification, id: id, now: now)
    }

    /// Records that `notification` may have reached its integration: its request was sent and
    /// no answer came (`unknown`). The notification log is not touched (it records only what
    /// was surely delivered), but the receiver may now hold its firing alerts open, so their
    /// resolve is owed until a delivered notification covers them or they fire again, whatever
    /// later flushes replace or withdraw. Alerts that have left their group since are put back
    /// as resolved.
    public mutating func markMaybeDelivered(_ notification: Notification, at now: Double) {
        // Only a receiver that sends resolved alerts is owed anything (a removed one is not).
        guard let shared = routeOf(groupID: notification.groupID),
            sendsResolved(shared.route.receiver).contains(notification.integration),
            let id = groupFor(notification, now: now)
        else { return }
        groups[id]!.maybeTold[notification.integration, default: []].formUnion(notification.firingFingerprints)
        putBackResolved(notification, id: id, now: now)
    }

    /// The id of `notification`'s group, made again (flushed, due after `group_interval`) when
    /// it was deleted and the notification announced firing alerts; nil when there is nothing
    /// to record.
    private mutating func groupFor(_ notification: Notification, now: Double) -> String? {
        let id = notification.groupID
        if groups[id] == nil {
            guard !notification.firingFingerprints.isEmpty, let shared = routeOf(groupID: id) else { return nil }
            var g = AggregationGroup(
                route: shared, groupLabels: notification.groupLabels,
                nextFlush: now + shared.route.groupInterval, sendsResolved: sendsResolved(shared.route.receiver))
            g.hasFlushed = true
            groups[id] = g
        }
        return id
    }

    /// Puts the alerts `notification` announced as firing that have left their group back as
    /// resolved when their resolve is owed, then drops what is owed no longer.
    private mutating func putBackResolved(_ notification: Notification, id: String, now: Double) {
        for alert in notification.alerts where notification.firingFingerprints.contains(alert.fingerprint) {
            if groups[id]!.alerts[alert.fingerprint] == nil && groups[id]!.isOwed(alert.fingerprint) {
                var resolved = alert
                resolved.endsAt = now
                groups[id]!.alerts[alert.fingerprint] = resolved
            }
        }
        groups[id]!.prune(now: now)  // resolves now delivered are no longer owed
        if groups[id]!.alerts.isEmpty { groups[id] = nil }
    }

    func routeOf(groupID: String) -> AggregationGroup.SharedRoute? {
        guard let cut = groupID.firstIndex(of: "\u{0}") else { return nil }
        return routes[String(groupID[..<cut])]
    }

    private func sendsResolved(_ receiverName: String) -> Set<IntegrationID> {
        resolvedSenders[receiverName] ?? []
    }

    /// The sorted alerts and fingerprint sets of the groups flushed so far in one flush, by
    /// their fingerprints: groups of other routes with the same alerts (an alert on 20 routes
    /// is in 20 groups) reuse them, so their notifications share one copy.
    private struct SharedContent {
        var byFingerprints: [String: (alerts: [NotifiableAlert], firing: Set<String>, resolved: Set<String>)] = [:]

        mutating func content(of group: AggregationGroup, muted: Set<String>, now: Double) -> (
            alerts: [NotifiableAlert], firing: Set<String>, resolved: Set<String>
        ) {
            var sorted = group.alerts.values.sorted(by: AlertOrdering.less)
            if !muted.isEmpty { sorted.removeAll { muted.contains($0.fingerprint) } }
            let key =
                sorted.count == 1 ? sorted[0].fingerprint : sorted.map(\.fingerprint).joined(separator: ",")
            if let known = byFingerprints[key], known.alerts == sorted { return known }
            let firing = Set(sorted.filter { !$0.isResolved(at: now) }.map(\.fingerprint))
            let resolved = Set(sorted.filter { $0.isResolved(at: now) }.map(\.fingerprint))
            byFingerprints[key] = (sorted, firing, resolved)
            return (sorted, firing, resolved)
        }
    }

    private func flush(
        _ group: inout AggregationGroup, id: String, now: Double, shared: inout SharedContent,
        isHeld: (IntegrationID, String, Set<String>, Set<String>, Int) -> Bool, emit: (GroupFlush) -> Void
    ) {
        guard let receiver = configuration.receiver(named: group.route.receiver) else { return }
        let (sorted, firing, resolved) = shared.content(of: group, muted: muted, now: now)
        for integration in receiver.integrations {
            if sorted.isEmpty {
                // Every alert muted: Alertmanager's pipeline stops before its dedup stage, so
                // nothing is sent and the log is not written; a pending notification is withdrawn.
                emit(GroupFlush(integration: integration, groupID: id, notification: nil))
                continue
            }
            let sendResolved = receiver.sendResolved(integration)
            let reason = AggregationGroup.reasonToNotify(
                entry: group.log[integration], maybeFiring: group.maybeTold[integration] ?? [], firing: firing,
                resolved: resolved, sendResolved: sendResolved,
                repeatInterval: group.route.repeatInterval, now: now)
            let alerts = sendResolved ? sorted : sorted.filter { firing.contains($0.fingerprint) }
            guard let reason, !alerts.isEmpty else {
                if reason != nil {
                    // Nothing to send (all resolved, resolves not sent): record it as told.
                    group.log[integration] = .init(firing: firing, resolved: resolved, timestamp: now)
                }
                emit(GroupFlush(integration: integration, groupID: id, notification: nil))
                continue
            }
            if isHeld(integration, id, firing, resolved, alerts.count) { continue }
            let groupKey = String(AggregationGroup.groupKey(ofGroupID: id) ?? Substring(id))
            emit(
                GroupFlush(
                    integration: integration, groupID: id,
                    notification: Notification(
                        id: makeID?()
                            ?? Self.contentID(
                                integration: integration, groupID: id, alerts: alerts, firing: firing),
                        integration: integration, groupKey: groupKey,
                        groupLabels: group.groupLabels, alerts: alerts, createdAt: now, reason: reason, groupID: id,
                        firingFingerprints: firing, resolvedFingerprints: resolved)))
        }
    }
}

extension Dispatcher {
    /// Takes over `old`'s groups and notification log after a reload (Alertmanager keeps its
    /// notification log across reloads): every group whose route still exists keeps its alerts,
    /// owed resolves, timers and the log of every integration still configured; a group whose
    /// route is gone, and the log of removed integrations, are forgotten.
    public mutating func adopt(_ old: Dispatcher) {
        var live = Set<IntegrationID>()
        for r in configuration.receivers { live.formUnion(r.integrations) }
        for (id, group) in old.groups {
            guard let shared = routeOf(groupID: id), shared.route.key == group.route.key else { continue }
            var g = AggregationGroup(
                route: shared, groupLabels: group.groupLabels, nextFlush: group.nextFlush,
                sendsResolved: sendsResolved(shared.route.receiver))
            g.alerts = group.alerts
            g.hasFlushed = group.hasFlushed
            g.log = group.log.filter { live.contains($0.key) }
            g.maybeTold = group.maybeTold.filter { live.contains($0.key) }
            groups[id] = g
        }
    }
}
