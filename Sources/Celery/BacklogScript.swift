import Redis

/// The backlog stage's reads: `n` mode of the ``SliceScript`` Lua script, which walks a run of list
/// elements server-side and answers only each one's identity and `task` header, never the body, so
/// a reply is at most about ``replyBytesPerElement`` bytes per message however large the message.
///
/// Redis still copies each element into Lua (`LINDEX` has no partial read), so every call carries
/// a copy budget: the script stops once it has copied that many bytes, after at least one element.
struct BacklogScript {
    /// One run of elements to read: `count` elements from `start`, stepping by `step` (−1 from the
    /// tail end towards the head, +1 from the head end towards the tail).
    struct Run: Equatable {
        var key: [UInt8]
        var start: Int
        var step: Int
        var count: Int
        /// Bytes Redis may copy before the script stops (it always reads one element).
        var copyBudget: Int
    }

    /// Longest task name returned (bytes); longer names are cut here, then capped for labels by
    /// ``LabelValueLimit`` (names that share their first 1 KiB are one name).
    static let nameBytes = 1_024
    /// Upper bound on one element's share of a reply: length and `id` (≤ 64) and the name.
    static let replyBytesPerElement = nameBytes + 64 + 40
    /// Most elements one call reads, so one reply stays well within a round's byte budget.
    static let maxElementsPerCall = 256

    /// Bytes of an element's end searched for the `task` header (the budget's slice size: kombu
    /// puts `headers` after the body, and Celery caps `argsrepr`/`kwargsrepr` at 1024 characters).
    let windowBytes: Int

    /// The `EVALSHA(_RO)` call of one run.
    func call(_ run: Run, command: [UInt8], sha: [UInt8]) -> RedisCommand {
        [
            command, sha, Array("1".utf8), run.key, Array("n".utf8), Array(String(run.start).utf8),
            Array(String(run.step).utf8), Array(String(min(run.count, BacklogScript.maxElementsPerCall)).utf8),
            Array(String(windowBytes).utf8), Array(String(BacklogScript.nameBytes).utf8),
            Array(String(max(1, run.copyBudget)).utf8), Array(String(HugeTailCache.hugeBytes).utf8),
            Array(String(HugeTailCache.hugeBytes).utf8),
        ]
    }

    /// What one call answered.
    enum Answer: Equatable {
        /// The elements read, in walking order, and the bytes Redis copied.
        case entries([BacklogEntry], copied: Int)
        /// The list's elements average ``HugeTailCache/hugeBytes`` or more (`MEMORY USAGE`): nothing
        /// was copied.
        case huge
        /// An error reply (e.g. `WRONGTYPE`), as text for logs.
        case error(String)
    }

    /// Decodes one reply: `{copied, identity, name, identity, name, …}`. Anything else is an error
    /// (never trusted).
    static func answer(_ reply: RESPValue) -> Answer {
        if let message = reply.errorMessage { return .error(message) }
        if case .array(let parts) = reply, parts.count == 2, case .integer(-1) = parts[0] { return .huge }
        guard case .array(let parts) = reply, let first = parts.first, case .integer(let copied) = first,
            parts.count % 2 == 1, parts.count <= 1 + 2 * maxElementsPerCall
        else { return .error("unexpected backlog script reply") }
        var entries: [BacklogEntry] = []
        entries.reserveCapacity(parts.count / 2)
        var i = 1
        while i < parts.count {
            guard let identity = parts[i].bytes, let name = parts[i + 1].bytes else {
                return .error("unexpected backlog script reply")
            }
            let size = identity.prefix { $0 != UInt8(ascii: ":") }
            entries.append(
                BacklogEntry(
                    identity: FNV1a.hash(identity), bytes: Int(String(decoding: size, as: UTF8.self)) ?? 0,
                    name: taskName(name)))
            i += 2
        }
        return .entries(entries, copied: Int(clamping: max(0, copied)))
    }

    /// `bytes` as a task name: nil when empty, not valid UTF-8 or holding control characters.
    static func taskName(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty, !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }),
            let name = String(validating: bytes, as: UTF8.self)
        else { return nil }
        return name
    }
}
