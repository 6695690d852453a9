/// The queues found in kombu's binding tables, with a cap that heals.
///
/// kombu never forgets a task queue's binding on its own (a task queue's binding member stays
/// forever), but a queue deleted on purpose (`queue.delete()`, `celery amqp queue.delete`)
/// loses both its binding member and its lists. Such a queue is forgotten once it has been
/// **absent** (no binding, and no waiting or unacked message seen by any poll) for
/// ``forgetAfterRounds`` discoveries in a row: a few rounds, not one, so a binding table caught
/// mid-rewrite or a queue drained between two polls does not flap out of the output.
///
/// At most ``limit`` queues are kept. When more are found, queues are ranked by **depth** first
/// (messages waiting plus tasks in flight, as probed by the discovery: a queue with a backlog is
/// never hidden behind empty ones, whenever it was declared), then by when they were last seen
/// (bound, or holding messages), most recent first; on a tie the queue already sampled stays (no
/// churn between equally live queues) and then names decide. The losers among the sampled queues
/// are **evicted** (counted), the losers among the new names are **ignored** (counted, as of this
/// discovery). So a deleted queue gives way to a new one at once, idle queues are never replaced by
/// other idle queues round after round, and past the cap the deepest queues are the ones reported.
///
/// Names longer than ``maxNameBytes`` are not sampled at all: each sampled queue costs 20 commands
/// carrying its name every poll, so a 1 MB name would cost 20 MB of requests per poll.
struct QueueDirectory {
    /// Longest queue name sampled, in UTF-8 bytes. Real queue names are identifiers (tens of bytes);
    /// names between ``LabelValueLimit/maxBytes`` and this are sampled under a shortened label.
    static let maxNameBytes = 1_024
    /// Discoveries in a row a queue must be absent before it is forgotten.
    static let forgetAfterRounds = 3

    private struct Entry {
        /// Last discovery that found the queue's binding, or last poll that saw messages in it.
        var lastSeen: Double
        /// Messages (waiting or unacked) were seen since the previous discovery.
        var activeSinceRound = false
        /// Discoveries in a row without binding and without messages.
        var absentRounds = 0
    }

    /// What one discovery changed, for logs.
    struct Outcome: Equatable {
        var admitted: [String] = []
        var evicted: [String] = []
        var forgotten: [String] = []
        var ignoredOverLimit = 0
        var ignoredNameTooLong = 0
    }

    /// Most queues kept (negative counts as 0).
    let limit: Int
    private var entries: [String: Entry] = [:]
    private(set) var evictedTotal: UInt64 = 0
    private(set) var forgottenTotal: UInt64 = 0
    private(set) var ignoredOverLimit = 0
    private(set) var ignoredNameTooLong = 0

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// The queues kept.
    var names: Set<String> { Set(entries.keys) }

    var count: Int { entries.count }

    func contains(_ queue: String) -> Bool { entries[queue] != nil }

    /// A poll saw waiting or unacked messages in `queue` at `now`: it is in use, whatever its binding.
    mutating func noteMessages(in queue: String, at now: Double) {
        guard var entry = entries[queue] else { return }
        entry.lastSeen = max(entry.lastSeen, now)
        entry.activeSinceRound = true
        entries[queue] = entry
    }

    /// Applies one discovery at `now`: `found` are the queue names of every binding read (names in
    /// `excluded`, the configured queues, are sampled anyway and never enter the table);
    /// `skippedOverLimit` counts names the discovery could not even read (binding tables past their
    /// bound). An incomplete discovery (tables skipped or unreadable) counts no queue as absent.
    ///
    /// `depths` (messages waiting plus in flight, per queue name; absent = 0) rank the queues when
    /// more are found than ``limit``; ``rankingCandidates(found:excluding:)`` says which to probe, and when.
    mutating func update(
        found: Set<String>, excluding excluded: Set<String>, skippedOverLimit: Int = 0, complete: Bool = true,
        depths: [String: Int64] = [:], at now: Double
    ) -> Outcome {
        var outcome = Outcome()
        for (name, var entry) in entries {
            if found.contains(name) || entry.activeSinceRound {
                entry.absentRounds = 0
                if found.contains(name) { entry.lastSeen = now }
            } else if complete {
                entry.absentRounds += 1
            }
            entry.activeSinceRound = false
            if entry.absentRounds >= QueueDirectory.forgetAfterRounds || excluded.contains(name) {
                entries[name] = nil
                if !excluded.contains(name) { outcome.forgotten.append(name) }
            } else {
                entries[name] = entry
            }
        }
        var newcomers: [String] = []
        for name in found where entries[name] == nil && !excluded.contains(name) {
            if name.utf8.count > QueueDirectory.maxNameBytes {
                outcome.ignoredNameTooLong += 1
            } else {
                newcomers.append(name)
            }
        }
        if entries.count + newcomers.count <= limit {
            for name in newcomers { entries[name] = Entry(lastSeen: now) }
            outcome.admitted = newcomers
        } else {
            // Rank everything: deepest first, then most recently seen, sampled before new on a tie,
            // then by name.
            var ranked: [(name: String, depth: Int64, lastSeen: Double, isNew: Bool)] = entries.map {
                ($0.key, depths[$0.key] ?? 0, $0.value.lastSeen, false)
            }
            ranked += newcomers.map { ($0, depths[$0] ?? 0, now, true) }
            ranked.sort { a, b in
                if a.depth != b.depth { return a.depth > b.depth }
                if a.lastSeen != b.lastSeen { return a.lastSeen > b.lastSeen }
                if a.isNew != b.isNew { return !a.isNew }
                return a.name < b.name
            }
            for (index, candidate) in ranked.enumerated() {
                let keep = index < limit
                switch (keep, candidate.isNew) {
                case (true, true):
                    entries[candidate.name] = Entry(lastSeen: now)
                    outcome.admitted.append(candidate.name)
                case (false, false):
                    entries[candidate.name] = nil
                    outcome.evicted.append(candidate.name)
                case (false, true):
                    outcome.ignoredOverLimit += 1
                case (true, false):
                    break
                }
            }
        }
        outcome.ignoredOverLimit += skippedOverLimit
        evictedTotal += UInt64(outcome.evicted.count)
        forgottenTotal += UInt64(outcome.forgotten.count)
        ignoredOverLimit = outcome.ignoredOverLimit
        ignoredNameTooLong = outcome.ignoredNameTooLong
        for name in outcome.admitted where LabelValueLimit.needsCapping(name) {
            LabelValueLimit.truncations.record(.queue)
        }
        return outcome
    }

    /// The queues a discovery that found `found` must rank by depth: every tracked queue and every
    /// new sampleable name, or empty when they all fit under ``limit`` (no probe needed).
    func rankingCandidates(found: Set<String>, excluding excluded: Set<String>) -> [String] {
        var candidates = Set(entries.keys)
        for name in found where !excluded.contains(name) && name.utf8.count <= QueueDirectory.maxNameBytes {
            candidates.insert(name)
        }
        candidates.subtract(excluded)
        return candidates.count > limit ? candidates.sorted() : []
    }

    /// The numbers a snapshot reports.
    var stats: DiscoveredQueueStats {
        DiscoveredQueueStats(
            tracked: entries.count, limit: limit, ignoredOverLimit: ignoredOverLimit,
            ignoredNameTooLong: ignoredNameTooLong, evicted: evictedTotal, forgotten: forgottenTotal)
    }
}
