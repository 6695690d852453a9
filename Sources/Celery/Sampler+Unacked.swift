import Redis

/// Exact totals and the oldest-first sample read from `unacked_index` in the main round.
struct UnackedTotals {
    var total = 0
    var stranded = 0
    var sample: [(tag: [UInt8], score: Double)] = []
}

/// The per-queue view of the sample after classification.
struct UnackedBreakdown {
    struct QueueStats {
        var count = 0
        var oldestScore = Double.infinity
        var stranded = 0
        var scheduled = 0
        var etaBeyondVisibility = 0
        var byTask: [String: Int] = [:]
        var scheduledByTask: [String: Int] = [:]
    }
    var perQueue: [String: QueueStats] = [:]
    var undecodable = 0
    /// Sampled `unacked_index` members with no `unacked` hash entry: not in flight.
    var stale = 0
    /// Of ``stale``, those older than the visibility timeout (they are in the `ZCOUNT` of stranded).
    var staleStranded = 0
    /// Task ids of the stranded entries in the sample (to tell them apart from STARTED metas of the
    /// same tasks: under acks_late a killed worker leaves both for one task).
    var strandedTaskIDs: Set<String> = []
    /// Stranded entries in the sample, with or without a decodable task id.
    var strandedInSample = 0
    var unknownQueue = 0
    /// ``unknownQueue`` by routing key (bounded by the sample size): ranks queues past the cap.
    var unknownQueueCounts: [String: Int] = [:]
    /// Sampled entries too large to read whole whose queue could not be read within the budget.
    var unread: [UnreadReason: Int] = [:]
}

extension Sampler {
    /// Reads `ZCARD`, `ZCOUNT` and the `ZRANGE … WITHSCORES` sample. Error replies (e.g. a
    /// `WRONGTYPE` `unacked_index`) read as 0 / empty, counted under `.unacked`, logged once.
    func readUnackedTotals(round: RoundReplies, errors: inout [PollStage: Int]) -> UnackedTotals {
        var totals = UnackedTotals()
        let key = layout.unackedIndexKey
        if let n = Sampler.count(round.unackedCount) {
            totals.total = Int(clamping: n)
        } else {
            errors[.unacked, default: 0] += 1
            warnOnce(key, "unacked_index is not a sorted set; unacked counts read 0", reply: round.unackedCount)
        }
        if let n = Sampler.count(round.strandedCount) {
            totals.stranded = Int(clamping: n)
        } else {
            errors[.unacked, default: 0] += 1
        }
        if let reply = round.unackedSample {
            if let sample = Sampler.parseScoredMembers(reply) {
                totals.sample = sample
            } else {
                errors[.unacked, default: 0] += 1
            }
        }
        return totals
    }

    /// `ZRANGE … WITHSCORES` as (member, score): RESP2's flat `[m, s, m, s, …]` or RESP3's pairs.
    /// Nil for an error reply or any other shape; unparsable scores drop that member.
    static func parseScoredMembers(_ reply: RESPValue) -> [(tag: [UInt8], score: Double)]? {
        guard case .array(let items) = reply else { return reply == .null ? [] : nil }
        var out: [(tag: [UInt8], score: Double)] = []
        out.reserveCapacity(items.count / 2)
        if let first = items.first, case .array = first {
            for item in items {
                guard case .array(let pair) = item, pair.count == 2, let tag = pair[0].bytes,
                    let score = parseScore(pair[1])
                else { continue }
                out.append((tag, score))
            }
            return out
        }
        guard items.count % 2 == 0 else { return nil }
        var i = 0
        while i < items.count {
            if let tag = items[i].bytes, let score = parseScore(items[i + 1]) { out.append((tag, score)) }
            i += 2
        }
        return out
    }

    /// A score reply: bulk text such as `1795624974.8083234` (or `inf`), or an integer.
    static func parseScore(_ reply: RESPValue) -> Double? {
        switch reply {
        case .integer(let n): return Double(n)
        case .bulk(let b): return Double(String(decoding: b, as: UTF8.self))
        case .status(let s): return Double(s)
        default: return nil
        }
    }

    /// Classifies the sample: cached tags are reused; up to `unackedClassifyLimit` new tags (oldest
    /// first) are read within the byte budget (``readUnackedValues(_:using:now:errors:)``). Cache
    /// entries for tags no longer in the sample are evicted, so the cache never outgrows the sample.
    ///
    /// Why `HMGET` and not `HSCAN`: `HSCAN` walks the whole hash, returning payloads already
    /// classified (and possibly duplicates across a rehash), in an order unrelated to age. `HMGET`
    /// of only the unseen tags transfers each payload once per tag lifetime, targets exactly the
    /// oldest entries the sample holds, and is bounded by the limit and the byte budget.
    func classifyUnacked(
        sample: [(tag: [UInt8], score: Double)], using redis: any RedisCommandExecuting,
        now: Double, errors: inout [PollStage: Int]
    ) throws -> UnackedBreakdown {
        var inSample: Set<[UInt8]> = []
        inSample.reserveCapacity(sample.count)
        for entry in sample { inSample.insert(entry.tag) }
        unackedCache = unackedCache.filter { inSample.contains($0.key) }

        var fresh: [[UInt8]] = []
        var freshScores: [Double] = []
        for entry in sample {
            switch unackedCache[entry.tag] {
            case nil: break
            case .stale(let score)? where score != entry.score: break  // re-fetched by a worker: read again
            case .unread(.deferred)?: break  // huge, waiting for its turn: sized again, offered again
            default: continue
            }
            if fresh.count >= configuration.unackedClassifyLimit { break }
            fresh.append(entry.tag)
            freshScores.append(entry.score)
        }

        if !fresh.isEmpty {
            let values = try readUnackedValues(fresh, using: redis, now: now, errors: &errors)
            for (i, (tag, value)) in zip(fresh, values).enumerated() {
                switch value {
                case .whole(let payload):
                    unackedCache[tag] = Sampler.classify(payload)
                case .sliced(_, let head, let tail):
                    unackedCache[tag] = Sampler.classify(head: head, tail: tail)
                case .unread(let reason):
                    unackedCache[tag] = .unread(reason)
                case .absent:
                    // No hash entry: a stale index member (or acked between our two round trips, and
                    // then gone from the index by the next poll). Cached with its score, so a stale
                    // member costs one read, not one per poll, and does not use up the classify limit.
                    unackedCache[tag] = .stale(score: freshScores[i])
                case .error:
                    break  // counted by readUnackedValues; looked up again next poll
                }
            }
        }

        let cutoff = now - configuration.visibilityTimeout
        let known = Set(sortedQueues)
        var breakdown = UnackedBreakdown()
        for entry in sample {
            switch unackedCache[entry.tag] {
            case .message(let queue, let eta, let taskName, _, let taskID)?:
                if entry.score < cutoff {
                    breakdown.strandedInSample += 1
                    if let taskID { breakdown.strandedTaskIDs.insert(taskID) }
                }
                guard known.contains(queue) else {
                    breakdown.unknownQueue += 1
                    breakdown.unknownQueueCounts[queue, default: 0] += 1
                    continue
                }
                var stats = breakdown.perQueue[queue, default: UnackedBreakdown.QueueStats()]
                stats.count += 1
                stats.oldestScore = min(stats.oldestScore, entry.score)
                // Stranded includes future-ETA entries on purpose: kombu's sweep restores by fetch
                // time alone, so they are due for redelivery too; etaBeyondVisibility says why.
                if entry.score < cutoff { stats.stranded += 1 }
                let isScheduled = eta.map { $0 > now } ?? false
                if isScheduled { stats.scheduled += 1 }
                // ETA further from the fetch than the visibility timeout → restored and
                // re-fetched on every sweep until due: executed more than once.
                if let eta, eta - entry.score > configuration.visibilityTimeout { stats.etaBeyondVisibility += 1 }
                if taskNames.isEnabled {
                    let label = taskNames.label(for: taskName)
                    stats.byTask[label, default: 0] += 1
                    if isScheduled { stats.scheduledByTask[label, default: 0] += 1 }
                }
                breakdown.perQueue[queue] = stats
            case .undecodable?:
                breakdown.undecodable += 1
            case .unread(let reason)?:
                breakdown.unread[reason, default: 0] += 1
            case .stale(let score)? where score == entry.score:
                breakdown.stale += 1
                if entry.score < cutoff { breakdown.staleStranded += 1 }
            case .stale?, nil:
                break
            }
        }
        return breakdown
    }

    /// Decodes one `unacked` value; garbage is `.undecodable`, never a crash.
    static func classify(_ payload: [UInt8]) -> UnackedClassification {
        guard let entry = try? KombuUnackedEntry(bytes: payload) else { return .undecodable }
        return .message(
            queue: entry.routingKey, eta: entry.message.eta, taskName: entry.message.taskName,
            redelivered: entry.message.redelivered, taskID: entry.message.taskID)
    }
}

extension Sampler {
    /// Decodes an `unacked` value from its head and tail slices (a value too large to read whole);
    /// `.unread(.beyondSlice)` when the queue is not in them.
    static func classify(head: [UInt8], tail: [UInt8]) -> UnackedClassification {
        guard let entry = KombuFragments.unackedEntry(head: head, tail: tail) else { return .unread(.beyondSlice) }
        return .message(
            queue: entry.routingKey, eta: entry.message.eta, taskName: entry.message.taskName,
            redelivered: entry.message.redelivered, taskID: entry.message.taskID)
    }
}
