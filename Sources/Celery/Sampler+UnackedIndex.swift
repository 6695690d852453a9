import Redis

extension Sampler {
    /// How this poll reads `unacked_index`'s members; nil when the sample limit is 0.
    func planUnackedRead(now: Double) -> UnackedIndexMirror.Read? {
        configuration.unackedSampleLimit > 0 ? indexMirror.plan(now: now) : nil
    }

    /// The members of `unacked_index` (up to the sample limit, oldest first) from the main round's
    /// `replies` to `read`, through the remembered copy (``UnackedIndexMirror``): a whole read
    /// replaces it; a delta read applies the window and the rolling re-read, and re-reads the
    /// buckets whose counts changed in one more round (only when one did), and falls back to a whole read when the index reached the limit.
    /// Error replies are counted under `.unacked` (once), drop the copy and read as no members.
    /// Throws only transport failures.
    func readUnackedIndex(
        _ read: UnackedIndexMirror.Read?, replies: [RESPValue], using redis: any RedisCommandExecuting, now: Double,
        errors: inout [PollStage: Int]
    ) throws -> [UnackedIndexMirror.Member] {
        guard let read else { return [] }
        let belowWindowAdds = indexMirror.belowWindowAdds
        defer { if indexMirror.belowWindowAdds > belowWindowAdds { noteBelowWindowAdd(now: now) } }
        let limit = configuration.unackedSampleLimit
        let key = layout.unackedIndexKey
        switch read {
        case .full:
            guard let members = replies.first.flatMap(Sampler.parseMembers) else {
                errors[.unacked, default: 0] += 1
                warnUnreadableIndex(replies.first)
                indexMirror.invalidate()
                return []
            }
            indexMirror.replaceAll(with: members, now: now, limit: limit)
            return Array(members.prefix(limit))
        case .delta(let buckets, _, let reverify):
            let byScoreReplies = replies[buckets.count...]
            if let refusal = byScoreReplies.first(where: Sampler.isRefusal) {
                // `BYSCORE` unknown (Redis before 6.2) or not allowed: whole reads, as before the copy.
                indexMirror.refuseByScore()
                warnOnce(
                    Array("\u{0}zrange-byscore".utf8),
                    "Redis refused ZRANGE … BYSCORE (before Redis 6.2, or not allowed): unacked_index is read whole every poll",
                    reply: refusal)
                return try fallBackToWholeRead(errors: &errors, using: redis, now: now, countError: false)
            }
            var order: [(bucket: Int, members: [UnackedIndexMirror.Member])] = []
            for (k, i) in reverify.sorted().enumerated() {
                guard let parsed = Sampler.parseMembers(replies[buckets.count + 1 + k]) else {
                    return try fallBackToWholeRead(errors: &errors, using: redis, now: now, countError: true)
                }
                order.append((i, parsed))
            }
            var mismatched: [Int] = []
            for (i, bucket) in buckets.enumerated() where !reverify.contains(i) {
                guard let n = Sampler.count(replies[i]) else {
                    mismatched.append(i)
                    continue
                }
                if n > bucket.range.count { indexMirror.noteGrowthBelowWindow(now: now) }
                if n != bucket.range.count { mismatched.append(i) }
            }
            guard let window = Sampler.parseMembers(replies[buckets.count]) else {
                return try fallBackToWholeRead(errors: &errors, using: redis, now: now, countError: true)
            }
            // Buckets whose counts changed: read in a second round (after the first: they win).
            let rereadReplies = try run(
                mismatched.map { UnackedIndexMirror.rereadCommand(buckets[$0], key: key, limit: limit) }, on: redis)
            for (i, reply) in zip(mismatched, rereadReplies) {
                guard let parsed = Sampler.parseMembers(reply) else {
                    return try fallBackToWholeRead(errors: &errors, using: redis, now: now, countError: true)
                }
                order.append((i, parsed))
            }
            let outcome = indexMirror.apply(
                buckets: buckets, rereads: order, window: window, reverified: reverify.count, now: now, limit: limit)
            if outcome == .needsFullRead {
                return try fallBackToWholeRead(errors: &errors, using: redis, now: now, countError: false)
            }
            return indexMirror.members
        }
    }

    /// Logs (at most every 10 minutes) that the delta read found members added below its window,
    /// so the index is read whole for ``UnackedIndexMirror/fullReadHold`` seconds.
    private func noteBelowWindowAdd(now: Double) {
        guard let suppressed = indexMirror.belowWindowLog.admit(at: now) else { return }
        logger.warning(
            "unacked_index members were added with scores older than the delta read's window (a worker clock behind this host's by more than 120 s, or an older Redis snapshot restored): reading the whole index every poll for 10 minutes",
            metadata: ["suppressed": "\(suppressed)"])
    }

    /// Reads the index whole in a round of its own (the delta read found it at the limit, or got
    /// an error reply: counted once when `countError`).
    private func fallBackToWholeRead(
        errors: inout [PollStage: Int], using redis: any RedisCommandExecuting, now: Double, countError: Bool
    ) throws -> [UnackedIndexMirror.Member] {
        if countError { errors[.unacked, default: 0] += 1 }
        indexMirror.invalidate()
        let limit = configuration.unackedSampleLimit
        let reply = try run(UnackedIndexMirror.commands(.full, key: layout.unackedIndexKey, limit: limit), on: redis)
        guard let members = reply.first.flatMap(Sampler.parseMembers) else {
            if !countError { errors[.unacked, default: 0] += 1 }
            warnUnreadableIndex(reply.first)
            return []
        }
        indexMirror.replaceAll(with: members, now: now, limit: limit)
        return Array(members.prefix(limit))
    }

    /// Logs (once) that `unacked_index`'s members could not be read: an error reply (one past the
    /// reply limit, e.g. a 70 MB member, is one) or members out of score order.
    private func warnUnreadableIndex(_ reply: RESPValue?) {
        warnOnce(
            layout.unackedIndexKey,
            "unacked_index members could not be read (an error reply, or members out of score order); tasks in flight are counted but not attributed to queues",
            reply: reply)
    }

    /// An error reply that says the command itself is not accepted (a syntax error before Redis
    /// 6.2, an ACL refusal), not that the key is wrong (`WRONGTYPE`).
    static func isRefusal(_ reply: RESPValue) -> Bool {
        // Only what says "never": Redis before 6.2 answers `ERR syntax error`, an ACL `NOPERM`.
        // Any other error (a proxy's passing `ERR`) is one failed poll, not delta reads off for good.
        guard case .error(let message) = reply else { return false }
        return message.hasPrefix("ERR syntax error") || message.hasPrefix("NOPERM")
    }

    /// A `ZRANGE … WITHSCORES` reply as members; nil for an error reply or any other shape.
    /// Nil also when the members are not in score order: Redis always answers them sorted, and the
    /// remembered copy's buckets are score ranges cut from that order (a shuffled reply from a
    /// server that is not Redis built a range whose bounds were reversed, which traps).
    static func parseMembers(_ reply: RESPValue) -> [UnackedIndexMirror.Member]? {
        guard let scored = parseScoredMembers(reply),
            zip(scored, scored.dropFirst()).allSatisfy({ $0.score <= $1.score })
        else { return nil }
        return scored.map { UnackedIndexMirror.Member(key: UnackedTagKey($0.tag), score: $0.score) }
    }
}
