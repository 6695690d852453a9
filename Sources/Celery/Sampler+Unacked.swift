import Redis

#if canImport(Glibc)
    import Glibc
#endif

/// Exact totals and the oldest-first sample read from `unacked_index` in the main round.
struct UnackedTotals {
    var total = 0
    var stranded = 0
    /// Every index member up to the sample limit, oldest first (``Sampler/readUnackedIndex(_:replies:using:now:errors:)``).
    var sample: [UnackedIndexMirror.Member] = []
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
    /// Result meta key hashes (``FNV1a`` of prefix + task id) of the stranded entries in the sample
    /// (to tell them apart from STARTED metas of the same tasks: under acks_late a killed worker
    /// leaves both for one task).
    var strandedMetaKeys = StrandedMetaKeys()
    /// Stranded entries in the sample, with or without a decodable task id.
    var strandedInSample = 0
    var unknownQueue = 0
    /// ``unknownQueue`` by routing key (bounded by the sample size): ranks queues past the cap.
    var unknownQueueCounts: [String: Int] = [:]
    /// Sampled entries too large to read whole whose queue could not be read within the budget.
    var unread: [UnreadReason: Int] = [:]
}

extension Sampler {
    /// Reads `ZCARD` and `ZCOUNT`. Error replies (e.g. a `WRONGTYPE` `unacked_index`) read as 0,
    /// counted under `.unacked`, logged once. The members are read by ``readUnackedIndex(_:replies:using:now:errors:)``.
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

    /// A score reply: bulk text such as `1795624974.8083234` (or `inf`), or an integer. Never NaN:
    /// Redis cannot hold a NaN score, and `strtod` reads "nan" from another server as one, which
    /// the in-flight ledger would take for "not counted" and count again every poll.
    static func parseScore(_ reply: RESPValue) -> Double? {
        let score: Double?
        switch reply {
        case .integer(let n): score = Double(n)
        case .bulk(let b): score = parseScore(bytes: b)
        case .status(let s): score = Double(s)
        default: score = nil
        }
        return score?.isNaN == true ? nil : score
    }

    /// A score's digits as `strtod` reads them (what `Double(String)` does), without building a
    /// `String` per member (100,000 of them a poll at the default sample limit). Nil unless the
    /// whole text is a number.
    static func parseScore(bytes: [UInt8]) -> Double? {
        guard !bytes.isEmpty, bytes.count < 64 else {
            return bytes.isEmpty ? nil : Double(String(decoding: bytes, as: UTF8.self))
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> Double? in
            for (i, b) in bytes.enumerated() {
                guard b != 0 else { return nil }
                buffer[i] = CChar(bitPattern: b)
            }
            buffer[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == bytes.count,
                !(bytes.first.map { $0 == 0x20 || ($0 >= 9 && $0 <= 13) } ?? false)
            else { return nil }
            return value
        }
    }

    /// The reference for ``classifyUnacked(sample:using:now:errors:)`` (``unackedFullWalk``), what
    /// the exporter did before ``UnackedLedger``: one lookup and one fold per member, every poll.
    ///
    /// Classifies the sample (every index member up to ``CeleryConfiguration/unackedSampleLimit``,
    /// oldest first) through the tag cache (``UnackedTagCache``): remembered tags cost a lookup; up
    /// to `unackedClassifyLimit` unknown tags (oldest first) are read within the byte budget
    /// (``readUnackedValues(_:using:now:errors:)``), the rest on later polls. Tags that left the
    /// index are forgotten at the end, so the cache never outgrows the sample.
    ///
    /// Why `HMGET` and not `HSCAN`: `HSCAN` walks the whole hash, returning payloads already
    /// classified (and possibly duplicates across a rehash), in an order unrelated to age. `HMGET`
    /// of only the unseen tags transfers each payload once per tag lifetime, targets exactly the
    /// oldest entries the sample holds, and is bounded by the limit and the byte budget.
    func classifyUnackedByFullWalk(
        sample: [UnackedIndexMirror.Member], using redis: any RedisCommandExecuting,
        now: Double, errors: inout [PollStage: Int]
    ) throws -> UnackedBreakdown {
        tagCache.beginPoll()
        var fold = UnackedFold(
            cutoff: now - configuration.visibilityTimeout, now: now,
            visibilityTimeout: configuration.visibilityTimeout, known: Set(sortedQueues))
        var fresh: [Int] = []
        var freshKeys: [UnackedTagKey] = []
        for (i, entry) in sample.enumerated() {
            let key = entry.key
            guard (key.other?.count ?? 0) <= UnackedTagCache.maxOtherTagBytes else {
                fold.breakdown.undecodable += 1  // not a kombu tag; never read
                continue
            }
            if let cached = tagCache.lookup(key, score: entry.score) {
                fold.add(cached, score: entry.score, cache: tagCache, taskNames: &taskNames)
            } else if fresh.count < configuration.unackedClassifyLimit {
                fresh.append(i)
                freshKeys.append(key)
            }
        }

        if !fresh.isEmpty {
            let values = try readUnackedValues(freshKeys.map(\.bytes), using: redis, now: now, errors: &errors)
            let metaPrefix = layout.resultMetaKeyPrefix
            for (k, value) in values.enumerated() {
                let score = sample[fresh[k]].score
                let classification: UnackedClassification
                switch value {
                case .whole(let payload): classification = Sampler.classify(payload)
                case .sliced(_, let head, let tail): classification = Sampler.classify(head: head, tail: tail)
                case .unread(let reason): classification = .unread(reason)
                case .absent:
                    // No hash entry: a stale index member (or acked between our two round trips, and
                    // then gone from the index by the next poll). Remembered with its score, so a stale
                    // member costs one read, not one per poll, and does not use up the classify limit.
                    classification = .stale(score: score)
                case .error:
                    continue  // counted by readUnackedValues; looked up again next poll
                }
                tagCache.store(freshKeys[k], classification, score: score, metaPrefix: metaPrefix)
                if let stored = tagCache.entries[freshKeys[k]] {
                    fold.add(stored, score: score, cache: tagCache, taskNames: &taskNames)
                }
            }
        }
        tagCache.endPoll()
        return fold.finish(names: tagCache.names, taskNames: &taskNames)
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
