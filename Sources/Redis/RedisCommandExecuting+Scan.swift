extension RedisCommandExecuting {
    /// One `SCAN` step: the keys of this batch and the cursor to continue from (`"0"` when the
    /// iteration is complete). Start with the default cursor `"0"`. Usable for incremental scans
    /// spread over several polls; note that Redis may return a key more than once per iteration.
    /// - Parameters:
    ///   - match: a glob pattern (`celery-task-meta-*`), binary-safe.
    ///   - count: a hint for how much work Redis does per step (Redis's default is 10).
    /// - Throws: ``RedisError/server(command:message:)`` for an error reply,
    ///   ``RedisError/protocol(message:)`` for a malformed one, or a transport error.
    public func scanStep(
        cursor: [UInt8] = Array("0".utf8), match: [UInt8]? = nil, count: Int? = nil
    ) throws -> (next: [UInt8], keys: [[UInt8]]) {
        var command: RedisCommand = [Array("SCAN".utf8), cursor]
        if let match { command += [Array("MATCH".utf8), match] }
        if let count { command += [Array("COUNT".utf8), Array(String(count).utf8)] }
        let (next, items) = try cursorReply(execute(command), command: "SCAN")
        let keys = try items.map { item -> [UInt8] in
            guard case .bulk(let key) = item else {
                throw RedisError.protocol(message: "SCAN returned a non-string key")
            }
            return key
        }
        return (next, keys)
    }

    /// One `SCAN` step with a text pattern.
    public func scanStep(cursor: [UInt8] = Array("0".utf8), match: String, count: Int? = nil) throws -> (
        next: [UInt8], keys: [[UInt8]]
    ) {
        try scanStep(cursor: cursor, match: Array(match.utf8), count: count)
    }

    /// Iterates `SCAN` to the end and returns each matching key once (Redis may repeat keys
    /// across steps; they are removed here). Stops early once `limit` distinct keys were found,
    /// so a surprise million keys cannot exhaust memory, or after `maximumSteps` calls, so a
    /// server that never returns cursor `0` cannot keep it looping; `complete` says whether the
    /// iteration reached the end.
    public func scanAll(
        match: [UInt8]? = nil, count: Int? = nil, limit: Int = 1_000_000, maximumSteps: Int = 1_000_000
    ) throws -> (keys: [[UInt8]], complete: Bool) {
        var seen = Set<[UInt8]>()
        var keys: [[UInt8]] = []
        var cursor: [UInt8] = Array("0".utf8)
        var steps = 0
        repeat {
            if steps == maximumSteps { return (keys, false) }
            steps += 1
            let step = try scanStep(cursor: cursor, match: match, count: count)
            for key in step.keys where seen.insert(key).inserted {
                if keys.count == limit { return (keys, false) }
                keys.append(key)
            }
            cursor = step.next
        } while cursor != Array("0".utf8)
        return (keys, true)
    }

    /// ``scanAll(match:count:limit:maximumSteps:)`` with a text pattern.
    public func scanAll(
        match: String, count: Int? = nil, limit: Int = 1_000_000, maximumSteps: Int = 1_000_000
    ) throws -> (keys: [[UInt8]], complete: Bool) {
        try scanAll(match: Array(match.utf8), count: count, limit: limit, maximumSteps: maximumSteps)
    }

    /// One `HSCAN` step over the hash at `key`: field/value pairs and the next cursor (`"0"` when
    /// complete). kombu's `unacked` hash is read this way without one unbounded `HGETALL`.
    public func hscanStep(
        key: [UInt8], cursor: [UInt8] = Array("0".utf8), count: Int? = nil
    ) throws -> (next: [UInt8], pairs: [(field: [UInt8], value: [UInt8])]) {
        var command: RedisCommand = [Array("HSCAN".utf8), key, cursor]
        if let count { command += [Array("COUNT".utf8), Array(String(count).utf8)] }
        let (next, items) = try cursorReply(execute(command), command: "HSCAN")
        guard items.count % 2 == 0 else { throw RedisError.protocol(message: "HSCAN returned an odd number of items") }
        var pairs: [(field: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(items.count / 2)
        var index = 0
        while index < items.count {
            guard case .bulk(let field) = items[index], case .bulk(let value) = items[index + 1] else {
                throw RedisError.protocol(message: "HSCAN returned a non-string field or value")
            }
            pairs.append((field, value))
            index += 2
        }
        return (next, pairs)
    }

    /// Splits a `[cursor, [items...]]` reply. The cursor must look like one (an unsigned 64-bit
    /// decimal): it is sent back with the next call, so a forged megabyte "cursor" would be too.
    private func cursorReply(_ reply: RESPValue, command: String) throws -> ([UInt8], [RESPValue]) {
        if let message = reply.errorMessage { throw RedisError.server(command: command, message: message) }
        guard case .array(let parts) = reply, parts.count == 2,
            case .bulk(let next) = parts[0], case .array(let items) = parts[1]
        else { throw RedisError.protocol(message: "\(command) reply is not [cursor, items]") }
        guard (1...20).contains(next.count), next.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw RedisError.protocol(message: "\(command) returned a cursor that is not a decimal number") }
        return (next, items)
    }
}
