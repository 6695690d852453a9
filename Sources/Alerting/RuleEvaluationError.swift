/// A rule whose expression failed at evaluation time (e.g. many-to-many matching, or two series
/// giving the same alert labels). As in Prometheus, that rule's alerts keep their previous state
/// until an evaluation succeeds; the caller logs these and may count them. Every case concerns one
/// rule of one group, so it is a struct: the names and the evaluator's error.
public struct RuleEvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The group name.
    public let group: String
    /// The alert name.
    public let rule: String
    /// What went wrong.
    let reason: ExpressionError

    init(group: String, rule: String, reason: ExpressionError) {
        self.group = group
        self.rule = rule
        self.reason = reason
    }

    /// What went wrong, in words (for a log field next to `group` and `rule`).
    public var message: String { reason.description }

    /// `group "g", rule "r": message` (the names as one-line excerpts).
    public var description: String {
        "group \"\(group.printableExcerpt)\", rule \"\(rule.printableExcerpt)\": \(message)"
    }
}
