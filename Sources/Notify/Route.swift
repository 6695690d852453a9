import Alerting

/// One node of the routing tree with its options resolved (inherited from the parent where not
/// set), as Alertmanager's `dispatch.NewRoute` builds it.
public struct Route: Sendable, Equatable {
    /// The receiver notified for alerts that stop at this node.
    public var receiver: String
    /// Labels to group by; ignored when ``groupByAll`` (`group_by: ['...']`).
    public var groupBy: [String]
    /// Group by every label (each alert its own group).
    public var groupByAll: Bool
    /// Seconds a new group waits before its first notification.
    public var groupWait: Double
    /// Seconds between notifications about changes to a group.
    public var groupInterval: Double
    /// Seconds before an unchanged, still firing group is notified again.
    public var repeatInterval: Double
    /// Matchers an alert must satisfy (sorted as Alertmanager sorts them).
    public var matchers: [LabelMatcher]
    /// Whether matching continues with the next sibling after this node matched.
    public var continueMatching: Bool
    /// Child routes, tried in order.
    public var routes: [Route]
    /// Alertmanager's `Route.Key()`: the parent's key, `/`, then `{matchers}`. The root is `{}`.
    public var key: String
    /// A unique id (the key plus the position under the parent), so two siblings with equal
    /// matchers still keep separate groups, as Alertmanager keeps them.
    public var id: String

    /// The routes an alert with `labels` is dispatched to: depth-first, left to right; a node
    /// that matches but none of whose children match is itself the match; siblings after a
    /// match are tried only when the matched child has `continue: true`.
    public func match(_ labels: [String: String]) -> [Route] {
        guard matchers.allSatisfy({ $0.matches(labels) }) else { return [] }
        var all: [Route] = []
        for child in routes {
            let found = child.match(labels)
            all += found
            if !found.isEmpty && !child.continueMatching { break }
        }
        return all.isEmpty ? [self] : all
    }

    /// The group labels of an alert on this route.
    func groupLabels(for labels: [String: String]) -> [String: String] {
        if groupByAll { return labels }
        var out: [String: String] = [:]
        for name in groupBy { if let v = labels[name] { out[name] = v } }
        return out
    }

    /// Every receiver name used by this node and its descendants.
    public var allReceivers: [String] {
        [receiver] + routes.flatMap(\.allReceivers)
    }
}
