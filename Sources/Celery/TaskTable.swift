/// The one bounded table of tasks the live counters remember: `uuid → (task label, sent, ETA,
/// started, retries, what was counted)`, fed by task events (`task-sent`, `task-received`, …)
/// and result writes alike.
///
/// Why it exists: later task events carry only the `uuid` (the name comes with `task-sent` and
/// `task-received`), a runtime from result writes pairs STARTED with the final write, a queue wait
/// pairs sent (or the ETA) with started, and a task reported by both sources (result writes and
/// `-E` events) must be counted once. Each of those needs a little per-task memory, and nothing
/// more: arguments, results and tracebacks are never kept.
///
/// Lifetime. An entry is created by the first message about a task and leaves:
/// - ``finishedLinger`` seconds after its final state (SUCCESS, FAILURE, REJECTED, REVOKED):
///   long enough for the other source's copy of the outcome, and the event batch that may trail
///   a result write, to be recognised (they arrive within a second or two);
/// - ``maxAge`` seconds after it was created, unfinished (a task lost with its worker);
/// - or, when ``capacity`` entries are in use, the oldest gives way to a new one.
/// The last two are evictions, counted by reason. Memory follows the tasks in flight plus a
/// minute of finished ones, never the number of tasks ever run.
///
/// Keys are 64-bit FNV-1a hashes of the task id (with 10⁵ entries a collision has a probability
/// of about 3·10⁻¹⁰; it would merge two tasks' counts once). Task labels are shared strings (one
/// per admitted name), so an entry costs a fixed size: measured with
/// `scripts/measure-task-table.sh`, see ``approximateBytesPerEntry`` (about 36 MB at the default
/// cap of 100,000, reached only when that many tasks are sent and not finished; a steady 20
/// tasks/s workload holds about 1,200 entries, 0.6 MB, flat).
///
/// A pure value: every method takes `now` (the monitor's clock).
struct TaskTable: Sendable {
    /// What the table remembers of one task. Field order and the NaN-for-absent times keep it at
    /// 88 bytes (an optional `Double` takes 16 once aligned, five of them 40 bytes more).
    struct Entry: Sendable {
        /// The `task` label value (already capped), once a name was seen.
        var task: String?
        /// Times, NaN while absent (read through the optional properties below).
        private var sentTime = Double.nan
        private var etaTime = Double.nan
        private var startedTime = Double.nan
        private var startedEventTimestamp = Double.nan
        private var finishedTime = Double.nan
        /// `retries` values (bit min(retries, 63)) whose RECEIVED was counted.
        var receivedMask: UInt64 = 0
        /// Identifies this entry in the eviction queues.
        var sequence: UInt64 = 0
        /// Highest `retries` seen.
        var retries: UInt8 = 0
        /// STARTED and RETRY seen per source, and counted (the larger of the two).
        var started = SourceCounts()
        var retried = SourceCounts()
        /// Final states counted (bit per ``FinalState``).
        var finals: UInt8 = 0
        /// A runtime was observed (once per task).
        var runtimeObserved = false
        /// A `task-started` event was seen: the event's exact `runtime` is preferred to pairing
        /// result-write receipt times.
        var startedByEvent = false

        init(sequence: UInt64) { self.sequence = sequence }

        /// `task-sent`'s timestamp (Unix seconds, producer clock), until a start consumes it.
        var sent: Double? {
            get { sentTime.isNaN ? nil : sentTime }
            set { sentTime = newValue ?? .nan }
        }
        /// The ETA (Unix seconds) of an ETA/countdown task, until a start consumes it.
        var eta: Double? {
            get { etaTime.isNaN ? nil : etaTime }
            set { etaTime = newValue ?? .nan }
        }
        /// When the STARTED result write was received (monitor clock), while the attempt runs.
        var startedAt: Double? {
            get { startedTime.isNaN ? nil : startedTime }
            set { startedTime = newValue ?? .nan }
        }
        /// `task-started`'s timestamp (Unix seconds, worker clock): a failure's runtime is the
        /// `task-failed` timestamp minus this (task-failed carries no `runtime`).
        var startedEventTime: Double? {
            get { startedEventTimestamp.isNaN ? nil : startedEventTimestamp }
            set { startedEventTimestamp = newValue ?? .nan }
        }
        /// When the final state was counted (monitor clock); nil while unfinished.
        var finishedAt: Double? {
            get { finishedTime.isNaN ? nil : finishedTime }
            set { finishedTime = newValue ?? .nan }
        }

        /// Whether a final state was counted.
        var isFinished: Bool { !finishedTime.isNaN }
    }

    /// How often a repeatable transition (STARTED, RETRY) was seen on each source.
    struct SourceCounts: Sendable {
        var events: UInt8 = 0
        var results: UInt8 = 0
        var counted: UInt8 = 0

        /// Records one from `source`; returns how many new transitions to count: both sources
        /// report every transition, so the count is the larger of the two, and a copy seen on
        /// the second source adds nothing.
        mutating func add(fromEvents: Bool) -> Int {
            if fromEvents { events &+= events < .max ? 1 : 0 } else { results &+= results < .max ? 1 : 0 }
            let total = max(events, results)
            defer { counted = total }
            return Int(total) - Int(min(counted, total))
        }
    }

    /// The final states, one bit each in ``Entry/finals``.
    enum FinalState: UInt8, Sendable {
        case success = 1
        case failure = 2
        case rejected = 4
        case revoked = 8
    }

    /// Why entries were evicted: the `reason` label of `celery_redis_task_table_evicted_total`.
    enum EvictionReason: String, Sendable, CaseIterable {
        /// Unfinished for ``maxAge``.
        case age
        /// The table was full.
        case capacity
    }

    /// Bytes one entry costs in the process, measured by `scripts/measure-task-table.sh`: RSS
    /// growth over 100,000 held entries divided by their number (358 with Swift 6.3.1 on x86-64
    /// Linux): the 88-byte entry and its key in a hash table of 262,144 slots (100,000 is just past
    /// the 3/4 load of 131,072), the eviction-queue slot, and the allocator's growth slack.
    static let approximateBytesPerEntry = 358

    let capacity: Int
    let maxAge: Double
    let finishedLinger: Double
    /// Entries evicted, by reason.
    private(set) var evicted: [EvictionReason: UInt64] = [:]
    /// Evicted entries that had started and not finished (a runtime that will not be observed).
    private(set) var evictedRunning: UInt64 = 0

    private var entries: [UInt64: Entry] = [:]
    /// Creation order, for ``maxAge`` and ``capacity``: key, sequence (stale when it differs), time.
    private var order = EvictionQueue()
    /// Finish order, for ``finishedLinger``.
    private var finished = EvictionQueue()
    private var nextSequence: UInt64 = 0

    init(capacity: Int, maxAge: Double, finishedLinger: Double) {
        self.capacity = max(1, capacity)
        self.maxAge = maxAge
        self.finishedLinger = finishedLinger
    }

    /// Entries held now (running, waiting and recently finished).
    var count: Int { entries.count }

    /// Entries whose STARTED result write was received and whose final state was not.
    var runningCount: Int { entries.values.reduce(0) { $0 + ($1.startedAt != nil && !$1.isFinished ? 1 : 0) } }

    static func key(_ taskID: String) -> UInt64 { FNV1a.hash(taskID.utf8) }

    /// The entry of `taskID`, if held.
    func entry(_ taskID: String) -> Entry? { entries[TaskTable.key(taskID)] }

    /// The entry of `taskID` to change and ``store(_:for:at:)`` back: the held one, or a new
    /// empty one. Evicts first, at `now`.
    mutating func fetch(_ taskID: String, at now: Double) -> Entry {
        evict(at: now)
        if let existing = entries[TaskTable.key(taskID)] { return existing }
        nextSequence += 1
        return Entry(sequence: nextSequence)
    }

    /// Stores an entry from ``fetch(_:at:)``; one that became finished starts its linger.
    mutating func store(_ entry: Entry, for taskID: String, at now: Double) {
        let key = TaskTable.key(taskID)
        let previous = entries[key]
        if previous == nil { order.append(key: key, sequence: entry.sequence, at: now) }
        if entry.isFinished, previous?.isFinished != true {
            finished.append(key: key, sequence: entry.sequence, at: entry.finishedAt ?? now)
        }
        entries[key] = entry
        evict(at: now)
    }

    /// Drops finished entries past their linger, unfinished ones past ``maxAge``, and beyond
    /// ``capacity`` the entries that finished longest ago first (their other source's copy has
    /// most likely arrived; dropping a task that just finished would count its final state again
    /// when that copy comes), then the oldest.
    mutating func evict(at now: Double) {
        while let head = finished.first {
            guard let entry = entries[head.key], entry.sequence == head.sequence else {
                finished.removeFirst()
                continue
            }
            guard now - head.time > finishedLinger || entries.count > capacity else { break }
            entries[head.key] = nil
            finished.removeFirst()
        }
        while let head = order.first {
            guard let entry = entries[head.key], entry.sequence == head.sequence else {
                order.removeFirst()
                continue
            }
            let tooOld = !entry.isFinished && now - head.time > maxAge
            guard tooOld || entries.count > capacity else { break }
            entries[head.key] = nil
            order.removeFirst()
            evicted[tooOld ? .age : .capacity, default: 0] += 1
            if entry.startedAt != nil && !entry.isFinished { evictedRunning += 1 }
        }
        order.compact { entries[$0.key]?.sequence == $0.sequence }
        finished.compact { entries[$0.key]?.sequence == $0.sequence }
    }
}

/// A FIFO of (key, sequence, time) with lazy deletion: entries removed from the table leave
/// stale slots that are skipped at the head and compacted away once they dominate, so the queue
/// stays within a small multiple of the table.
struct EvictionQueue: Sendable {
    struct Slot: Sendable {
        var key: UInt64
        var sequence: UInt64
        var time: Double
    }

    private var slots: [Slot] = []
    private var head = 0

    var first: Slot? { head < slots.count ? slots[head] : nil }

    mutating func append(key: UInt64, sequence: UInt64, at time: Double) {
        slots.append(Slot(key: key, sequence: sequence, time: time))
    }

    mutating func removeFirst() { head += 1 }

    /// Drops consumed slots, and stale ones once they outnumber live ones by far.
    mutating func compact(isLive: (Slot) -> Bool) {
        if head > 1024 && head * 2 > slots.count {
            slots.removeFirst(head)
            head = 0
        }
        if slots.count - head > 4096 && slots.count - head > 2 * liveEstimate {
            slots = slots[head...].filter(isLive)
            head = 0
            liveEstimate = slots.count
        }
    }

    /// Live slots after the last full compaction (so the filter runs O(1) amortised per append).
    private var liveEstimate = 0
}
