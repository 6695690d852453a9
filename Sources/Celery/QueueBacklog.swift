/// What one queue's waiting messages are made of: its messages by task name, exact while the
/// queue holds at most ``CeleryConfiguration/queueSampleLimit`` messages, otherwise estimated
/// from its oldest and newest messages (see ``Sampler``'s backlog stage).
public struct QueueBacklog: Equatable, Sendable {
    /// Waiting messages by `task` label (capped by the task-name limit, overflow `other`): counts
    /// when ``exact``, else each priority list's sample scaled to its length, rounded.
    public var byTask: [String: Int]
    /// Messages whose task name was looked for (read this poll or remembered from an earlier one).
    public var sampled: Int
    /// Whether every waiting message was looked at (no estimate).
    public var exact: Bool
    /// Waiting messages not in ``byTask``, by reason: looked at without a usable `task` header, not
    /// read because Redis refuses scripting, or not read yet (sampled lists count only what they looked at).
    public var unclassified: [BacklogUnclassifiedReason: Int]

    /// Creates a breakdown.
    public init(
        byTask: [String: Int] = [:], sampled: Int = 0, exact: Bool = true,
        unclassified: [BacklogUnclassifiedReason: Int] = [:]
    ) {
        self.byTask = byTask
        self.sampled = sampled
        self.exact = exact
        self.unclassified = unclassified
    }
}

/// Why waiting messages are missing from ``QueueBacklog/byTask``: the `reason` label of
/// `celery_redis_queue_unclassified_messages`.
public enum BacklogUnclassifiedReason: String, Sendable, CaseIterable, Hashable {
    /// Read, but no `"task": "…"` header in its last bytes (malformed, forged, or kombu protocol 1).
    case noTaskName = "no_task_name"
    /// Not read: Redis refuses scripting (ACL or renamed commands), and there is no partial read
    /// of a list element without it.
    case scriptingUnavailable = "scripting_unavailable"
    /// Not read: the priority list's messages average 8 MiB or more (`MEMORY USAGE`), too large to
    /// copy into the script every time one moves.
    case tooLarge = "too_large"
    /// Not read yet: the poll's copy budget was spent, or the queue is past the tracked-message cap.
    case pending
}
