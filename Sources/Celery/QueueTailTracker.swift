import Redis

/// Ages of the oldest waiting message of each queue, from the tails (`LINDEX <list> -1`) of its
/// non-empty priority lists, read within the byte budget (``BoundedValue``), across polls.
///
/// kombu stores **no enqueue time**, so the age of a list tail comes from, in order:
/// 1. `headers.sent_at` written by a `before_task_publish` hook (exact);
/// 2. `headers.expires − properties.expiration/1000` (exact: Celery computes both from one `now()`);
/// 3. otherwise `now −` the time this tracker first saw the message **at the tail** (keyed by
///    `properties.delivery_tag`; a lower bound: the message may have waited behind others before,
///    or before the exporter started).
///
/// Tails whose `eta` is still in the future are skipped (a worker would hold them in `unacked`
/// until due, not run them) and the queue's other priority lists decide. Redelivered tails
/// (kombu's restore `RPUSH`es them to the tail with `redelivered: true`) are counted.
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
        /// Tails too large to read whole whose fields could not be read within the budget, by
        /// reason. Unread ones take no part in ``oldestAge``; sliced ones count from first seen.
        var unreadTails: [UnreadReason: Int] = [:]
    }

    /// Identity (delivery tag, or a hash of the raw element when it has none) → first seen at a tail.
    private(set) var firstSeen: [[UInt8]: Double] = [:]
    private var seenThisPoll: Set<[UInt8]> = []

    /// Folds the tails of one queue's non-empty priority lists into its ages. A tail read as head
    /// and tail slices is decoded from them; one whose fields are not there is counted as unread
    /// (and aged from first seen); one not read at all (scripting refused) is counted and not aged.
    mutating func observe(tails: [BoundedValue], now: Double) -> Ages {
        var ages = Ages()
        for value in tails {
            let message: KombuMessage?
            let identity: [UInt8]
            switch value {
            case .whole(let element):
                message = try? KombuMessage(bytes: element)
                identity = QueueTailTracker.identity(message, raw: element)
            case .sliced(let length, let head, let tail):
                // Fields not in the slices: counted as unread, but still aged from first seen (like
                // an undecodable element read whole), keyed by a hash of what was read.
                message = KombuFragments.message(head: head, tail: tail)
                if message == nil { ages.unreadTails[.beyondSlice, default: 0] += 1 }
                identity = QueueTailTracker.identity(
                    message, raw: head + tail + QueueTailTracker.bytes(of: UInt64(clamping: length)))
            case .unread(let reason):
                ages.unreadTails[reason, default: 0] += 1
                continue
            case .absent, .error:
                continue  // emptied since LLEN; errors are counted by the caller
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

    /// The delivery tag, or a hash of the raw bytes when there is none.
    private static func identity(_ message: KombuMessage?, raw: [UInt8]) -> [UInt8] {
        if let tag = message?.deliveryTag, !tag.isEmpty { return Array(tag.utf8) }
        return Array("raw:".utf8) + bytes(of: FNV1a.hash(raw))
    }

    private static func bytes(of value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
