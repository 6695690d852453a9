/// A rule whose expression failed at evaluation time (e.g. many-to-many matching, or two series
/// giving the same alert labels). As in Prometheus, that rule's alerts keep their previous state
/// until an evaluation succeeds; the caller logs these and may count them.
public struct RuleEvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The group name.
    public let group: String
    /// The alert name.
    public let rule: String
    /// What went wrong.
    public let message: String

    /// `group "g", rule "r": message`.
    public var description: String { "group \"\(group)\", rule \"\(rule)\": \(message)" }
}
