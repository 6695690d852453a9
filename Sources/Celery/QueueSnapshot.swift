/// One queue's state in a ``Snapshot``.
///
/// Fields added after the first release have defaults in the initializer, so callers keep
/// compiling as the type grows.
public struct QueueSnapshot: Equatable, Sendable {
    /// The queue name as Celery names it (no key prefix, no `\x06\x16` priority suffix). Making it
    /// safe as a label value is the exporter's job.
    public var name: String
    /// Waiting messages over all priority lists (`LLEN` of steps 0–9 summed). 0 for a known queue
    /// whose lists Redis has deleted (Redis drops empty lists).
    public var length: Int64
    /// Waiting messages per priority step; only steps whose list is non-empty appear (absent = 0).
    public var lengthByPriority: [Int: Int64]
    /// Delivered-but-unacked messages routed to this queue, from the classified sample (prefetched
    /// and ETA-waiting tasks; running ones only under `acks_late`).
    public var unacked: Int
    /// Seconds since the oldest classified unacked message of this queue was fetched by a worker
    /// (`now − min score`); nil when the queue has none.
    public var unackedOldestAge: Double?
    /// Classified unacked messages fetched longer ago than the visibility timeout (awaiting a
    /// restore sweep; above 0 for long means no live worker sweeps). Entries whose ETA is still
    /// in the future are included: the sweep restores them too, which is exactly the
    /// duplicate-run hazard ``etaBeyondVisibility`` flags.
    public var stranded: Int
    /// Priority lists of this queue whose key answered with an error (e.g. `WRONGTYPE`: someone
    /// stored a non-list under the name). Such a key counts as 0 messages: kombu cannot pop from it.
    public var keyErrors: Int
    /// Seconds the oldest due message has waited, over the tails (`LINDEX -1`) of every priority
    /// list: exact from `headers.sent_at` or `expires − expiration`, else since first seen at the
    /// tail (a lower bound). Tails with a future `eta` are skipped. Nil when no list has a due tail.
    public var oldestMessageAge: Double?
    /// Whether ``oldestMessageAge`` came from a publish time carried by the message.
    public var oldestMessageAgeIsExact: Bool
    /// Priority-list tails flagged `redelivered` (restored by kombu after a visibility timeout or a
    /// warm shutdown): at most one per priority list, 0–10.
    public var redeliveredTailMessages: Int
    /// Tails of this queue's non-empty priority lists whose fields could not be read within the byte
    /// budget (see ``ValueReadBudget``), by reason (absent = 0). With scripting refused no tail is
    /// read, whatever its size.
    public var unreadTailMessages: [UnreadReason: Int] = [:]
    /// Classified unacked messages whose `eta` is still in the future: ETA/countdown tasks held by
    /// workers (they bypass the prefetch limit).
    public var scheduled: Int
    /// Classified unacked messages whose `eta` is more than the visibility timeout after their fetch
    /// time: a sweep will restore them before they are due, so Celery runs them more than once.
    public var etaBeyondVisibility: Int
    /// ``unacked`` by task name (capped, overflow under `other`); empty when the breakdown is off.
    public var unackedByTask: [String: Int]
    /// ``scheduled`` by task name (capped like ``unackedByTask``); empty when the breakdown is off.
    public var scheduledByTask: [String: Int]
    /// The waiting messages by task name; nil when the breakdown is off or the queue is empty.
    public var backlog: QueueBacklog?

    /// Creates a queue snapshot.
    public init(
        name: String, length: Int64 = 0, lengthByPriority: [Int: Int64] = [:], unacked: Int = 0,
        unackedOldestAge: Double? = nil, stranded: Int = 0, keyErrors: Int = 0,
        oldestMessageAge: Double? = nil, oldestMessageAgeIsExact: Bool = false, redeliveredTailMessages: Int = 0,
        scheduled: Int = 0, etaBeyondVisibility: Int = 0, unackedByTask: [String: Int] = [:],
        scheduledByTask: [String: Int] = [:]
    ) {
        self.name = name
        self.length = length
        self.lengthByPriority = lengthByPriority
        self.unacked = unacked
        self.unackedOldestAge = unackedOldestAge
        self.stranded = stranded
        self.keyErrors = keyErrors
        self.oldestMessageAge = oldestMessageAge
        self.oldestMessageAgeIsExact = oldestMessageAgeIsExact
        self.redeliveredTailMessages = redeliveredTailMessages
        self.scheduled = scheduled
        self.etaBeyondVisibility = etaBeyondVisibility
        self.unackedByTask = unackedByTask
        self.scheduledByTask = scheduledByTask
    }
}
