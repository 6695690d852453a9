/// The bounded table that pairs a task's STARTED write with its final write, for the runtime
/// histogram.
///
/// Celery stores no start time (no `date_started`, even under `result_extended`), so the exporter remembers
/// when it *received* each STARTED write. Bounds: entries older than `maxAge` and, beyond
/// `capacity`, the oldest entries are evicted; evicting a still-running entry is counted, because
/// its runtime will not be observed. Keys are 64-bit FNV-1a hashes of the task id (with 10⁵
/// entries a collision has a probability of about 3·10⁻¹⁰ and would only mis-pair one runtime),
/// so an entry costs about 80 bytes (table slot plus eviction-queue entry) rather than carrying a
/// 36-character string as well.
///
/// An entry leaves at the task's final write, so the table holds running tasks only and memory
/// follows the number of tasks in flight, not the number ever run (keeping finished entries until
/// they aged out grew a steady 19 tasks/s workload by ~5 MB/h for hours). A STARTED written while
/// the same task is still running (an overlapping redelivered run) keeps the earliest start; a
/// STARTED written after the final one is a real second run and is timed as one.
struct TaskRunTable: Sendable {
    private struct Entry: Sendable {
        /// When the STARTED write was received.
        var since: Double
        var sequence: UInt64
    }

    let capacity: Int
    let maxAge: Double
    /// Running entries evicted before their final write arrived.
    private(set) var evictedRunning: UInt64 = 0
    /// Entries currently running (STARTED seen, no final write yet): every entry.
    var runningCount: Int { entries.count }

    private var entries: [UInt64: Entry] = [:]
    /// Insertion order for eviction: key, the entry's sequence (stale when it differs) and time.
    private var order: [(key: UInt64, sequence: UInt64, insertedAt: Double)] = []
    private var orderHead = 0
    private var nextSequence: UInt64 = 0

    init(capacity: Int, maxAge: Double) {
        self.capacity = max(1, capacity)
        self.maxAge = maxAge
    }

    var count: Int { entries.count }

    static func key(_ taskID: String) -> UInt64 { FNV1a.hash(taskID.utf8) }

    /// When the task's STARTED write was received, while it runs.
    func startedAt(_ taskID: String) -> Double? { entries[TaskRunTable.key(taskID)]?.since }

    /// Records a STARTED write at `now` unless the task is already running (an overlapping
    /// duplicate run keeps the earliest start). Returns true when tracking started.
    mutating func start(_ taskID: String, at now: Double) -> Bool {
        evict(at: now)
        let key = TaskRunTable.key(taskID)
        guard entries[key] == nil else { return false }
        nextSequence += 1
        entries[key] = Entry(since: now, sequence: nextSequence)
        order.append((key, nextSequence, now))
        evict(at: now)
        return true
    }

    /// Records a final write; returns the runtime when the task was running, nil otherwise.
    /// An unknown task is not inserted: without its start there is nothing to pair, and inserting
    /// every finished task (most deployments do not track STARTED) would crowd out running ones.
    mutating func finish(_ taskID: String, at now: Double) -> Double? {
        evict(at: now)
        let key = TaskRunTable.key(taskID)
        guard let entry = entries[key] else { return nil }
        entries[key] = nil  // its eviction-queue slot goes stale and is skipped
        return now - entry.since
    }

    /// Forgets a running task without a runtime (a RETRY ends the attempt; the retry's own
    /// STARTED starts a new one).
    mutating func abandon(_ taskID: String, at now: Double) {
        evict(at: now)
        let key = TaskRunTable.key(taskID)
        entries[key] = nil
    }

    /// Drops entries older than `maxAge` and the oldest beyond `capacity`.
    mutating func evict(at now: Double) {
        while orderHead < order.count {
            let (key, sequence, insertedAt) = order[orderHead]
            guard let entry = entries[key], entry.sequence == sequence else {
                orderHead += 1  // stale: the entry was removed or replaced
                continue
            }
            guard now - insertedAt > maxAge || entries.count > capacity else { break }
            entries[key] = nil
            evictedRunning += 1
            orderHead += 1
        }
        // Compact the order queue once its consumed or stale part dominates.
        if orderHead > 1024 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
        if order.count - orderHead > 2 * max(entries.count, 1024) {
            order = order[orderHead...].filter { entries[$0.key]?.sequence == $0.sequence }
            orderHead = 0
        }
    }
}
