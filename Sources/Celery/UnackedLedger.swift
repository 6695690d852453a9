/// The in-flight breakdown of `unacked_index` (``UnackedBreakdown``) kept up to date as members
/// come and go, so a poll costs O(changes) instead of a lookup and a fold per task in flight
/// (issue 11: ~50 ms a poll at 100,000 tasks in flight).
///
/// **What is counted.** Exactly what a walk over the whole sample does (``UnackedFold``, kept as
/// the reference, `Sampler.unackedFullWalk`): every sample member with a usable remembered entry
/// (``UnackedTagCache/isUsable(_:at:)``) is counted at its current score; the others are *pending*
/// (read this poll, oldest first, up to the classify limit, or on a later poll). A tag longer than
/// ``UnackedTagCache/maxOtherTagBytes`` is undecodable without a read.
///
/// **Where the time goes.** Per poll: the members the index copy says were removed and added
/// (``UnackedIndexMirror/lastChanges``), the pending members, and the entries whose state moved
/// with the clock. Two things change with time alone: an entry becomes *stranded* when its score
/// falls below `now − visibility timeout`, and stops being *scheduled* when its ETA passes. Both
/// are min-heaps of (time, tag) popped up to the clock; per (queue, task) a heap of scores answers
/// the oldest entry of a queue and the first appearance of a task name (the order the task label
/// limiter admits names in). Heaps delete lazily: an element counts only while the tag's entry
/// still says it was counted at that time (``UnackedTagCache/Entry/countedScore``).
///
/// **Whole recomputations** (O(tracked), counted in ``rebuilds`` / ``resyncs``): when the copy
/// was read whole or dropped (no delta to apply), when the clock went backwards, when the cache
/// renumbered its names, and when dead heap elements outnumber live ones (amortised O(1) per change).
///
/// **Memory**, beyond the cache: up to three heap elements of 32 bytes per tracked tag (not yet
/// stranded, scheduled, per-queue oldest) plus as many dead ones before a rebuild: at most
/// ~200 bytes per tag, ~20 MB at the default sample limit of 100,000.
struct UnackedLedger {
    /// ``UnackedTagCache/Entry/ledgerFlags``: counted as stranded.
    static let strandedFlag: UInt8 = 1
    /// ``UnackedTagCache/Entry/ledgerFlags``: counted as scheduled.
    static let scheduledFlag: UInt8 = 2
    /// Dead heap elements tolerated beyond twice the live count before a rebuild.
    static let heapSlack = 4_096

    /// Running totals of one queue (by name id), all queues whether known or not.
    struct QueueTotals {
        var count = 0
        var stranded = 0
        var scheduled = 0
        var etaBeyondVisibility = 0
    }

    /// Running totals of one (queue, task) pair, and its entries by score.
    struct PairTotals {
        var count = 0
        var scheduled = 0
        var oldest = MinHeap<UnackedStamp>()
    }

    /// A sample member not counted through a remembered entry.
    struct Pending {
        var score: Double
        /// Counted this poll as `unread{reason="deferred"}` (a huge value waiting for its turn).
        var deferredCounted = false
    }

    /// Seconds after which an entry is stranded: the configuration's, set by every ``sync`` (a
    /// plain default here keeps the owner's property a stored one: a `lazy` one is copied on every
    /// mutation, and every copy of the dictionaries inside with it).
    private(set) var visibilityTimeout = 0.0
    private var queues: [UInt32: QueueTotals] = [:]
    private var pairs: [UInt64: PairTotals] = [:]
    /// Messages without a storable routing key (an unknown queue with no name).
    private var noNameQueue = 0
    private var undecodableEntries = 0
    /// Members too long to be a kombu tag (undecodable, never read).
    private var longTags = 0
    private var stale = 0
    private var staleStranded = 0
    private var strandedInSample = 0
    private var unread: [UnreadReason: Int] = [:]
    private var strandedMetaKeys = StrandedMetaKeys()
    /// Counted entries not yet stranded, by score.
    private var strandHeap = MinHeap<UnackedStamp>()
    /// Counted scheduled entries, by ETA.
    private var scheduleHeap = MinHeap<UnackedStamp>()
    /// Elements in the per-pair heaps.
    private var pairHeapElements = 0
    /// Sample members not counted through an entry.
    private(set) var pending: [UnackedTagKey: Pending] = [:]
    /// Entries counted (``UnackedTagCache/Entry/countedScore`` set).
    private(set) var counted = 0
    /// The index copy's revision this ledger matches; nil before the first poll.
    private var revision: UInt64?
    private var nameGeneration: UInt64 = 0
    private var now = -Double.infinity

    /// Whole recomputations of the totals from the counted entries (clock, names, heap slack).
    private(set) var rebuilds: UInt64 = 0
    /// Whole comparisons with the sample (no delta to apply).
    private(set) var resyncs: UInt64 = 0

    /// Sample members this ledger accounts for (counted, pending or too long).
    var tracked: Int { counted + pending.count + longTags }

    private var cutoff: Double { now - visibilityTimeout }

    /// Brings the totals to `sample` (this poll's members, oldest first, as `mirror` holds them
    /// when it is valid) at time `now`; forgets the cache entries of tags that left. Returns the
    /// pending members to read this poll: oldest first, at most `classifyLimit`. Counts a cache hit
    /// per counted entry and a miss per pending member, as a walk looking each member up would.
    mutating func sync(
        sample: [UnackedIndexMirror.Member], mirror: UnackedIndexMirror, cache: inout UnackedTagCache,
        now: Double, visibilityTimeout: Double, classifyLimit: Int
    ) -> [UnackedIndexMirror.Member] {
        if cache.nameGeneration != nameGeneration || now < self.now || visibilityTimeout != self.visibilityTimeout {
            self.visibilityTimeout = visibilityTimeout
            self.now = now
            rebuild(cache: &cache)
        } else {
            advance(to: now, cache: &cache)
        }
        var left: [UnackedTagKey] = []
        let upToDate = revision == mirror.revision
        var applied = false
        if !upToDate, let changes = mirror.lastChanges, changes.from == revision, changes.to == mirror.revision,
            mirror.isValid, sample.count == mirror.count
        {
            for member in changes.removed {
                remove(member, cache: &cache)
                left.append(member.key)
            }
            for member in changes.added { add(member, cache: &cache) }
            applied = true
        }
        // No delta to apply (a whole read, a dropped copy) or one that does not add up: compare all.
        if (!upToDate && !applied) || tracked != sample.count { resync(sample, cache: &cache, left: &left) }
        revision = mirror.revision
        for key in left where pending[key] == nil && (cache.entries[key]?.countedScore.isNaN ?? false) {
            cache.evict(key)
        }

        // Pending members: counted once their entry is usable, otherwise read (oldest first).
        var toRead: [UnackedIndexMirror.Member] = []
        for (key, member) in pending {
            if member.deferredCounted {
                adjust(&unread, .deferred, by: -1)
                pending[key]?.deferredCounted = false
            }
            if let i = cache.entries.index(forKey: key),
                UnackedTagCache.isUsable(cache.entries.values[i], at: member.score)
            {
                pending[key] = nil
                var entry = cache.entries.values[i]
                count(&entry, key: key, score: member.score)
                cache.entries.values[i] = entry
            } else {
                toRead.append(UnackedIndexMirror.Member(key: key, score: member.score))
            }
        }
        cache.hits += UInt64(clamping: counted)  // never negative; a drift must not trap the poll thread
        cache.misses += UInt64(toRead.count)
        guard toRead.count > classifyLimit else {
            return toRead.sorted {
                UnackedStamp(value: $0.score, key: $0.key) < UnackedStamp(value: $1.score, key: $1.key)
            }
        }
        return Array(
            toRead.sorted { UnackedStamp(value: $0.score, key: $0.key) < UnackedStamp(value: $1.score, key: $1.key) }
                .prefix(classifyLimit))
    }

    /// Counts a pending member whose value was just read and stored in `cache`.
    mutating func noteStored(_ member: UnackedIndexMirror.Member, cache: inout UnackedTagCache) {
        guard pending[member.key] != nil, let i = cache.entries.index(forKey: member.key) else { return }
        var entry = cache.entries.values[i]
        if entry.kind == .unreadDeferred {
            // Read again next poll (or by the poll's one huge read): counted for this poll only.
            pending[member.key]?.deferredCounted = true
            adjust(&unread, .deferred, by: 1)
            return
        }
        pending[member.key] = nil
        count(&entry, key: member.key, score: member.score)
        cache.entries.values[i] = entry
    }

    /// Ends a poll: rebuilds when the cache renumbered its names, or when dead heap elements pile up.
    mutating func endPoll(cache: inout UnackedTagCache) {
        let heaps = strandHeap.count + scheduleHeap.count + pairHeapElements
        if cache.compactNamesIfHalfFull() || heaps > 6 * counted + UnackedLedger.heapSlack {
            rebuild(cache: &cache)
        }
    }

    // MARK: - Members in and out

    private static func isLong(_ key: UnackedTagKey) -> Bool {
        (key.other?.count ?? 0) > UnackedTagCache.maxOtherTagBytes
    }

    private mutating func add(_ member: UnackedIndexMirror.Member, cache: inout UnackedTagCache) {
        let key = member.key
        if UnackedLedger.isLong(key) {
            longTags += 1
            return
        }
        if let old = pending.removeValue(forKey: key), old.deferredCounted { adjust(&unread, .deferred, by: -1) }
        guard let i = cache.entries.index(forKey: key) else {
            pending[key] = Pending(score: member.score)
            return
        }
        var entry = cache.entries.values[i]
        if !entry.countedScore.isNaN { uncount(&entry, key: key) }
        if UnackedTagCache.isUsable(entry, at: member.score) {
            count(&entry, key: key, score: member.score)
        } else {
            pending[key] = Pending(score: member.score)
        }
        cache.entries.values[i] = entry
    }

    private mutating func remove(_ member: UnackedIndexMirror.Member, cache: inout UnackedTagCache) {
        let key = member.key
        if UnackedLedger.isLong(key) {
            longTags -= 1
            return
        }
        if let p = pending[key], p.score == member.score {
            if p.deferredCounted { adjust(&unread, .deferred, by: -1) }
            pending[key] = nil
            return
        }
        guard let i = cache.entries.index(forKey: key), cache.entries.values[i].countedScore == member.score else {
            return
        }
        var entry = cache.entries.values[i]
        uncount(&entry, key: key)
        cache.entries.values[i] = entry
    }

    /// Compares the whole sample with what is counted: out with what it lacks, in with what is new.
    private mutating func resync(
        _ sample: [UnackedIndexMirror.Member], cache: inout UnackedTagCache, left: inout [UnackedTagKey]
    ) {
        resyncs += 1
        var target: [UnackedTagKey: Double] = [:]
        target.reserveCapacity(sample.count)
        longTags = 0
        for member in sample {
            if UnackedLedger.isLong(member.key) {
                longTags += 1
            } else {
                target[member.key] = member.score
            }
        }
        // A manual index, not `indices`: that holds the storage and makes every write copy it.
        var i = cache.entries.startIndex
        while i != cache.entries.endIndex {
            defer { cache.entries.formIndex(after: &i) }
            let key = cache.entries.keys[i]
            guard !cache.entries.values[i].countedScore.isNaN else {
                if target[key] == nil { left.append(key) }  // not in the sample at all
                continue
            }
            guard target[key] != cache.entries.values[i].countedScore else { continue }
            var entry = cache.entries.values[i]
            uncount(&entry, key: key)
            cache.entries.values[i] = entry
            left.append(key)
        }
        for (key, p) in pending where target[key] != p.score {
            if p.deferredCounted { adjust(&unread, .deferred, by: -1) }
            pending[key] = nil
            left.append(key)
        }
        for member in sample where !UnackedLedger.isLong(member.key) {
            if pending[member.key]?.score == member.score { continue }
            if cache.entries[member.key]?.countedScore == member.score { continue }
            add(member, cache: &cache)
        }
    }

    // MARK: - Counting one entry

    private static func slot(_ queue: UInt32, _ task: UInt32) -> UInt64 { UInt64(queue) << 32 | UInt64(task) }

    /// Adds an entry seen at `score` to the totals, as of ``now``.
    private mutating func count(_ entry: inout UnackedTagCache.Entry, key: UnackedTagKey, score: Double) {
        entry.countedScore = score
        entry.ledgerFlags = 0
        counted += 1
        let stamp = UnackedStamp(value: score, key: key)
        switch entry.kind {
        case .message:
            let q = entry.queue
            // The queue's totals first: stranding below adds to them.
            if q == UnackedTagCache.noName { noNameQueue += 1 } else { queues[q, default: QueueTotals()].count += 1 }
            if score < cutoff {
                entry.ledgerFlags |= UnackedLedger.strandedFlag
                strand(entry, by: 1)
            } else {
                strandHeap.push(stamp)
            }
            guard q != UnackedTagCache.noName else { return }
            let slot = UnackedLedger.slot(q, entry.task)
            if !entry.eta.isNaN, entry.eta - score > visibilityTimeout { queues[q]!.etaBeyondVisibility += 1 }
            pairs[slot, default: PairTotals()].count += 1
            pairs[slot]!.oldest.push(stamp)
            pairHeapElements += 1
            if !entry.eta.isNaN, entry.eta > now {
                entry.ledgerFlags |= UnackedLedger.scheduledFlag
                queues[q]!.scheduled += 1
                pairs[slot]!.scheduled += 1
                scheduleHeap.push(UnackedStamp(value: entry.eta, key: key))
            }
        case .undecodable:
            undecodableEntries += 1
        case .stale:
            stale += 1
            if score < cutoff {
                entry.ledgerFlags |= UnackedLedger.strandedFlag
                staleStranded += 1
            } else {
                strandHeap.push(stamp)
            }
        case .unreadScriptingUnavailable, .unreadBeyondSlice, .unreadDeferred:
            if let reason = entry.unreadReason { adjust(&unread, reason, by: 1) }
        }
    }

    /// Takes a counted entry out of the totals (its heap elements die with ``UnackedTagCache/Entry/countedScore``).
    private mutating func uncount(_ entry: inout UnackedTagCache.Entry, key: UnackedTagKey) {
        let score = entry.countedScore
        let flags = entry.ledgerFlags
        entry.countedScore = .nan
        entry.ledgerFlags = 0
        counted -= 1
        switch entry.kind {
        case .message:
            if flags & UnackedLedger.strandedFlag != 0 { strand(entry, by: -1) }
            let q = entry.queue
            guard q != UnackedTagCache.noName else {
                noNameQueue -= 1
                return
            }
            let slot = UnackedLedger.slot(q, entry.task)
            queues[q]?.count -= 1
            if !entry.eta.isNaN, entry.eta - score > visibilityTimeout { queues[q]?.etaBeyondVisibility -= 1 }
            pairs[slot]?.count -= 1
            if flags & UnackedLedger.scheduledFlag != 0 {
                queues[q]?.scheduled -= 1
                pairs[slot]?.scheduled -= 1
            }
            if queues[q]?.count == 0 { queues[q] = nil }
            if let pair = pairs[slot], pair.count == 0 {
                pairHeapElements -= pair.oldest.count
                pairs[slot] = nil
            }
        case .undecodable:
            undecodableEntries -= 1
        case .stale:
            stale -= 1
            if flags & UnackedLedger.strandedFlag != 0 { staleStranded -= 1 }
        case .unreadScriptingUnavailable, .unreadBeyondSlice, .unreadDeferred:
            if let reason = entry.unreadReason { adjust(&unread, reason, by: -1) }
        }
    }

    /// A message entry's stranded contributions, in or out.
    private mutating func strand(_ entry: UnackedTagCache.Entry, by sign: Int) {
        strandedInSample += sign
        if entry.metaKeyHash != 0 {
            if sign > 0 {
                strandedMetaKeys.insert(entry.metaKeyHash)
            } else {
                strandedMetaKeys.remove(entry.metaKeyHash)
            }
        }
        if entry.queue != UnackedTagCache.noName { queues[entry.queue]?.stranded += sign }
    }

    private func adjust(_ counts: inout [UnreadReason: Int], _ reason: UnreadReason, by delta: Int) {
        let n = (counts[reason] ?? 0) + delta
        counts[reason] = n == 0 ? nil : n
    }

    // MARK: - Time

    /// Moves the clock forward: entries whose score fell below the cutoff become stranded,
    /// scheduled entries whose ETA passed are no longer scheduled.
    private mutating func advance(to now: Double, cache: inout UnackedTagCache) {
        self.now = now
        let cutoff = self.cutoff
        while let top = strandHeap.top, top.value < cutoff {
            strandHeap.pop()
            guard let i = cache.entries.index(forKey: top.key) else { continue }
            var entry = cache.entries.values[i]
            guard entry.countedScore == top.value, entry.ledgerFlags & UnackedLedger.strandedFlag == 0 else { continue }
            entry.ledgerFlags |= UnackedLedger.strandedFlag
            switch entry.kind {
            case .message: strand(entry, by: 1)
            case .stale: staleStranded += 1
            default: break
            }
            cache.entries.values[i] = entry
        }
        while let top = scheduleHeap.top, top.value <= now {
            scheduleHeap.pop()
            guard let i = cache.entries.index(forKey: top.key) else { continue }
            var entry = cache.entries.values[i]
            guard !entry.countedScore.isNaN, entry.ledgerFlags & UnackedLedger.scheduledFlag != 0,
                entry.eta == top.value, entry.kind == .message
            else { continue }
            entry.ledgerFlags &= ~UnackedLedger.scheduledFlag
            queues[entry.queue]?.scheduled -= 1
            pairs[UnackedLedger.slot(entry.queue, entry.task)]?.scheduled -= 1
            cache.entries.values[i] = entry
        }
    }

    /// Recounts every counted entry from scratch as of ``now`` (and the cache's current name ids).
    private mutating func rebuild(cache: inout UnackedTagCache) {
        rebuilds += 1
        queues = [:]
        pairs = [:]
        noNameQueue = 0
        undecodableEntries = 0
        stale = 0
        staleStranded = 0
        strandedInSample = 0
        unread = [:]
        strandedMetaKeys = StrandedMetaKeys()
        strandHeap.removeAll()
        scheduleHeap.removeAll()
        pairHeapElements = 0
        counted = 0
        nameGeneration = cache.nameGeneration
        for p in pending.values where p.deferredCounted { adjust(&unread, .deferred, by: 1) }
        var i = cache.entries.startIndex  // not `indices` (see resync)
        while i != cache.entries.endIndex {
            if !cache.entries.values[i].countedScore.isNaN {
                var entry = cache.entries.values[i]
                count(&entry, key: cache.entries.keys[i], score: entry.countedScore)
                cache.entries.values[i] = entry
            }
            cache.entries.formIndex(after: &i)
        }
    }

    // MARK: - The breakdown

    /// The totals as an ``UnackedBreakdown``: queues in `known` per queue, the others as unknown;
    /// task labels decided in order of first appearance (oldest entry first), as a walk would.
    mutating func breakdown(
        known: Set<String>, cache: UnackedTagCache, taskNames: inout TaskNameLimiter
    ) -> UnackedBreakdown {
        let names = cache.names
        var result = UnackedBreakdown()
        result.undecodable = undecodableEntries + longTags
        result.stale = stale
        result.staleStranded = staleStranded
        result.strandedInSample = strandedInSample
        result.strandedMetaKeys = strandedMetaKeys
        result.unread = unread
        result.unknownQueue = noNameQueue
        var isKnown: [UInt32: Bool] = [:]
        for (q, totals) in queues where totals.count > 0 {
            let name = names[Int(q)]
            guard known.contains(name) else {
                isKnown[q] = false
                result.unknownQueue += totals.count
                result.unknownQueueCounts[name, default: 0] += totals.count
                continue
            }
            isKnown[q] = true
            var stats = UnackedBreakdown.QueueStats()
            stats.count = totals.count
            stats.stranded = totals.stranded
            stats.scheduled = totals.scheduled
            stats.etaBeyondVisibility = totals.etaBeyondVisibility
            result.perQueue[name] = stats
        }
        var firstByTask: [UInt32: UnackedStamp] = [:]
        for slot in Array(pairs.keys) {
            let q = UInt32(truncatingIfNeeded: slot >> 32)
            let task = UInt32(truncatingIfNeeded: slot)
            guard isKnown[q] == true, let oldest = oldestLive(slot, cache: cache) else { continue }
            let name = names[Int(q)]
            result.perQueue[name]!.oldestScore = min(result.perQueue[name]!.oldestScore, oldest.value)
            if let first = firstByTask[task], first < oldest { continue }
            firstByTask[task] = oldest
        }
        guard taskNames.isEnabled else { return result }
        var labels: [UInt32: String] = [:]
        for (task, _) in firstByTask.sorted(by: { $0.value < $1.value }) {
            labels[task] = taskNames.label(for: task == UnackedTagCache.noName ? nil : names[Int(task)])
        }
        for (slot, pair) in pairs {
            let q = UInt32(truncatingIfNeeded: slot >> 32)
            guard isKnown[q] == true else { continue }
            let name = names[Int(q)]
            let label = labels[UInt32(truncatingIfNeeded: slot)] ?? TaskNameLimiter.overflowName
            result.perQueue[name]!.byTask[label, default: 0] += pair.count
            if pair.scheduled > 0 { result.perQueue[name]!.scheduledByTask[label, default: 0] += pair.scheduled }
        }
        return result
    }

    /// The oldest entry still counted in a pair (dead heap tops are dropped on the way).
    private mutating func oldestLive(_ slot: UInt64, cache: UnackedTagCache) -> UnackedStamp? {
        while let top = pairs[slot]?.oldest.top {
            if let entry = cache.entries[top.key], entry.countedScore == top.value, entry.kind == .message,
                UnackedLedger.slot(entry.queue, entry.task) == slot
            {
                return top
            }
            pairs[slot]!.oldest.pop()
            pairHeapElements -= 1
        }
        return nil
    }
}
