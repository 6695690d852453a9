import Alerting

/// One `inhibit_rules` entry, with Alertmanager's semantics (`inhibit/inhibit.go`): an alert
/// matching ``targetMatchers`` is muted while some *firing* alert matching ``sourceMatchers``
/// has the same value (a missing label counting as empty) for every label in ``equal``. An
/// alert matching both sides never inhibits itself.
public struct InhibitRule: Sendable, Equatable {
    /// Matchers a muting (source) alert must satisfy; all of them.
    public var sourceMatchers: [LabelMatcher]
    /// Matchers a muted (target) alert must satisfy; all of them.
    public var targetMatchers: [LabelMatcher]
    /// Labels whose values source and target must share.
    public var equal: [String]

    /// A rule from its parts.
    public init(sourceMatchers: [LabelMatcher], targetMatchers: [LabelMatcher], equal: [String]) {
        self.sourceMatchers = sourceMatchers
        self.targetMatchers = targetMatchers
        self.equal = equal
    }

    func isSource(_ labels: [String: String]) -> Bool { sourceMatchers.allSatisfy { $0.matches(labels) } }
    func isTarget(_ labels: [String: String]) -> Bool { targetMatchers.allSatisfy { $0.matches(labels) } }

    /// The `equal` label values of `labels`, the key under which sources and targets meet.
    func equalKey(_ labels: [String: String]) -> [String] { equal.map { labels[$0] ?? "" } }
}
