/// Folds one poll's remembered `unacked` entries into an ``UnackedBreakdown``, with per-queue
/// accumulators indexed by the tag cache's interned name ids (no string hashing per task in
/// flight; 100,000 tags fold in a few milliseconds).
struct UnackedFold {
    /// Per-queue accumulator (no dictionaries: updated in place).
    private struct Stats {
        var count = 0
        var oldestScore = Double.infinity
        var stranded = 0
        var scheduled = 0
        var etaBeyondVisibility = 0
    }

    let cutoff: Double
    let now: Double
    let visibilityTimeout: Double
    let known: Set<String>
    var breakdown = UnackedBreakdown()
    /// Indexed by name id: nil until the id first shows up as a known queue.
    private var stats: [Stats?] = []
    /// Indexed by name id: 0 not decided yet, 1 a known queue, 2 not.
    private var knownByID: [UInt8] = []
    /// Unknown-queue entries by name id.
    private var unknownByID: [UInt32: Int] = [:]
    /// (queue id << 32 | task id) → (all, scheduled), folded into labels at the end.
    private var byTask: [UInt64: (all: Int, scheduled: Int)] = [:]
    /// Task name id → label, decided at first appearance (oldest first), as the limiter expects.
    private var labels: [UInt32: String] = [:]

    init(cutoff: Double, now: Double, visibilityTimeout: Double, known: Set<String>) {
        self.cutoff = cutoff
        self.now = now
        self.visibilityTimeout = visibilityTimeout
        self.known = known
    }

    /// Adds one tag seen in the index at `score`.
    mutating func add(
        _ entry: UnackedTagCache.Entry, score: Double, cache: UnackedTagCache, taskNames: inout TaskNameLimiter
    ) {
        switch entry.kind {
        case .message:
            break
        case .undecodable:
            breakdown.undecodable += 1
            return
        case .stale:
            // Only valid at its own score (the cache answers a changed score as a miss).
            breakdown.stale += 1
            if score < cutoff { breakdown.staleStranded += 1 }
            return
        case .unreadScriptingUnavailable, .unreadBeyondSlice, .unreadDeferred:
            if let reason = entry.unreadReason { breakdown.unread[reason, default: 0] += 1 }
            return
        }
        if score < cutoff {
            breakdown.strandedInSample += 1
            if entry.metaKeyHash != 0 { breakdown.strandedMetaKeys.insert(entry.metaKeyHash) }
        }
        let q = entry.queue
        guard q != UnackedTagCache.noName, isKnown(q, names: cache.names) else {
            breakdown.unknownQueue += 1
            if q != UnackedTagCache.noName { unknownByID[q, default: 0] += 1 }
            return
        }
        let i = Int(q)
        if stats[i] == nil { stats[i] = Stats() }
        stats[i]!.count += 1
        stats[i]!.oldestScore = min(stats[i]!.oldestScore, score)
        // Stranded includes future-ETA entries on purpose: kombu's sweep restores by fetch time
        // alone, never by ETA, so they are due for redelivery too; etaBeyondVisibility says why.
        if score < cutoff { stats[i]!.stranded += 1 }
        let isScheduled = !entry.eta.isNaN && entry.eta > now
        if isScheduled { stats[i]!.scheduled += 1 }
        // An ETA further from the fetch than the visibility timeout → restored and re-fetched on
        // every sweep until due: executed more than once.
        if !entry.eta.isNaN, entry.eta - score > visibilityTimeout { stats[i]!.etaBeyondVisibility += 1 }
        if taskNames.isEnabled {
            if labels[entry.task] == nil {
                let name = entry.task == UnackedTagCache.noName ? nil : cache.names[Int(entry.task)]
                labels[entry.task] = taskNames.label(for: name)
            }
            let slot = UInt64(q) << 32 | UInt64(entry.task)
            byTask[slot, default: (0, 0)].all += 1
            if isScheduled { byTask[slot, default: (0, 0)].scheduled += 1 }
        }
    }

    private mutating func isKnown(_ id: UInt32, names: [String]) -> Bool {
        let i = Int(id)
        if i >= knownByID.count {
            knownByID += [UInt8](repeating: 0, count: names.count - knownByID.count)
            stats += [Stats?](repeating: nil, count: names.count - stats.count)
        }
        if knownByID[i] == 0 { knownByID[i] = known.contains(names[i]) ? 1 : 2 }
        return knownByID[i] == 1
    }

    /// The breakdown, with names in place of ids.
    func finish(names: [String], taskNames: inout TaskNameLimiter) -> UnackedBreakdown {
        var result = breakdown
        for (i, stats) in stats.enumerated() {
            guard let stats else { continue }
            var out = UnackedBreakdown.QueueStats()
            out.count = stats.count
            out.oldestScore = stats.oldestScore
            out.stranded = stats.stranded
            out.scheduled = stats.scheduled
            out.etaBeyondVisibility = stats.etaBeyondVisibility
            result.perQueue[names[i]] = out
        }
        for (slot, counts) in byTask {
            let queue = names[Int(slot >> 32)]
            let label = labels[UInt32(truncatingIfNeeded: slot)] ?? TaskNameLimiter.overflowName
            result.perQueue[queue]?.byTask[label, default: 0] += counts.all
            if counts.scheduled > 0 { result.perQueue[queue]?.scheduledByTask[label, default: 0] += counts.scheduled }
        }
        for (id, n) in unknownByID { result.unknownQueueCounts[names[Int(id)], default: 0] += n }
        return result
    }
}
