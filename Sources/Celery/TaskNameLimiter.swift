/// Caps the distinct values of a `task` label: task-name breakdowns are capped, with an overflow
/// value for the rest.
///
/// Names are admitted in order of first appearance, up to ``limit``; every later name maps to
/// ``overflowName``. An admitted name keeps its slot while it is in use, so a live series never
/// flips between its own name and the overflow value. The table heals: once it is full, a new
/// name takes the slot of the least recently seen name if that one has not been seen for
/// ``idleBeforeEviction`` seconds (a task renamed or retired by a deploy), so later names are not
/// hidden under `other` for the life of the process. A limit of 0 admits nothing (the breakdown is off).
///
/// Time comes from ``advance(to:)`` (the owner calls it once per poll or event), so
/// ``label(for:)`` keeps its simple signature. Reusable by any per-task family (unacked,
/// scheduled, live result counts). Not thread-safe: owned by one thread, like the ``Sampler``.
public struct TaskNameLimiter: Sendable, Equatable {
    /// The label value that stands for every name beyond the limit, and for a missing name.
    public static let overflowName = "other"

    /// Most distinct names admitted.
    public let limit: Int
    /// Seconds a name must have gone unseen before a new name may take its slot (default 1 h).
    public let idleBeforeEviction: Double
    /// Names admitted now.
    public private(set) var admitted: Set<String> = []
    /// Names that gave way to newer ones since start.
    public private(set) var evicted: UInt64 = 0
    /// Lookups of a name that was not admitted because the table was full and no admitted name had
    /// been idle long enough: each one was answered ``overflowName``. Nil and empty names, and
    /// lookups while the breakdown is off, are not counted.
    public private(set) var refused: UInt64 = 0

    private var lastSeen: [String: Double] = [:]
    private var now = -Double.infinity
    /// No admitted name can be idle long enough before this time (the oldest `lastSeen` plus
    /// ``idleBeforeEviction``, as of the last scan), so overflowing names skip the O(limit) scan.
    private var nextEvictionCheck = -Double.infinity

    /// What the names are, for `celery_redis_label_values_truncated_total{kind}`.
    public let kind: LabelValueLimit.Kind

    /// Creates a limiter admitting at most `limit` names (negative counts as 0) of `kind` (task
    /// names unless told otherwise; exception type names use the same limiter).
    public init(limit: Int, idleBeforeEviction: Double = 3_600, kind: LabelValueLimit.Kind = .task) {
        self.limit = max(0, limit)
        self.idleBeforeEviction = idleBeforeEviction
        self.kind = kind
    }

    /// Whether the breakdown is on at all.
    public var isEnabled: Bool { limit > 0 }

    /// Sets the time used by later ``label(for:)`` calls (ignored when it goes backwards).
    public mutating func advance(to now: Double) {
        self.now = max(self.now, now)
    }

    /// The label value for `name`: the name itself when admitted (admitting it if there is room),
    /// otherwise ``overflowName``. A nil or empty name is ``overflowName`` and never admitted.
    /// Names longer than ``LabelValueLimit/maxBytes`` are admitted and reported in their
    /// ``LabelValueLimit/capped(_:)`` form.
    public mutating func label(for name: String?) -> String {
        labelEvicting(for: name).label
    }

    /// Like ``label(for:)``, and also the name that gave way to this one, if any: owners of
    /// counters keyed by the label drop that name's series.
    public mutating func labelEvicting(for name: String?) -> (label: String, evicted: String?) {
        guard let name, !name.isEmpty, name != TaskNameLimiter.overflowName, isEnabled else {
            return (TaskNameLimiter.overflowName, nil)
        }
        let value = LabelValueLimit.capped(name)
        if admitted.contains(value) {
            lastSeen[value] = now
            return (value, nil)
        }
        var victim: String?
        if admitted.count >= limit {
            guard now >= nextEvictionCheck, let oldest = lastSeen.min(by: { $0.value < $1.value }) else {
                refused += 1
                return (TaskNameLimiter.overflowName, nil)
            }
            guard now - oldest.value >= idleBeforeEviction else {
                nextEvictionCheck = oldest.value + idleBeforeEviction
                refused += 1
                return (TaskNameLimiter.overflowName, nil)
            }
            victim = oldest.key
            admitted.remove(oldest.key)
            lastSeen[oldest.key] = nil
            evicted += 1
        }
        admitted.insert(value)
        lastSeen[value] = now
        if value != name { LabelValueLimit.truncations.record(kind) }
        return (value, victim)
    }
}
