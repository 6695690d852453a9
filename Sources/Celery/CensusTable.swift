/// The result census's memory: one compact entry per `celery-task-meta-*` key, with live counts.
///
/// A pure value with explicit times, so tests drive it with any clock. ``ResultCensus`` keeps it
/// under a lock and feeds it from both sides: reconciliation passes (`SCAN` + `PTTL` + `GETRANGE`) and
/// live result writes (Pub/Sub: every write is `SETEX key result_expires json` plus a
/// `PUBLISH` of the same json on a channel named like the key).
///
/// **Entry**: the 64-bit FNV-1a of the key name → a `UInt32`: bits 0–3 state code, bit 4 worker
/// lost, bit 5 pass parity, bits 6–31 the predicted expiry in whole seconds after ``epoch``
/// (rounded up; all ones = no TTL). 26 bits of seconds cover about 2 years; a longer TTL is kept as
/// "no TTL" (the next reconciliation pass still sees the key go).
///
/// **Memory**: 12 bytes a slot in ``CompactHashMap``s kept 70–88% full: ≈ 15 bytes per key, 15 MB
/// for 10⁶ keys. (A `Dictionary<UInt64, UInt32>` was 37–75% full: 2²¹ slots, 25 MB, for 10⁶ keys.)
/// The entries live in ``shardCount`` maps chosen by the hash's top byte, not one: a hash table
/// grows by allocating its new storage while the old one is alive, so one table of 10⁶ keys
/// peaked at 12.6 + 25.2 MB while growing; a shard peaks at 1/256 of that. For the same reason
/// removals (``removeUnseen()``, ``sweep(now:)``) collect and delete one shard at a time, never a
/// list of every vanished key.
///
/// **Counts** are maintained incrementally on every change, so reading them is O(states), never a
/// walk over a million entries.
struct CensusTable {
    /// What the census keeps about a STARTED meta (few at a time: only running tasks).
    struct StartedMeta: Equatable {
        var firstSeen: Double
        /// When the task started, estimated from the last write's TTL (`now − (result_expires −
        /// PTTL/1000)`) or from the receipt of the STARTED write; nil when unknown.
        var startEstimate: Double?
        var hostname: String?
        /// The earliest start this meta is known to have had.
        var start: Double { min(firstSeen, startEstimate ?? firstSeen) }
    }

    static let stateMask: UInt32 = 0x0F
    static let workerLostBit: UInt32 = 0x10
    static let parityBit: UInt32 = 0x20
    static let expiryShift: UInt32 = 6
    /// Bit `code` set for each terminal state (checked per `SCAN`ned key, so no enum round trip).
    static let terminalCodes: UInt32 = TaskMetaState.allCases.reduce(0) {
        $1.isTerminal ? $0 | (1 << UInt32($1.code)) : $0
    }
    /// The expiry field value meaning "no TTL" (`result_expires=None`, or beyond the field's range).
    static let noExpiry: UInt32 = (1 << 26) - 1
    /// Dictionaries the entries are spread over (by the hash's top byte).
    static let shardCount = 256

    @inline(__always) private static func shard(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 56) }

    /// The entry of `hash` (state, flags and expiry; see above).
    private subscript(hash: UInt64) -> UInt32? {
        get { shards[CensusTable.shard(hash)][hash] }
        set {
            let i = CensusTable.shard(hash)
            if let newValue {
                if shards[i].updateValue(newValue, forKey: hash) == nil { count += 1 }
            } else if shards[i].removeValue(forKey: hash) != nil {
                count -= 1
            }
        }
    }

    /// Unix seconds that expiry fields count from (the table's creation, rounded down).
    let epoch: Double
    /// Entries by the top byte of their hash (see "Shards" above).
    private var shards = [CompactHashMap](repeating: CompactHashMap(), count: CensusTable.shardCount)
    /// Entries in all shards.
    private(set) var count = 0
    private(set) var counts = [Int](repeating: 0, count: TaskMetaState.allCases.count)
    private(set) var workerLost = 0
    private(set) var started: [UInt64: StartedMeta] = [:]
    /// Sightings (live writes and pass reads) of STARTED metas not tracked in ``started`` because
    /// it held ``maximumStartedTracked`` already: a meta left untracked counts again every pass.
    private(set) var startedRefused: UInt64 = 0
    /// Most STARTED metas whose start and hostname are kept (a few hundred bytes each). Running
    /// tasks are few; only forged `celery-task-meta-*` writes reach this. Past it a STARTED meta
    /// is counted by state but has no age and is never an orphan.
    static let maximumStartedTracked = 100_000
    /// The parity bit of the current (or last) reconciliation pass.
    private(set) var parity: UInt32 = 0
    /// A lower bound of every entry's expiry field: sweeps are skipped until it is due, so a
    /// million keys expiring tomorrow cost nothing today.
    private(set) var nextExpiry: UInt32 = CensusTable.noExpiry

    init(epoch: Double) {
        self.epoch = epoch.rounded(.down)
    }

    /// The expiry field for a Unix time (nil: no TTL).
    func field(expiresAt: Double?) -> UInt32 {
        guard let expiresAt, expiresAt.isFinite else { return CensusTable.noExpiry }
        let seconds = (expiresAt - epoch).rounded(.up)
        if seconds <= 0 { return 0 }
        if seconds >= Double(CensusTable.noExpiry) { return CensusTable.noExpiry }
        return UInt32(seconds)
    }

    /// Whether `hash` is tracked with no TTL (Celery with `result_expires=None` writes every key
    /// that way, so a live write keeps it).
    func hasNoExpiry(_ hash: UInt64) -> Bool {
        self[hash].map { $0 >> CensusTable.expiryShift == CensusTable.noExpiry } ?? false
    }

    /// The state of a tracked key.
    func state(of hash: UInt64) -> TaskMetaState? {
        self[hash].map { TaskMetaState(code: UInt8($0 & CensusTable.stateMask)) }
    }

    /// The predicted expiry of a tracked key as Unix seconds (nil: untracked or no TTL).
    func expiry(of hash: UInt64) -> Double? {
        guard let v = self[hash], v >> CensusTable.expiryShift != CensusTable.noExpiry else { return nil }
        return epoch + Double(v >> CensusTable.expiryShift)
    }

    /// Records what a key holds now (from a pass's read or a live write) and marks it seen in the
    /// current pass. `startEstimate` is used for STARTED metas only.
    mutating func upsert(_ hash: UInt64, meta: TaskMeta, expiresAt: Double?, now: Double, startEstimate: Double?) {
        if let old = self[hash] { uncount(old) }
        let expiry = field(expiresAt: expiresAt)
        var v = UInt32(meta.state.code) | parity | (expiry << CensusTable.expiryShift)
        if meta.workerLost { v |= CensusTable.workerLostBit }
        self[hash] = v
        tally(v, +1)
        nextExpiry = min(nextExpiry, expiry)
        if meta.state == .started {
            guard started[hash] != nil || started.count < CensusTable.maximumStartedTracked else {
                startedRefused += 1
                return
            }
            var info = started[hash] ?? StartedMeta(firstSeen: now)
            info.hostname = meta.hostname
            if let startEstimate { info.startEstimate = min(startEstimate, now) }
            started[hash] = info
        } else {
            started[hash] = nil
        }
    }

    /// Forgets a key (gone from Redis). Returns whether it was tracked.
    @discardableResult
    mutating func remove(_ hash: UInt64) -> Bool {
        started[hash] = nil
        guard let old = self[hash] else { return false }
        self[hash] = nil
        uncount(old)
        return true
    }

    /// A pass's `SCAN` returned the key: true when it must be fetched (`PTTL` + `GETRANGE`): unknown
    /// keys and non-terminal states (they change). A terminal key is only marked seen; a key
    /// already seen in this pass (a `SCAN` duplicate, or a live write since the pass began) is
    /// skipped.
    mutating func sighted(_ hash: UInt64) -> Bool {
        guard let v = self[hash] else { return true }
        if v & CensusTable.parityBit == parity { return false }
        guard CensusTable.terminalCodes & (1 << (v & CensusTable.stateMask)) != 0 else { return true }
        self[hash] = (v & ~CensusTable.parityBit) | parity
        return false
    }

    /// Starts a reconciliation pass: every entry becomes "not seen yet".
    mutating func beginPass() {
        parity ^= CensusTable.parityBit
    }

    /// Ends a complete pass: drops keys neither returned by its `SCAN` nor written since it began
    /// (forgotten with `DEL`, or expired unpredicted). Returns how many.
    mutating func removeUnseen() -> Int {
        // Collect first (one shard at a time), so no dictionary is copied while iterated.
        var removed = 0
        var vanished: [UInt64] = []
        for i in shards.indices {
            vanished.removeAll(keepingCapacity: true)
            // swift-format-ignore: ReplaceForEachWithForLoop
            // (a shard is a hash map with a visitor, not a Sequence)
            shards[i].forEach { h, v in if v & CensusTable.parityBit != parity { vanished.append(h) } }
            for h in vanished { remove(h) }
            removed += vanished.count
        }
        return removed
    }

    /// Drops the keys whose predicted expiry has passed at `now` (Redis has removed them: TTL
    /// `result_expires` from the last write). O(1) until the earliest expiry is due, then one walk.
    mutating func sweep(now: Double) -> Int {
        guard nextExpiry != CensusTable.noExpiry, Double(nextExpiry) <= now - epoch else { return 0 }
        var expired: [UInt64] = []
        var removed = 0
        var earliest = CensusTable.noExpiry
        for i in shards.indices {
            expired.removeAll(keepingCapacity: true)
            // swift-format-ignore: ReplaceForEachWithForLoop
            shards[i].forEach { h, v in
                let e = v >> CensusTable.expiryShift
                if e == CensusTable.noExpiry { return }
                if Double(e) <= now - epoch {
                    expired.append(h)
                } else if e < earliest {
                    earliest = e
                }
            }
            for h in expired { remove(h) }
            removed += expired.count
        }
        nextExpiry = earliest
        return removed
    }

    /// Keys per state (every state present).
    var countsByState: [TaskMetaState: Int] {
        var out: [TaskMetaState: Int] = [:]
        for state in TaskMetaState.allCases { out[state] = counts[Int(state.code)] }
        return out
    }

    private mutating func uncount(_ v: UInt32) { tally(v, -1) }

    private mutating func tally(_ v: UInt32, _ delta: Int) {
        counts[Int(v & CensusTable.stateMask)] += delta
        if v & CensusTable.workerLostBit != 0 { workerLost += delta }
    }
}
