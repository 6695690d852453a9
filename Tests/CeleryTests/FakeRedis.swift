import Redis

/// Thrown by ``FakeRedis`` to stand in for a transport failure.
struct FakeTransportError: Error, Equatable {}

/// A tiny in-memory Redis model answering the commands the sampler sends, with Redis's own
/// semantics for missing keys (0 / empty) and wrong types (`WRONGTYPE` error replies). Records every
/// pipeline so tests can assert on the exact commands.
final class FakeRedis: RedisCommandExecuting {
    var lists: [[UInt8]: Int64] = [:]
    var zsets: [[UInt8]: [[UInt8]: Double]] = [:]
    var hashes: [[UInt8]: [[UInt8]: [UInt8]]] = [:]
    var sets: [[UInt8]: [[UInt8]]] = [:]
    var strings: [[UInt8]: [UInt8]] = [:]
    /// The element at index -1 (the oldest message) of lists in ``lists``; absent = nil reply.
    var listTails: [[UInt8]: [UInt8]] = [:]
    /// Remaining time to live in milliseconds, for `PTTL` (keys without an entry have no TTL).
    var ttls: [[UInt8]: Int64] = [:]
    /// Keys per SCAN page (small, so the cursor loop is exercised).
    var scanPageSize = 3
    /// A pipeline containing a command this returns true for throws instead of answering.
    var failWhen: ((RedisCommand) -> Bool)?
    /// What a failing pipeline throws.
    var failure: any Error = FakeTransportError()
    /// Replaces the reply of any command this returns non-nil for.
    var override: ((RedisCommand) -> RESPValue?)?
    /// When true, `SCRIPT LOAD` answers `NOPERM` (an ACL without scripting).
    var scriptingRefused = false
    /// Every pipeline sent, in order.
    private(set) var rounds: [[RedisCommand]] = []

    var commands: [RedisCommand] { rounds.flatMap { $0 } }
    func commands(named name: String) -> [RedisCommand] { commands.filter { $0.first == Array(name.utf8) } }

    func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        rounds.append(commands)
        if let failWhen, commands.contains(where: failWhen) { throw failure }
        return commands.map { command in override?(command) ?? answer(command) }
    }

    private static let wrongType = RESPValue.error("WRONGTYPE Operation against a key holding the wrong kind of value")

    private func type(of key: [UInt8]) -> String? {
        if lists[key] != nil { return "list" }
        if zsets[key] != nil { return "zset" }
        if hashes[key] != nil { return "hash" }
        if sets[key] != nil { return "set" }
        if strings[key] != nil { return "string" }
        return nil
    }

    private func check(_ key: [UInt8], _ expected: String) -> RESPValue? {
        guard let t = type(of: key), t != expected else { return nil }
        return FakeRedis.wrongType
    }

    private func answer(_ c: RedisCommand) -> RESPValue {
        let name = String(decoding: c[0], as: UTF8.self)
        switch name {
        case "LLEN":
            return check(c[1], "list") ?? .integer(lists[c[1]] ?? 0)
        case "ZCARD":
            return check(c[1], "zset") ?? .integer(Int64(zsets[c[1]]?.count ?? 0))
        case "ZCOUNT":
            if let e = check(c[1], "zset") { return e }
            let (lo, loEx) = FakeRedis.bound(c[2])
            let (hi, hiEx) = FakeRedis.bound(c[3])
            let n = (zsets[c[1]] ?? [:]).values.filter {
                (loEx ? $0 > lo : $0 >= lo) && (hiEx ? $0 < hi : $0 <= hi)
            }.count
            return .integer(Int64(n))
        case "ZRANGE" where c.count > 4 && c[4] == Array("BYSCORE".utf8):
            // ZRANGE key min max BYSCORE LIMIT offset count WITHSCORES, as ZRANGEBYSCORE.
            return answer([Array("ZRANGEBYSCORE".utf8), c[1], c[2], c[3], Array("WITHSCORES".utf8)] + c[5..<8])
        case "ZRANGE":
            if let e = check(c[1], "zset") { return e }
            let sorted = (zsets[c[1]] ?? [:]).sorted {
                $0.value != $1.value ? $0.value < $1.value : $0.key.lexicographicallyPrecedes($1.key)
            }
            let start = Int(String(decoding: c[2], as: UTF8.self))!
            let stop = min(Int(String(decoding: c[3], as: UTF8.self))!, sorted.count - 1)
            guard start <= stop else { return .array([]) }
            return .array(sorted[start...stop].flatMap { [.bulk($0.key), .bulk(Array("\($0.value)".utf8))] })
        case "ZRANGEBYSCORE":
            // ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
            if let e = check(c[1], "zset") { return e }
            let (lo, loEx) = FakeRedis.bound(c[2])
            let (hi, hiEx) = FakeRedis.bound(c[3])
            var members = (zsets[c[1]] ?? [:]).filter {
                (loEx ? $0.value > lo : $0.value >= lo) && (hiEx ? $0.value < hi : $0.value <= hi)
            }.sorted { $0.value != $1.value ? $0.value < $1.value : $0.key.lexicographicallyPrecedes($1.key) }
            if let at = c.firstIndex(of: Array("LIMIT".utf8)) {
                let offset = Int(String(decoding: c[at + 1], as: UTF8.self))!
                let count = Int(String(decoding: c[at + 2], as: UTF8.self))!
                members = Array(members.dropFirst(offset).prefix(count < 0 ? Int.max : count))
            }
            return .array(members.flatMap { [.bulk($0.key), .bulk(Array("\($0.value)".utf8))] })
        case "LINDEX":
            if let e = check(c[1], "list") { return e }
            guard lists[c[1]] != nil, String(decoding: c[2], as: UTF8.self) == "-1" else { return .null }
            return listTails[c[1]].map(RESPValue.bulk) ?? .null
        case "GET":
            if let e = check(c[1], "string") { return e }
            return strings[c[1]].map(RESPValue.bulk) ?? .null
        case "GETRANGE":
            if let e = check(c[1], "string") { return e }
            return .bulk(FakeRedis.range(strings[c[1]] ?? [], c[2], c[3]))
        case "PTTL":
            guard type(of: c[1]) != nil else { return .integer(-2) }
            return .integer(ttls[c[1]] ?? -1)
        case "DBSIZE":
            return .integer(Int64(lists.count + zsets.count + hashes.count + sets.count + strings.count))
        case "HSTRLEN":
            if let e = check(c[1], "hash") { return e }
            return .integer(Int64(hashes[c[1]]?[c[2]]?.count ?? 0))
        case "SCRIPT":
            if scriptingRefused {
                return .error("NOPERM User exporter has no permissions to run the 'script|load' command")
            }
            return .bulk(Array(String(repeating: "5", count: 40).utf8))
        case "EVALSHA_RO":
            // SliceScript.source: KEYS[1], ARGV = l|p|h, index|field, whole-value limit, slice bytes,
            // for p the probe's limits (the tail's size stands in for MEMORY USAGE).
            let key = c[3]
            let value: [UInt8]?
            if c[4] == Array("n".utf8) {
                // The backlog mode (BacklogScript): this model holds no list elements but the tail, so
                // it reads none; the real script is tested against redis-server (BacklogIntegrationTests).
                if let e = check(key, "list") { return e }
                return .array([.integer(0)])
            }
            if c[4] == Array("l".utf8) || c[4] == Array("p".utf8) {
                if let e = check(key, "list") { return e }
                value = String(decoding: c[5], as: UTF8.self) == "-1" && lists[key] != nil ? listTails[key] : nil
                if c[4] == Array("p".utf8), let size = value?.count,
                    size >= Int(String(decoding: c[8], as: UTF8.self))!,
                    size >= Int(String(decoding: c[9], as: UTF8.self))! * Int(lists[key] ?? 1)
                {
                    return .array([.integer(-1), .integer(Int64(size))])
                }
            } else {
                if let e = check(key, "hash") { return e }
                value = hashes[key]?[c[5]]
            }
            guard let value else { return .null }
            let whole = Int(String(decoding: c[6], as: UTF8.self))!
            let slice = Int(String(decoding: c[7], as: UTF8.self))!
            if value.count <= whole { return .bulk(value) }
            return .array([
                .integer(Int64(value.count)), .bulk(Array(value.prefix(slice))), .bulk(Array(value.suffix(slice))),
            ])
        case "HMGET":
            if let e = check(c[1], "hash") { return e }
            return .array(c[2...].map { hashes[c[1]]?[$0].map(RESPValue.bulk) ?? .null })
        case "SMEMBERS":
            if let e = check(c[1], "set") { return e }
            return .array((sets[c[1]] ?? []).map(RESPValue.bulk))
        case "SCAN":
            let cursor = Int(String(decoding: c[1], as: UTF8.self))!
            let pattern = c.count > 3 && c[2] == Array("MATCH".utf8) ? c[3] : Array("*".utf8)
            let all =
                (Array(lists.keys) + Array(zsets.keys) + Array(hashes.keys) + Array(sets.keys)
                + Array(strings.keys)).sorted { $0.lexicographicallyPrecedes($1) }
            let page = all.dropFirst(cursor).prefix(scanPageSize)
            let next = cursor + page.count >= all.count ? 0 : cursor + page.count
            return .array([
                .bulk(Array(String(next).utf8)),
                .array(page.filter { FakeRedis.glob(pattern[...], $0[...]) }.map(RESPValue.bulk)),
            ])
        default:
            return .error("ERR unknown command '\(name)'")
        }
    }

    /// `GETRANGE`'s substring: negative indexes count from the end; out of range is clamped.
    private static func range(_ value: [UInt8], _ start: [UInt8], _ end: [UInt8]) -> [UInt8] {
        let count = value.count
        var from = Int(String(decoding: start, as: UTF8.self))!
        var to = Int(String(decoding: end, as: UTF8.self))!
        if from < 0 { from = max(0, count + from) }
        if to < 0 { to = count + to }
        to = min(to, count - 1)
        guard count > 0, from <= to else { return [] }
        return Array(value[from...to])
    }

    private static func bound(_ arg: [UInt8]) -> (Double, Bool) {
        var text = String(decoding: arg, as: UTF8.self)
        let exclusive = text.hasPrefix("(")
        if exclusive { text.removeFirst() }
        if text == "+inf" { return (.infinity, exclusive) }
        return (Double(text)!, exclusive)
    }

    /// Redis-style glob: `*`, `?`, `[...]` (with ranges and `^`), `\` escapes.
    static func glob(_ p: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        guard let c = p.first else { return s.isEmpty }
        switch c {
        case UInt8(ascii: "*"):
            var rest = s
            while true {
                if glob(p.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        case UInt8(ascii: "?"):
            return !s.isEmpty && glob(p.dropFirst(), s.dropFirst())
        case UInt8(ascii: "["):
            guard let ch = s.first else { return false }
            var i = p.index(after: p.startIndex)
            var negate = false
            if i < p.endIndex, p[i] == UInt8(ascii: "^") {
                negate = true
                i += 1
            }
            var matched = false
            while i < p.endIndex, p[i] != UInt8(ascii: "]") {
                if p[i] == UInt8(ascii: "\\"), i + 1 < p.endIndex {
                    i += 1
                    if p[i] == ch { matched = true }
                } else if i + 2 < p.endIndex, p[i + 1] == UInt8(ascii: "-") {
                    if (min(p[i], p[i + 2])...max(p[i], p[i + 2])).contains(ch) { matched = true }
                    i += 2
                } else if p[i] == ch {
                    matched = true
                }
                i += 1
            }
            guard i < p.endIndex else { return false }
            return matched != negate && glob(p[(i + 1)...], s.dropFirst())
        case UInt8(ascii: "\\") where p.count >= 2:
            let lit = p[p.index(after: p.startIndex)]
            return s.first == lit && glob(p.dropFirst(2), s.dropFirst())
        default:
            return s.first == c && glob(p.dropFirst(), s.dropFirst())
        }
    }
}
