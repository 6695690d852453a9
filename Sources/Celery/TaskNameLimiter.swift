/// Caps the distinct values of a `task` label (design.md: "task-name breakdowns are capped with an
/// overflow value").
///
/// Names are admitted in order of first appearance, up to ``limit``, and stay admitted for the
/// life of the process, so a series never flips between its own name and the overflow value. Every
/// later name maps to ``overflowName``. A limit of 0 admits nothing (the breakdown is off).
///
/// Reusable by any per-task family (unacked, scheduled, live result counts). Not thread-safe: owned
/// by one thread, like the ``Sampler``.
public struct TaskNameLimiter: Sendable, Equatable {
    /// The label value that stands for every name beyond the limit, and for a missing name.
    public static let overflowName = "other"

    /// Most distinct names admitted.
    public let limit: Int
    /// Names admitted so far.
    public private(set) var admitted: Set<String> = []

    /// Creates a limiter admitting at most `limit` names (negative counts as 0).
    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Whether the breakdown is on at all.
    public var isEnabled: Bool { limit > 0 }

    /// The label value for `name`: the name itself when admitted (admitting it if there is room),
    /// otherwise ``overflowName``. A nil or empty name is ``overflowName`` and never admitted.
    /// Names longer than ``LabelValueLimit/maxBytes`` are admitted and reported in their
    /// ``LabelValueLimit/capped(_:)`` form.
    public mutating func label(for name: String?) -> String {
        guard let name, !name.isEmpty, name != TaskNameLimiter.overflowName, isEnabled else {
            return TaskNameLimiter.overflowName
        }
        let value = LabelValueLimit.capped(name)
        if admitted.contains(value) { return value }
        if admitted.count < limit {
            admitted.insert(value)
            if value != name { LabelValueLimit.truncations.record(.task) }
            return value
        }
        return TaskNameLimiter.overflowName
    }
}
