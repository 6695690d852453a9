/// One queue's state in a ``Snapshot``.
public struct QueueSnapshot: Equatable, Sendable {
    /// The queue name as Celery names it (no key prefix, no `\x06\x16` priority suffix). Making it
    /// safe as a label value is the exporter's job.
    public let name: String
    /// Waiting messages over all priority lists (`LLEN` of steps 0–9 summed). 0 for a known queue
    /// whose lists Redis has deleted (Redis drops empty lists, §8).
    public let length: Int64
    /// Waiting messages per priority step; only steps whose list is non-empty appear (absent = 0).
    public let lengthByPriority: [Int: Int64]
    /// Delivered-but-unacked messages routed to this queue, from the classified sample (prefetched
    /// and ETA-waiting tasks; running ones only under `acks_late`, §0.4).
    public let unacked: Int
    /// Seconds since the oldest classified unacked message of this queue was fetched by a worker
    /// (`now − min score`); nil when the queue has none.
    public let unackedOldestAge: Double?
    /// Classified unacked messages fetched longer ago than the visibility timeout (awaiting a
    /// restore sweep; above 0 for long means no live worker sweeps, §8).
    public let stranded: Int
    /// Priority lists of this queue whose key answered with an error (e.g. `WRONGTYPE`: someone
    /// stored a non-list under the name). Such a key counts as 0 messages: kombu cannot pop from it.
    public let keyErrors: Int

    /// Creates a queue snapshot.
    public init(
        name: String, length: Int64 = 0, lengthByPriority: [Int: Int64] = [:], unacked: Int = 0,
        unackedOldestAge: Double? = nil, stranded: Int = 0, keyErrors: Int = 0
    ) {
        self.name = name
        self.length = length
        self.lengthByPriority = lengthByPriority
        self.unacked = unacked
        self.unackedOldestAge = unackedOldestAge
        self.stranded = stranded
        self.keyErrors = keyErrors
    }
}
