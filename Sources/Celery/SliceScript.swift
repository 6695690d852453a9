import Redis

/// Reads list elements and hash fields of unknown size within a ``ValueReadBudget``, with a short
/// server-side Lua script: Redis has no partial read of a list element or hash field (`GETRANGE`
/// works on strings only), so the script answers with the whole value when it is small, and
/// otherwise with `{length, first n bytes, last n bytes}`. Inside Redis the script still holds the
/// value (`LINDEX`/`HGET` materialise it); only the reply, the exporter's memory, is bounded.
///
/// The script is loaded once (`SCRIPT LOAD`) and called by hash: `EVALSHA_RO` (Redis 7, also
/// allowed on read-only replicas and by ACLs that only grant read-only scripting), falling back to
/// `EVALSHA` where `EVALSHA_RO` is an unknown command (Redis 6); `NOSCRIPT` (a `SCRIPT FLUSH` or a
/// restart) reloads it. When Redis refuses scripting (`NOPERM` from an ACL, or the commands renamed
/// away), every request answers ``BoundedValue/unread(_:)`` with
/// ``UnreadReason/scriptingUnavailable`` and the refusal is re-probed every ``reprobeInterval``.
///
/// Not `Sendable`: belongs to the sampler and its poller thread.
final class SliceScript {
    /// What to read: `LINDEX key index` or `HGET key field`.
    enum Target: Equatable {
        case listElement(key: [UInt8], index: Int)
        case hashField(key: [UInt8], field: [UInt8])
        /// `LINDEX key index`, unless `MEMORY USAGE key` says the list may hold a huge element
        /// (``HugeTailCache``): then it answers ``BoundedValue/unread(_:)`` with
        /// ``UnreadReason/deferred`` without touching the element.
        case probedListElement(key: [UInt8], index: Int)
    }

    /// `KEYS[1]` the list or hash; `ARGV` = `l`|`p`|`h`, index or field, whole-value limit, slice
    /// bytes, and for `p` the probe's total and per-element limits. A nil element/field returns Lua
    /// `false`, which Redis answers as a nil reply.
    ///
    /// The `p` probe: `MEMORY USAGE` with its default 5 samples is O(1) and copies nothing; it is
    /// exact for lists of up to 5 quicklist nodes (a huge element is a node of its own) and samples
    /// the newest nodes of longer ones (there it cannot see a huge tail: that tail is read
    /// directly). It runs under `pcall`: an ACL without `+memory|usage` makes it a no-op, not an error.
    ///
    /// The `n` mode (``BacklogScript``) reads up to `ARGV[4]` list elements from index `ARGV[2]` in
    /// steps of `ARGV[3]` and answers only `{bytes copied, identity, task name, …}`: the name is the
    /// first `"task": "…"` member not inside a string, found in the element's last `ARGV[5]` bytes
    /// (kombu puts `headers` after the body) and cut to `ARGV[6]` bytes; `''` when there is none.
    /// The identity is the element's length and its `"id"` header. It stops early once it has
    /// copied `ARGV[7]` bytes (always after at least one element), so one call bounds Redis's work.
    /// Before reading, the `p` probe with `ARGV[8]` and `ARGV[9]` answers `{-1, MEMORY USAGE}` for
    /// a list whose elements average `ARGV[9]` bytes or more, without copying any.
    static let source = """
        local function field(s, key, cap)
          local from = 1
          for _ = 1, 8 do
            local a, b, val = string.find(s, '"' .. key .. '"%s*:%s*"([^"\\\\]*)"', from)
            if not a then return '' end
            local j, bs = a - 1, 0
            while j > 0 and string.byte(s, j) == 92 do bs = bs + 1; j = j - 1 end
            if bs % 2 == 0 then return string.sub(val, 1, cap) end
            from = b + 1
          end
          return ''
        end
        if ARGV[1] == 'n' then
          local m = redis.pcall('MEMORY', 'USAGE', KEYS[1])
          if type(m) == 'number' and m >= tonumber(ARGV[8]) and m >= tonumber(ARGV[9]) * redis.call('LLEN', KEYS[1]) then return {-1, m} end
          local out, copied, i, step = {0}, 0, tonumber(ARGV[2]), tonumber(ARGV[3])
          local window, cap, budget = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
          for _ = 1, tonumber(ARGV[4]) do
            local e = redis.call('LINDEX', KEYS[1], i)
            if not e then break end
            local n = string.len(e)
            copied = copied + n
            local s = e
            if n > window then s = string.sub(e, n - window + 1) end
            e = nil
            out[#out + 1] = n .. ':' .. field(s, 'id', 64)
            out[#out + 1] = field(s, 'task', cap)
            i = i + step
            if copied >= budget then break end
          end
          out[1] = copied
          return out
        end
        local v
        if ARGV[1] == 'p' then
          local m = redis.pcall('MEMORY', 'USAGE', KEYS[1])
          if type(m) == 'number' and m >= tonumber(ARGV[5]) and m >= tonumber(ARGV[6]) * redis.call('LLEN', KEYS[1]) then return {-1, m} end
        end
        if ARGV[1] ~= 'h' then v = redis.call('LINDEX', KEYS[1], ARGV[2]) else v = redis.call('HGET', KEYS[1], ARGV[2]) end
        if not v then return false end
        local n = string.len(v)
        if n <= tonumber(ARGV[3]) then return v end
        local k = tonumber(ARGV[4])
        return {n, string.sub(v, 1, k), string.sub(v, n - k + 1)}
        """

    /// Seconds between attempts to use scripting again after Redis refused it.
    static let reprobeInterval: Double = 300

    private enum Mode: Equatable {
        case unloaded
        case loaded(sha: [UInt8], command: [UInt8])
        case refused(at: Double)
    }

    private var mode: Mode = .unloaded
    /// False once `EVALSHA_RO` was an unknown command (Redis 6): later loads go straight to `EVALSHA`.
    private var readOnlyCallAvailable = true
    let budget: ValueReadBudget
    /// Why scripting was last refused (Redis's error text), for one log line per change.
    private(set) var refusal: String?

    init(budget: ValueReadBudget) { self.budget = budget }

    /// Whether the last attempt found scripting refused.
    var isRefused: Bool {
        if case .refused = mode { return true }
        return false
    }

    /// Reads every target, in pipelined rounds of at most ``ValueReadBudget/scriptCallsPerRound``
    /// calls of `budget` (the sampler's by default). Throws only what the executor throws
    /// (transport failures).
    func read(
        _ targets: [Target], using redis: any RedisCommandExecuting, now: Double, budget: ValueReadBudget? = nil
    ) throws -> [BoundedValue] {
        let budget = budget ?? self.budget
        var results: [BoundedValue] = []
        results.reserveCapacity(targets.count)
        var start = 0
        while start < targets.count {
            let end = min(targets.count, start + budget.scriptCallsPerRound)
            results += try readRound(Array(targets[start..<end]), using: redis, now: now, budget: budget)
            start = end
        }
        return results
    }

    /// The same answers as ``read(_:using:now:budget:)`` in fewer round trips: the first rounds read
    /// whole only values up to two slices (32 KiB by default, so a 4 MiB round holds 127 calls
    /// instead of 63; 500 queue tails took 8 round trips a poll, now 4), larger ones as the same
    /// head and tail slices as the full budget gives; only values between two slices and the
    /// whole-value budget (which the full budget reads whole) are read again. A large value is
    /// never copied twice by Redis.
    func readSmallFirst(_ targets: [Target], using redis: any RedisCommandExecuting, now: Double) throws
        -> [BoundedValue]
    {
        let small = 2 * budget.sliceBytes
        guard small < budget.wholeValueBytes else { return try read(targets, using: redis, now: now) }
        let first = ValueReadBudget(
            wholeValueBytes: small, sliceBytes: budget.sliceBytes, roundBytes: budget.roundBytes)
        var values = try read(targets, using: redis, now: now, budget: first)
        let again = values.indices.filter {
            if case .sliced(let length, _, _) = values[$0] { return length <= budget.wholeValueBytes }
            return false
        }
        if !again.isEmpty {
            for (i, value) in zip(again, try read(again.map { targets[$0] }, using: redis, now: now)) {
                values[i] = value
            }
        }
        return values
    }

    private func readRound(
        _ targets: [Target], using redis: any RedisCommandExecuting, now: Double, budget: ValueReadBudget
    ) throws -> [BoundedValue] {
        let replies = try evaluate(using: redis, now: now) { command, sha in
            targets.map { self.call(command, sha: sha, $0, budget: budget) }
        }
        return replies?.map(SliceScript.value) ?? Array(repeating: .unread(.scriptingUnavailable), count: targets.count)
    }

    /// Sends one pipelined round of script calls, built by `calls` from the call command
    /// (`EVALSHA_RO` or `EVALSHA`) and the script's SHA, loading or reloading the script as needed.
    /// Nil when Redis refuses scripting. Throws only what the executor throws.
    func evaluate(
        using redis: any RedisCommandExecuting, now: Double,
        calls: (_ command: [UInt8], _ sha: [UInt8]) -> [RedisCommand]
    ) throws -> [RESPValue]? {
        // At most: load, call, (reload or switch to EVALSHA) and call again.
        for _ in 0..<3 {
            guard case .loaded(let sha, let command) = try ensureLoaded(using: redis, now: now) else { return nil }
            let commands = calls(command, sha)
            if commands.isEmpty { return [] }
            let replies = try redis.pipeline(commands)
            guard replies.count == commands.count else {
                throw SamplerError.replyCountMismatch(sent: commands.count, received: replies.count)
            }
            if let retry = reaction(to: replies, command: command, now: now) {
                mode = retry
                continue
            }
            return replies
        }
        return nil
    }

    /// Loads the script when needed; the resulting mode.
    private func ensureLoaded(using redis: any RedisCommandExecuting, now: Double) throws -> Mode {
        if case .refused(let at) = mode, now - at < SliceScript.reprobeInterval { return mode }
        if case .loaded = mode { return mode }
        let reply = try redis.pipeline([[Array("SCRIPT".utf8), Array("LOAD".utf8), Array(SliceScript.source.utf8)]])
        if case .bulk(let sha)? = reply.first, sha.count == 40 {
            mode = .loaded(sha: sha, command: Array((readOnlyCallAvailable ? "EVALSHA_RO" : "EVALSHA").utf8))
            refusal = nil
        } else {
            mode = .refused(at: now)
            refusal = reply.first?.errorMessage ?? "unexpected SCRIPT LOAD reply"
        }
        return mode
    }

    /// Nil when the replies are usable; otherwise the mode to retry with.
    private func reaction(to replies: [RESPValue], command: [UInt8], now: Double) -> Mode? {
        for reply in replies {
            guard let message = reply.errorMessage else { continue }
            if message.hasPrefix("NOSCRIPT") { return .unloaded }
            let lower = message.lowercased()
            let aboutCall = lower.contains("evalsha")
            if lower.contains("unknown command") && aboutCall {
                if command == Array("EVALSHA_RO".utf8), case .loaded(let sha, _) = mode {
                    readOnlyCallAvailable = false
                    return .loaded(sha: sha, command: Array("EVALSHA".utf8))
                }
                refusal = message
                return .refused(at: now)
            }
            if message.hasPrefix("NOPERM") && aboutCall {
                refusal = message
                return .refused(at: now)
            }
        }
        return nil
    }

    private func call(_ command: [UInt8], sha: [UInt8], _ target: Target, budget: ValueReadBudget) -> RedisCommand {
        let whole = Array(String(budget.wholeValueBytes).utf8)
        let slice = Array(String(budget.sliceBytes).utf8)
        switch target {
        case .listElement(let key, let index):
            return [command, sha, Array("1".utf8), key, Array("l".utf8), Array(String(index).utf8), whole, slice]
        case .hashField(let key, let field):
            return [command, sha, Array("1".utf8), key, Array("h".utf8), field, whole, slice]
        case .probedListElement(let key, let index):
            return [
                command, sha, Array("1".utf8), key, Array("p".utf8), Array(String(index).utf8), whole, slice,
                Array(String(HugeTailCache.hugeBytes).utf8), Array(String(HugeTailCache.probeBytesPerElement).utf8),
            ]
        }
    }

    /// One script reply as a value; any other shape is an error (never trusted).
    static func value(_ reply: RESPValue) -> BoundedValue {
        switch reply {
        case .null: return .absent
        case .bulk(let bytes): return .whole(bytes)
        case .array(let parts) where parts.count == 2:
            guard case .integer(-1) = parts[0] else { return .error("unexpected script reply") }
            return .unread(.deferred)
        case .array(let parts):
            guard parts.count == 3, case .integer(let length) = parts[0], let head = parts[1].bytes,
                let tail = parts[2].bytes
            else { return .error("unexpected script reply") }
            return .sliced(length: Int(clamping: length), head: head, tail: tail)
        case .error(let message): return .error(message)
        default: return .error("unexpected script reply")
        }
    }
}
