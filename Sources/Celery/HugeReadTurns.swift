/// Decides which *huge* value (a queue tail or an `unacked` message of at least
/// ``HugeTailCache/hugeBytes``) gets the one huge read of a poll, and keeps a value whose read
/// failed from being tried again at once.
///
/// A huge read makes Redis copy the whole value into Lua (``SliceScript``): 70 MB took ~0.9 s of
/// Redis time on a loaded 2-core machine, and past the read timeout it fails. It is therefore the
/// last Redis call of a poll and its failure does not fail the poll (the value stays unread, its
/// queue's other numbers stand). Without a pause after a failure, the same read would run, and
/// time out, on every poll: Redis busy copying, the connection dropped each time.
///
/// Per candidate: the least recently attempted goes first; after a failure the candidate waits
/// ``firstRetryDelay`` doubled per consecutive failure up to ``maximumRetryDelay``. Memory: two
/// small entries per candidate of the latest poll; candidates not offered in a poll are forgotten.
struct HugeReadTurns {
    /// Seconds before a value whose huge read failed is tried again (first failure).
    static let firstRetryDelay: Double = 30
    /// Upper bound of the doubling retry delay.
    static let maximumRetryDelay: Double = 600

    private var attemptedAt: [[UInt8]: Double] = [:]
    private var failures: [[UInt8]: (count: Int, at: Double)] = [:]

    /// The candidate to read this poll (recording the attempt), or nil when every candidate is
    /// waiting out a failure. Ties go to the first listed.
    mutating func choose(_ candidates: [[UInt8]], now: Double) -> [UInt8]? {
        let ready = candidates.filter { isReady($0, now: now) }
        guard
            let chosen = ready.min(by: { attemptedAt[$0, default: -.infinity] < attemptedAt[$1, default: -.infinity] })
        else { return nil }
        attemptedAt[chosen] = now
        return chosen
    }

    /// Whether `candidate` is not waiting out a failed read.
    func isReady(_ candidate: [UInt8], now: Double) -> Bool {
        guard let failure = failures[candidate] else { return true }
        return now - failure.at >= HugeReadTurns.retryDelay(afterFailures: failure.count)
    }

    /// The pause after `count` consecutive failures.
    static func retryDelay(afterFailures count: Int) -> Double {
        let doublings = min(max(0, count - 1), 16)
        return min(maximumRetryDelay, firstRetryDelay * Double(1 << doublings))
    }

    /// Records how the read of `candidate` ended.
    mutating func finish(_ candidate: [UInt8], succeeded: Bool, now: Double) {
        if succeeded {
            failures[candidate] = nil
        } else {
            failures[candidate] = ((failures[candidate]?.count ?? 0) + 1, now)
        }
    }

    /// Consecutive failures of `candidate`'s huge read (0 when its last read succeeded).
    func failureCount(_ candidate: [UInt8]) -> Int { failures[candidate]?.count ?? 0 }

    /// Ends a poll: forgets candidates not offered in it.
    mutating func finishPoll(offered: Set<[UInt8]>) {
        attemptedAt = attemptedAt.filter { offered.contains($0.key) }
        failures = failures.filter { offered.contains($0.key) }
    }
}
