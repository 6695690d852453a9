import Redis

extension Sampler {
    /// Reads the `unacked` values of `tags` (in order) within ``CeleryConfiguration/valueReadBudget``:
    ///
    /// 1. one pipelined round of `HSTRLEN unacked <tag>` (a few bytes per reply);
    /// 2. values up to the whole-value budget with `HMGET`, each round's sizes summing to at most
    ///    the round budget (about 4 MiB, however many tasks carry megabyte arguments);
    /// 3. larger values as head and tail slices through ``SliceScript`` (or
    ///    ``BoundedValue/unread(_:)`` when Redis refuses scripting); huge ones (at least
    ///    ``HugeTailCache/hugeBytes``) answer ``UnreadReason/deferred`` and are listed in
    ///    ``hugeUnackedTags`` for the poll's one huge read.
    ///
    /// Error replies are counted under ``PollStage/unacked`` and answered as ``BoundedValue/error(_:)``.
    /// Throws only transport failures.
    func readUnackedValues(
        _ tags: [[UInt8]], using redis: any RedisCommandExecuting, now: Double, errors: inout [PollStage: Int]
    ) throws -> [BoundedValue] {
        let hash = layout.unackedKey
        let budget = configuration.valueReadBudget
        let hstrlen = Array("HSTRLEN".utf8)
        let sizes = try run(tags.map { [hstrlen, hash, $0] }, on: redis)

        var values = [BoundedValue](repeating: .absent, count: tags.count)
        var small: [(index: Int, size: Int)] = []
        var large: [Int] = []
        var sizeErrors = false
        for (i, reply) in sizes.enumerated() {
            guard case .integer(let n) = reply, n >= 0 else {
                if !sizeErrors {
                    // One key: a WRONGTYPE `unacked` answers every HSTRLEN alike; count it once.
                    sizeErrors = true
                    errors[.unacked, default: 0] += 1
                    warnOnce(hash, "unacked is not a hash; entries stay unclassified", reply: reply)
                }
                values[i] = .error(reply.errorMessage ?? "unexpected HSTRLEN reply")
                continue
            }
            // 0 is a missing field or an empty value; HMGET tells them apart at no cost.
            if n <= Int64(budget.wholeValueBytes) {
                small.append((i, Int(n)))
            } else if n >= Int64(HugeTailCache.hugeBytes) {
                // Huge: Redis copies it whole into Lua to slice it; that read waits for the end of
                // the poll, one huge value per poll (``HugeReadTurns``).
                values[i] = .unread(.deferred)
                hugeUnackedTags.append(tags[i])
            } else {
                large.append(i)
            }
        }

        // HMGET in rounds whose announced sizes sum to at most the round budget.
        var start = 0
        while start < small.count {
            var end = start
            var bytes = 0
            while end < small.count, end == start || bytes + small[end].size <= budget.roundBytes {
                bytes += small[end].size
                end += 1
            }
            let batch = small[start..<end]
            let reply = try run([[Array("HMGET".utf8), hash] + batch.map { tags[$0.index] }], on: redis)[0]
            if case .array(let parts) = reply, parts.count == batch.count {
                for (entry, part) in zip(batch, parts) {
                    if case .bulk(let payload) = part {
                        values[entry.index] = .whole(payload)
                    } else {
                        values[entry.index] = .absent
                    }
                }
            } else {
                errors[.unacked, default: 0] += 1
                warnOnce(hash, "unacked is not a hash; entries stay unclassified", reply: reply)
                for entry in batch { values[entry.index] = .error(reply.errorMessage ?? "unexpected HMGET reply") }
            }
            start = end
        }

        if !large.isEmpty {
            let read = try sliceScript.read(
                large.map { .hashField(key: hash, field: tags[$0]) }, using: redis, now: now)
            noteScriptRefusal()
            for (i, value) in zip(large, read) {
                if case .error = value { errors[.unacked, default: 0] += 1 }
                values[i] = value
            }
        }
        return values
    }

    /// Logs once (per process) that Redis refused the slicing script, naming the commands to allow.
    func noteScriptRefusal() {
        guard sliceScript.isRefused else { return }
        warnOnce(
            Array("\u{0}slice-script".utf8),
            "Redis refused the read-only slicing script (allow SCRIPT LOAD and EVALSHA_RO, or EVALSHA before Redis 7); messages over the whole-value budget are counted as unread",
            reply: sliceScript.refusal.map { .error($0) })
    }
}
