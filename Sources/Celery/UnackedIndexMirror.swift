import Redis

/// A copy of `unacked_index` (delivery tag, score) kept between polls, so a poll reads what
/// changed instead of the whole sorted set (issue 11: 100,000 tags were ~6 MB of `ZRANGE` reply,
/// serialised by Redis and parsed by the exporter, every poll).
///
/// **How a poll reads the index** (``plan(now:limit:)``, ``apply(_:now:limit:)``):
/// - the *window*: every member with a score at or above `W = min(previous poll, newest score) −
///   ``windowOverlap``` is read whole (`ZRANGE … W +inf BYSCORE WITHSCORES`). Kombu scores a tag
///   with the fetching worker's `time.time()`, so every tag fetched (or re-fetched after a restore)
///   since the previous poll lands here unless that worker's clock is behind the exporter's by
///   more than the overlap;
/// - the *old region* below `W` is tiled into buckets of about ``bucketSize`` remembered members;
///   one `ZCOUNT` per bucket (O(log n) in Redis, a few bytes back). Members only leave the old
///   region (acks, restores, a flush); a bucket whose count differs from the copy is read again
///   (`ZRANGE … lo (hi BYSCORE`) in a second round;
/// - a rolling re-read (in the main round) of ``reverifyFraction`` of the buckets each poll,
///   whatever their counts, so
///   the one change counts cannot see (a member added below `W` — a worker clock far behind —
///   while another member of the same bucket left) lives at most 1 / ``reverifyFraction`` polls.
///   A re-read that finds a member added below `W` proves such adds happen: the sampler then reads
///   the whole index every poll for ``fullReadHold`` seconds.
///
/// Reads are pipelined, not atomic: a kombu transaction can land between two of them. Each range's
/// copy is replaced only by a read of exactly that range, and when one tag shows up in two reads
/// (moved while being read) the later read wins, so a poll is never worse than "as of one of its
/// reads", and a change missed by a count that raced with it shows as a count mismatch next poll.
///
/// The whole index is read (`ZRANGE 0 limit-1`, as before the copy existed) on the first poll,
/// after the copy was dropped, while the index holds at least the sample limit (the oldest `limit`
/// are tracked, the rest untracked), and during a ``fullReadHold``.
///
/// Memory: 32 bytes per member in ``members`` plus a dictionary entry (~48 bytes) in ``scores``;
/// at most ``CeleryConfiguration/unackedSampleLimit`` members.
struct UnackedIndexMirror {
    /// One index member.
    struct Member: Equatable {
        var key: UnackedTagKey
        var score: Double
    }

    /// A score range of the old region and the remembered members in it (``members`` indices).
    struct Bucket: Equatable {
        /// Inclusive lower bound (`-inf` for the first bucket).
        var low: Double
        /// Exclusive upper bound (the window start for the last bucket).
        var high: Double
        var range: Range<Int>
    }

    /// What one poll asks Redis for `unacked_index` (besides `ZCARD` and `ZCOUNT` of stranded).
    enum Read {
        /// `ZRANGE key 0 limit WITHSCORES` (one more than the limit: whether it is the whole index).
        case full
        /// One `ZCOUNT` per bucket, `ZRANGE key windowStart +inf BYSCORE LIMIT 0 limit WITHSCORES`,
        /// then the `reverify` buckets' members (``rereadCommand(_:key:limit:)``), in bucket order.
        case delta(buckets: [Bucket], windowStart: Double, reverify: Set<Int>)
    }

    /// Seconds below the previous poll (or the newest score) the window starts: a worker clock up
    /// to this far behind the exporter's cannot hide a fetch from the window.
    static let windowOverlap = 120.0
    /// Remembered members per bucket (at least: at most ``maxBuckets`` buckets).
    static let bucketSize = 1_000
    /// Most buckets (`ZCOUNT`s) a poll sends.
    static let maxBuckets = 256
    /// Part of the buckets re-read each poll whatever their counts (every bucket every 20 polls).
    static let reverifyFraction = 0.05
    /// Seconds of whole reads after a member was found added below the window.
    static let fullReadHold = 600.0

    /// Oldest first, in Redis's order (score, then tag bytes).
    private(set) var members: [Member] = []
    /// Tag → score of every member (to find a tag's earlier copy when it moves).
    private var scores: [UnackedTagKey: Double] = [:]
    /// False until a whole read fit under the limit, and after anything that makes the copy unsure.
    private(set) var isValid = false
    /// The `now` of the poll that last updated the copy.
    private var updatedAt = 0.0
    /// Whole reads until this time (members were added below the window).
    private(set) var fullReadsUntil = -Double.infinity
    /// The server refused `ZRANGE … BYSCORE` (before Redis 6.2, or an ACL without it): whole reads
    /// for the life of the process.
    private(set) var byScoreRefused = false
    /// Where the rolling re-read stands (bucket index).
    private var rotation = 0

    /// Whole reads since start, and delta reads since start (for tests and logs).
    private(set) var fullReads: UInt64 = 0
    private(set) var deltaReads: UInt64 = 0
    /// Members read by delta reads since start (window plus re-read buckets).
    private(set) var deltaMembersRead: UInt64 = 0
    /// Times a member was found added below the window (clock skew, a restored snapshot).
    private(set) var belowWindowAdds: UInt64 = 0
    /// Paces the warning about members added below the window.
    var belowWindowLog = LogRateLimiter(interval: 600)
    /// Bumped by every change of the copy (a whole read, a delta, a drop), so a consumer of
    /// ``lastChanges`` can tell whether it saw every change (``UnackedLedger``).
    private(set) var revision: UInt64 = 0
    /// What the latest delta changed, from revision `from` to `to`; nil after a whole read or a
    /// drop (the consumer then compares the whole copy).
    private(set) var lastChanges: Changes?

    /// The members a delta read removed and added (a moved tag is both: old score out, new in).
    struct Changes {
        var from: UInt64
        var to: UInt64
        var removed: [Member]
        var added: [Member]
    }

    var count: Int { members.count }

    /// Forgets the copy: the next poll reads the whole index.
    mutating func invalidate() {
        revision &+= 1
        lastChanges = nil
        isValid = false
        members = []
        scores = [:]
    }

    /// How this poll reads the index.
    func plan(now: Double) -> Read {
        guard isValid, now >= fullReadsUntil, !byScoreRefused else { return .full }
        let newest = members.last?.score ?? updatedAt
        let windowStart = min(updatedAt, newest, now) - UnackedIndexMirror.windowOverlap
        let end = lowerBound(windowStart)
        let size = max(
            UnackedIndexMirror.bucketSize, (end + UnackedIndexMirror.maxBuckets - 1) / UnackedIndexMirror.maxBuckets)
        var buckets: [Bucket] = []
        var start = 0
        repeat {
            var next = min(start + size, end)
            // Equal scores never straddle two buckets (a bucket is a score range).
            while next < end, next > start, members[next].score == members[next - 1].score { next += 1 }
            let low = start == 0 ? -Double.infinity : members[start].score
            let high = next == end ? windowStart : members[next].score
            buckets.append(Bucket(low: low, high: high, range: start..<next))
            start = next
        } while start < end
        let share = max(1, Int((Double(buckets.count) * UnackedIndexMirror.reverifyFraction).rounded(.up)))
        var reverify: Set<Int> = []
        for k in 0..<min(share, buckets.count) { reverify.insert((rotation + k) % buckets.count) }
        return .delta(buckets: buckets, windowStart: windowStart, reverify: reverify)
    }

    /// The first member index whose score is at least `score`.
    private func lowerBound(_ score: Double) -> Int {
        var low = 0
        var high = members.count
        while low < high {
            let mid = (low + high) / 2
            if members[mid].score < score { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The `unacked_index` commands of a read, for the main round.
    static func commands(_ read: Read, key: [UInt8], limit: Int) -> [RedisCommand] {
        switch read {
        case .full:
            return [
                [
                    // One member more than the limit: whether the whole index was read.
                    Array("ZRANGE".utf8), key, Array("0".utf8), Array(String(limit).utf8),
                    Array("WITHSCORES".utf8),
                ]
            ]
        case .delta(let buckets, let windowStart, let reverify):
            let zcount = Array("ZCOUNT".utf8)
            var commands = buckets.map {
                [zcount, key, lowArgument($0.low), Array(("(" + RoundPlan.format($0.high)).utf8)]
            }
            commands.append(
                // One more than the limit: a window that outgrew it sends the poll back to a whole read.
                byScore(
                    key: key, low: Array(RoundPlan.format(windowStart).utf8), high: Array("+inf".utf8),
                    count: limit + 1))
            // The rolling re-read rides in the same round, after the window (so it wins over it).
            for i in reverify.sorted() { commands.append(rereadCommand(buckets[i], key: key, limit: limit)) }
            return commands
        }
    }

    /// `ZRANGE key low (high BYSCORE LIMIT 0 limit+1 WITHSCORES` for a bucket re-read (one more
    /// than the limit: a bucket that grew past it sends the poll back to a whole read).
    static func rereadCommand(_ bucket: Bucket, key: [UInt8], limit: Int) -> RedisCommand {
        byScore(
            key: key, low: lowArgument(bucket.low), high: Array(("(" + RoundPlan.format(bucket.high)).utf8),
            count: limit + 1)
    }

    /// `ZRANGE key low high BYSCORE LIMIT 0 count WITHSCORES` (Redis 6.2+): the `+zrange` the
    /// least-privilege ACL already grants covers it, unlike `ZRANGEBYSCORE`. Older servers answer
    /// a syntax error, and the sampler reads the index whole from then on
    /// (``Sampler/readUnackedIndex(_:replies:using:now:errors:)``).
    static func byScore(key: [UInt8], low: [UInt8], high: [UInt8], count: Int) -> RedisCommand {
        [
            Array("ZRANGE".utf8), key, low, high, Array("BYSCORE".utf8), Array("LIMIT".utf8), Array("0".utf8),
            Array(String(count).utf8), Array("WITHSCORES".utf8),
        ]
    }

    /// Whether `command` is a by-score read (window or bucket), not a whole read.
    static func isByScore(_ command: RedisCommand) -> Bool { command.count > 4 && command[4] == Array("BYSCORE".utf8) }

    private static func lowArgument(_ low: Double) -> [UInt8] {
        low == -Double.infinity ? Array("-inf".utf8) : Array(RoundPlan.format(low).utf8)
    }

    /// Replaces the copy with a whole read (`ZRANGE 0 limit`, one more than the limit); it is valid
    /// only when the read returned at most `limit` members (it then holds the whole index).
    mutating func replaceAll(with read: [Member], now: Double, limit: Int) {
        fullReads += 1
        revision &+= 1
        lastChanges = nil
        guard read.count <= limit else {
            invalidate()
            return
        }
        members = read
        scores = [:]
        scores.reserveCapacity(read.count)
        for member in read { scores[member.key] = member.score }
        isValid = true
        updatedAt = now
    }

    /// The outcome of applying a delta read.
    enum Outcome: Equatable {
        /// The copy now matches the index as of this poll's reads.
        case updated
        /// The index outgrew the limit (or a read was cut at it): read it whole now.
        case needsFullRead
    }

    /// Applies a delta read: `rereads` holds the members of every re-read bucket in the order they
    /// were read (all after the window: the `reverified` buckets of the rolling re-read, then those
    /// whose counts changed), `window` the window's members. `now` is the poll's time.
    mutating func apply(
        buckets: [Bucket], rereads readOrder: [(bucket: Int, members: [Member])], window: [Member], reverified: Int,
        now: Double, limit: Int
    ) -> Outcome {
        deltaReads += 1
        if window.count > limit || readOrder.contains(where: { $0.members.count > limit }) { return .needsFullRead }
        var rereads: [Int: [Member]] = [:]
        for read in readOrder { rereads[read.bucket] = read.members }
        // Which read each tag was last seen in: the window (read first) loses to a re-read bucket.
        var latest: [UnackedTagKey: Double] = [:]
        latest.reserveCapacity(window.count)
        for member in window { latest[member.key] = member.score }
        var addedBelowWindow = false
        // In the order read: a tag in two re-reads moved between them, and the later one wins.
        for (i, read) in readOrder {
            let bucket = buckets[i]
            for member in read {
                latest[member.key] = member.score
                // A tag that was not in this bucket at this score: added (or moved) below the window.
                // Compared, not a Range: bounds from a hostile server's reply may be reversed.
                if scores[member.key] != member.score || !(member.score >= bucket.low && member.score < bucket.high) {
                    addedBelowWindow = true
                }
            }
            deltaMembersRead += UInt64(read.count)
        }
        deltaMembersRead += UInt64(window.count)
        // Kept buckets: drop tags a later read saw elsewhere (moved while the reads ran).
        var dropFromKept: Set<Int> = []
        for (key, score) in latest {
            guard let old = scores[key], old != score else { continue }
            if let i = bucketIndex(of: old, in: buckets), rereads[i] == nil { dropFromKept.insert(i) }
        }

        var next: [Member] = []
        next.reserveCapacity(members.count + window.count)
        // Where `next` holds what was read or pruned (everything else is copied unchanged).
        var rewrittenRegions: [Range<Int>] = []
        for (i, bucket) in buckets.enumerated() {
            let start = next.count
            if let read = rereads[i] {
                for member in read where latest[member.key] == member.score { next.append(member) }
                rewrittenRegions.append(start..<next.count)
            } else if dropFromKept.contains(i) {
                for member in members[bucket.range] where latest[member.key].map({ $0 == member.score }) ?? true {
                    next.append(member)
                }
                rewrittenRegions.append(start..<next.count)
            } else {
                next.append(contentsOf: members[bucket.range])
            }
        }
        let windowStart = next.count
        for member in window where latest[member.key] == member.score { next.append(member) }
        rewrittenRegions.append(windowStart..<next.count)
        if next.count > limit { return .needsFullRead }

        // The dictionary: out with the members of every range that was read, in with what was read.
        let windowFrom = buckets.last.map { $0.range.upperBound } ?? 0
        for member in members[windowFrom...] where scores[member.key] == member.score { scores[member.key] = nil }
        for i in rereads.keys {
            for member in members[buckets[i].range] where scores[member.key] == member.score {
                scores[member.key] = nil
            }
        }
        for (key, score) in latest { scores[key] = score }
        lastChanges = UnackedIndexMirror.changes(
            old: members, new: next, newRegions: rewrittenRegions, buckets: buckets,
            rewritten: Set(rereads.keys).union(dropFromKept), from: revision, to: revision &+ 1)
        revision &+= 1
        members = next
        updatedAt = now
        rotation = (rotation + reverified) % max(1, buckets.count)
        if addedBelowWindow {
            belowWindowAdds += 1
            fullReadsUntil = now + UnackedIndexMirror.fullReadHold
        }
        return .updated
    }

    /// Notes that the server refused the by-score read: whole reads from now on.
    mutating func refuseByScore() {
        byScoreRefused = true
        invalidate()
    }

    /// Notes that a bucket's count was higher than the copy's: members were added below the window.
    mutating func noteGrowthBelowWindow(now: Double) {
        belowWindowAdds += 1
        fullReadsUntil = now + UnackedIndexMirror.fullReadHold
    }

    /// The difference between `old` and `new` over the ranges a delta rewrote (the `rewritten`
    /// buckets and the window in `old`, `newRegions` in `new`; every other bucket was copied
    /// unchanged): O(rewritten members), not O(members).
    private static func changes(
        old: [Member], new: [Member], newRegions: [Range<Int>], buckets: [Bucket], rewritten: Set<Int>,
        from: UInt64, to: UInt64
    ) -> Changes {
        var before: [UnackedTagKey: Double] = [:]
        let windowFrom = buckets.last.map { $0.range.upperBound } ?? 0
        for member in old[windowFrom...] { before[member.key] = member.score }
        for i in rewritten { for member in old[buckets[i].range] { before[member.key] = member.score } }
        var added: [Member] = []
        for region in newRegions {
            for member in new[region] {
                if before[member.key] == member.score {
                    before[member.key] = nil
                } else {
                    added.append(member)
                }
            }
        }
        let removed = before.map { Member(key: $0.key, score: $0.value) }
        return Changes(from: from, to: to, removed: removed, added: added)
    }

    private func bucketIndex(of score: Double, in buckets: [Bucket]) -> Int? {
        var low = 0
        var high = buckets.count
        while low < high {
            let mid = (low + high) / 2
            if buckets[mid].high <= score { low = mid + 1 } else { high = mid }
        }
        guard low < buckets.count, buckets[low].low <= score else { return nil }
        return low
    }
}
