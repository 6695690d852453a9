/// What the sampler remembers about each delivery tag in `unacked_index`, across polls: a tag's
/// queue (routing key), task name, ETA and task id never change while it is in flight (a restore
/// re-fetch rewrites the same message under the same tag), so each `unacked` value is read once per
/// tag lifetime and every later poll costs one `ZRANGE … WITHSCORES` and a lookup per tag.
///
/// **Bounds.** Entries: at most the number of index members a poll reads
/// (``CeleryConfiguration/unackedSampleLimit``, `--celery.unacked-sample-limit`, 100,000 by
/// default): members past it (the newest) are not remembered, they are counted as in flight but not
/// attributed to a queue (`celery_redis_unacked_untracked_tasks`). Bytes: about 100 per canonical
/// UUID tag (a 16-byte key, a 48-byte entry, the dictionary's slack), other tags up to
/// ``maxOtherTagBytes`` plus their bytes; queue and task names are interned in a table of at most
/// ``maxNames`` names / ``maxNameBytes`` bytes (rebuilt from the live entries when full; a name
/// that still does not fit reads as an unknown queue / the `other` task).
///
/// **Healing.** An entry leaves at the end of the first poll that does not see its tag in the index
/// (acked, rejected, restored, or the database flushed), so a Redis restart or `FLUSHDB` empties
/// the cache by the next poll. A stale member (no hash entry) is remembered with its score, and
/// read again when a worker re-adds the tag with a new score.
///
/// Not `Sendable`: owned by the ``Sampler`` on its poller thread.
struct UnackedTagCache {
    /// What the entry says about its tag.
    enum Kind: UInt8 {
        case message
        case undecodable
        case stale
        case unreadScriptingUnavailable
        case unreadBeyondSlice
        case unreadDeferred
    }

    /// One remembered tag: 48 bytes, no references.
    struct Entry {
        /// The index score when the entry was read (a stale entry is only valid at this score).
        var score: Double
        /// The message's ETA (Unix seconds); NaN when it has none.
        var eta: Double
        /// ``FNV1a`` of the task's result meta key (prefix + task id); 0 when the message has no id.
        var metaKeyHash: UInt64
        /// What ``UnackedLedger`` counted this entry at: the member's score (NaN while not counted).
        /// Declared here, before the 4-byte fields, so the entry stays 48 bytes.
        var countedScore: Double = .nan
        /// The routing key's index in ``names``; ``noName`` when absent or not storable.
        var queue: UInt32
        /// The task name's index in ``names``; ``noName`` when absent or not storable.
        var task: UInt32
        /// The last poll that saw the tag in the index.
        var epoch: UInt32
        var kind: Kind
        /// ``UnackedLedger``'s time-dependent state of the counted entry (stranded, scheduled).
        var ledgerFlags: UInt8 = 0
    }

    /// An index that names nothing (no routing key / task name, or the name table is full).
    static let noName = UInt32.max
    /// Most distinct names (queues and task names together) interned.
    static let maxNames = 65_536
    /// Most bytes of interned names.
    static let maxNameBytes = 4 << 20
    /// Queue names longer than this cannot be a known queue (discovery ignores them) and are not
    /// interned: such an entry reads as an unknown queue.
    static let maxQueueNameBytes = 1_024
    /// Tags that are not canonical UUIDs are remembered up to this length; a longer member of
    /// `unacked_index` (not something kombu writes) is counted as undecodable without being read.
    static let maxOtherTagBytes = 1_024

    /// Internal (not private) so ``UnackedLedger`` can keep its per-entry state in place.
    var entries: [UnackedTagKey: Entry] = [:]
    private(set) var names: [String] = []
    private var nameIDs: [String: UInt32] = [:]
    private var nameBytes = 0
    /// The current poll's epoch (starts at 1, so a zero-initialised entry is never "seen").
    private(set) var epoch: UInt32 = 0
    /// Tags the current poll found remembered.
    private(set) var seenThisPoll = 0

    /// Lookups that found the tag remembered (and valid), since start.
    var hits: UInt64 = 0
    /// Tags that had to be read from `unacked` (new, re-fetched stale, or deferred huge ones), since start.
    var misses: UInt64 = 0
    /// Entries forgotten because their tag left the index, since start.
    var evictions: UInt64 = 0
    /// Bumped whenever name ids are renumbered (``compactNames()``): ids held elsewhere are void.
    private(set) var nameGeneration: UInt64 = 0

    var count: Int { entries.count }

    /// Starts a poll: entries not seen by its end are forgotten by ``endPoll()``.
    mutating func beginPoll() {
        epoch &+= 1
        if epoch == 0 { epoch = 1 }
        seenThisPoll = 0
    }

    /// The remembered entry of a tag seen in the index at `score`, marked seen; nil when it must be
    /// read (unknown, stale at another score, or a huge value waiting for its turn: the poll's one
    /// huge read decides which is read). Counts a hit or a miss.
    mutating func lookup(_ key: UnackedTagKey, score: Double) -> Entry? {
        guard let i = entries.index(forKey: key) else {
            misses += 1
            return nil
        }
        if entries.values[i].epoch != epoch {
            entries.values[i].epoch = epoch
            seenThisPoll += 1
        }
        let entry = entries.values[i]
        guard UnackedTagCache.isUsable(entry, at: score) else {
            misses += 1
            return nil
        }
        hits += 1
        return entry
    }

    /// Remembers what reading the tag's value found; `metaPrefix` keys the task id as a meta key hash.
    mutating func store(
        _ key: UnackedTagKey, _ classification: UnackedClassification, score: Double, metaPrefix: [UInt8]
    ) {
        var entry = Entry(
            score: score, eta: .nan, metaKeyHash: 0, queue: UnackedTagCache.noName, task: UnackedTagCache.noName,
            epoch: epoch, kind: .undecodable)
        switch classification {
        case .message(let queue, let eta, let taskName, _, let taskID):
            entry.kind = .message
            entry.eta = eta ?? .nan
            if let taskID { entry.metaKeyHash = FNV1a.hash(metaPrefix + Array(taskID.utf8)) }
            if queue.utf8.count <= UnackedTagCache.maxQueueNameBytes { entry.queue = intern(queue) }
            if let taskName, !taskName.isEmpty { entry.task = intern(LabelValueLimit.capped(taskName)) }
        case .undecodable: entry.kind = .undecodable
        case .stale: entry.kind = .stale
        case .unread(.scriptingUnavailable): entry.kind = .unreadScriptingUnavailable
        case .unread(.beyondSlice): entry.kind = .unreadBeyondSlice
        case .unread(.deferred): entry.kind = .unreadDeferred
        }
        if let old = entries.updateValue(entry, forKey: key), old.epoch == epoch { return }
        seenThisPoll += 1
    }

    /// Forgets a tag (its huge read found it gone, or failed: it is read again when next seen).
    mutating func forget(_ key: UnackedTagKey) {
        if let old = entries.removeValue(forKey: key), old.epoch == epoch { seenThisPoll -= 1 }
    }

    /// Ends a poll: forgets every tag the poll did not see in the index, and rebuilds the name
    /// table from the live entries once it is half full. Returns how many tags were forgotten.
    @discardableResult
    mutating func endPoll() -> Int {
        defer { compactNamesIfHalfFull() }
        let gone = entries.count - seenThisPoll
        guard gone > 0 else { return 0 }
        var leaving: [UnackedTagKey] = []
        leaving.reserveCapacity(gone)
        for (key, entry) in entries where entry.epoch != epoch { leaving.append(key) }
        for key in leaving { entries[key] = nil }
        evictions += UInt64(leaving.count)
        return leaving.count
    }

    /// Rebuilds the name table from the live entries once it is half full (renumbering ids:
    /// ``nameGeneration`` changes). Returns whether it did.
    @discardableResult
    mutating func compactNamesIfHalfFull() -> Bool {
        guard names.count >= UnackedTagCache.maxNames / 2 || nameBytes >= UnackedTagCache.maxNameBytes / 2 else {
            return false
        }
        compactNames()
        return true
    }

    /// Forgets a tag that left the index (counted as an eviction).
    mutating func evict(_ key: UnackedTagKey) {
        if entries.removeValue(forKey: key) != nil { evictions += 1 }
    }

    /// Whether a remembered entry answers for a tag seen at `score` (what ``lookup(_:score:)``
    /// returns): a stale entry only at its own score, a deferred huge one never (read it again).
    static func isUsable(_ entry: Entry, at score: Double) -> Bool {
        switch entry.kind {
        case .stale: return entry.score == score
        case .unreadDeferred: return false
        default: return true
        }
    }

    /// Forgets everything (a failed poll leaves the epoch half-walked: the next one starts over).
    mutating func removeAll() {
        evictions += UInt64(entries.count)
        entries.removeAll()
        names.removeAll()
        nameIDs.removeAll()
        nameBytes = 0
        nameGeneration &+= 1
    }

    /// The interned index of `name`; ``noName`` when the table is full (it is rebuilt from the
    /// live entries at the end of a poll, never during one: ids already folded must stay valid).
    private mutating func intern(_ name: String) -> UInt32 {
        if let id = nameIDs[name] { return id }
        if names.count >= UnackedTagCache.maxNames || nameBytes + name.utf8.count > UnackedTagCache.maxNameBytes {
            return UnackedTagCache.noName
        }
        let id = UInt32(names.count)
        names.append(name)
        nameIDs[name] = id
        nameBytes += name.utf8.count
        return id
    }

    /// Keeps only the names live entries use, renumbering them.
    private mutating func compactNames() {
        var remap = [UInt32](repeating: UnackedTagCache.noName, count: names.count)
        var kept: [String] = []
        func map(_ id: UInt32) -> UInt32 {
            guard id != UnackedTagCache.noName else { return id }
            if remap[Int(id)] == UnackedTagCache.noName {
                remap[Int(id)] = UInt32(kept.count)
                kept.append(names[Int(id)])
            }
            return remap[Int(id)]
        }
        for i in entries.indices {
            entries.values[i].queue = map(entries.values[i].queue)
            entries.values[i].task = map(entries.values[i].task)
        }
        names = kept
        nameGeneration &+= 1
        nameIDs = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, UInt32($0)) })
        nameBytes = kept.reduce(0) { $0 + $1.utf8.count }
    }
}

extension UnackedTagCache.Entry {
    /// The unread reason of an unread entry.
    var unreadReason: UnreadReason? {
        switch kind {
        case .unreadScriptingUnavailable: return .scriptingUnavailable
        case .unreadBeyondSlice: return .beyondSlice
        case .unreadDeferred: return .deferred
        default: return nil
        }
    }
}
