import Redis

/// Ages of the oldest waiting message of each queue, from the `LINDEX <list> -1` replies of the
/// main round (one per priority list), across polls.
///
/// kombu stores **no enqueue time** (model doc §0.2), so the age of a list tail comes from, in order:
/// 1. `headers.sent_at` written by a `before_task_publish` hook (exact);
/// 2. `headers.expires − properties.expiration/1000` (exact: Celery computes both from one `now()`);
/// 3. otherwise `now −` the time this tracker first saw the message **at the tail** (keyed by
///    `properties.delivery_tag`; a lower bound: the message may have waited behind others before,
///    or before the exporter started).
///
/// Tails whose `eta` is still in the future are skipped (a worker would hold them, not run them,
/// §6) and the queue's other priority lists decide. Redelivered tails (kombu's restore `RPUSH`es
/// them to the tail with `redelivered: true`, §5) are counted.
///
/// Memory: only identities currently at some tail are kept (≤ 10 per known queue); every other
/// identity is evicted at the end of each poll.
struct QueueTailTracker {
    /// Per-queue result of one poll.
    struct Ages: Equatable {
        /// Age of the oldest waiting message whose ETA (if any) has passed; nil when there is none.
        var oldestAge: Double?
        /// Whether ``oldestAge`` came from a publish time carried by the message (exact).
        var exact = false
        /// Priority-list tails flagged `redelivered`.
        var redeliveredTails = 0
        /// Priority-list tails skipped because their `eta` is in the future.
        var futureETATails = 0
    }

    /// Identity (delivery tag, or a hash of the raw element when it has none) → first seen at a tail.
    private(set) var firstSeen: [[UInt8]: Double] = [:]
    private var seenThisPoll: Set<[UInt8]> = []

    /// Folds the `LINDEX` replies of one queue (one per priority step) into its ages.
    mutating func observe(tails: ArraySlice<RESPValue>, now: Double) -> Ages {
        var ages = Ages()
        for reply in tails {
            guard case .bulk(let element) = reply else { continue }  // nil: empty/missing list; errors counted by LLEN
            let message = try? KombuMessage(bytes: element)
            let identity: [UInt8]
            if let tag = message?.deliveryTag, !tag.isEmpty {
                identity = Array(tag.utf8)
            } else {
                identity = Array("raw:".utf8) + QueueTailTracker.bytes(of: FNV1a.hash(element))
            }
            seenThisPoll.insert(identity)
            let seen: Double
            if let known = firstSeen[identity] {
                seen = known
            } else {
                seen = now
                firstSeen[identity] = now
            }
            if message?.redelivered == true { ages.redeliveredTails += 1 }
            if let eta = message?.eta, eta > now {
                ages.futureETATails += 1
                continue
            }
            let age: Double
            let exact: Bool
            if let published = message?.publishedAt {
                age = max(0, now - published)
                exact = true
            } else {
                age = max(0, now - seen)
                exact = false
            }
            if ages.oldestAge.map({ age > $0 }) ?? true {
                ages.oldestAge = age
                ages.exact = exact
            }
        }
        return ages
    }

    /// Ends a poll: forgets every identity not at a tail in this poll (consumed, or moved away).
    mutating func finishPoll() {
        firstSeen = firstSeen.filter { seenThisPoll.contains($0.key) }
        seenThisPoll.removeAll(keepingCapacity: true)
    }

    private static func bytes(of value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
