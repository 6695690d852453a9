import Foundation
import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// A Redis executor that records every slicing-script call: its mode (`l` plain read, `p` probed
/// read, `h` hash field) and key, per pipelined round.
final class ScriptCallRecorder: RedisCommandExecuting {
    let inner: any RedisCommandExecuting
    private(set) var calls: [(mode: String, key: String)] = []

    init(_ inner: any RedisCommandExecuting) { self.inner = inner }

    func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        for command in commands
        where command.count > 4 && String(decoding: command[0], as: UTF8.self).hasPrefix("EVALSHA") {
            calls.append((String(decoding: command[4], as: UTF8.self), String(decoding: command[3], as: UTF8.self)))
        }
        return try inner.pipeline(commands)
    }

    /// Calls recorded since `start`.
    func calls(since start: Int) -> [(mode: String, key: String)] { Array(calls[start...]) }
}

/// Issue 9 ("Trust"): every poll made Redis copy each queue's whole tail element into Lua (`LINDEX`
/// in the slicing script), even when it had not changed. Three 400 MB tails took seconds per poll,
/// stalled the workers and timed every poll out (`up 0`: a false CeleryRedisUnreachable). Real
/// `redis-server`; the 100 MB messages are built by Lua inside Redis.
@Suite(.serialized) struct HugeTailIntegrationTests {
    private let t0 = 1_795_625_000.0
    private let queues = ["big1", "big2", "big3"]
    private static let hugeBytes = 100_000_000

    private func eval(_ server: RedisServer, _ script: String, key: String, _ args: String...) throws {
        // Building a huge value is slow on a loaded machine (seconds per 100 MB): wait for it.
        try seed(server, [b("EVAL"), b(script), b("1"), b(key)] + args.map(b), timeout: 180)
    }

    /// `LPUSH`es a Celery message whose body is `bodyBytes` of `A`, built inside Redis.
    private func pushHuge(
        _ server: RedisServer, queue: String, tag: String, sentAt: Double, bytes: Int = hugeBytes
    ) throws {
        let body = "W1s2XSwgeyJ0YWciOiAiMCJ9LCB7ImNhbGxiYWNrcyI6IG51bGx9XQ=="
        let message = celeryMessage(tag: tag, queue: queue, sentAt: sentAt)
        let parts = message.components(separatedBy: body)
        try #require(parts.count == 2)
        try eval(
            server, "redis.call('LPUSH', KEYS[1], ARGV[1] .. string.rep('A', tonumber(ARGV[3])) .. ARGV[2]) return 1",
            key: queue, parts[0], parts[1], String(bytes))
    }

    @Test func hugeTailsAreReadOnePerPollThenCachedUntilTheListShrinks() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        for (i, queue) in queues.enumerated() {
            try pushHuge(server, queue: queue, tag: "big-\(i)", sentAt: t0 - 100 - Double(i))
            let reply = try server.command("LPUSH", queue, celeryMessage(tag: "small-\(i)", queue: queue))
            #expect(reply.hasPrefix(":2"))
        }
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0")
        // The machine may be loaded; the bug is about Redis time, counted below.
        configuration.readTimeout = .seconds(30)
        let redis = ScriptCallRecorder(try RedisConnection(configuration: configuration))
        let sampler = Sampler(
            configuration: CeleryConfiguration(
                queues: queues, discoverQueues: false, taskNameLimit: 10, censusEnabled: false),
            logger: Logger(label: "test"))

        // First sight: the probe flags all three; exactly one huge tail is read whole per poll,
        // the others wait (reason deferred, not aged) and are read in the next polls.
        var start = 0
        for p in 0..<3 {
            let now = t0 + Double(p) * 2
            let snap = sampler.poll(using: redis, now: now)
            #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
            let reads = redis.calls(since: start).filter { $0.mode == "l" }
            #expect(reads.count == 1, "one huge read per poll, got \(reads.map(\.key))")
            #expect(snap.sampled?.queues.reduce(0) { $0 + ($1.unreadTailMessages[.deferred] ?? 0) } == 2 - p)
            start = redis.calls.count
        }
        #expect(Set(redis.calls.filter { $0.mode == "l" }.map(\.key)) == Set(queues), "each read once")

        // Unchanged lists: no script call at all, and the cached fields still give exact ages.
        for p in 3..<5 {
            let now = t0 + Double(p) * 2
            let snap = sampler.poll(using: redis, now: now)
            #expect(snap.succeeded)
            #expect(redis.calls(since: start).isEmpty, "no script on unchanged huge tails")
            #expect(snap.sampled?.queues.map(\.oldestMessageAge) == [100 + now - t0, 101 + now - t0, 102 + now - t0])
            #expect(
                snap.sampled?.queues.allSatisfy { $0.oldestMessageAgeIsExact && $0.unreadTailMessages.isEmpty } == true)
            start = redis.calls.count
        }

        // A worker pops big1's tail (BRPOP takes the right end) and a producer pushes to big2 (LPUSH,
        // left end): big1's new tail is read at once; big2's cached tail is kept (LLEN grew).
        try eval(server, "redis.call('RPOP', KEYS[1]) return 1", key: "big1")
        _ = try server.command("LPUSH", "big2", celeryMessage(tag: "pushed", queue: "big2"))
        let afterPop = sampler.poll(using: redis, now: t0 + 10)
        #expect(afterPop.succeeded)
        // The backlog stage's calls ("n", BacklogIntegrationTests) are not the tail stage's.
        #expect(redis.calls(since: start).filter { $0.mode != "n" }.map { "\($0.mode) \($0.key)" } == ["p big1"])
        #expect(afterPop.sampled?.queues[0].oldestMessageAge == 0, "small-1, first seen now")
        #expect(afterPop.sampled?.queues[0].oldestMessageAgeIsExact == false)
        #expect(afterPop.sampled?.queues[1].oldestMessageAge == 111)
        start = redis.calls.count

        // After the growth re-check interval, big2's tail is read again (one huge read).
        let later = sampler.poll(using: redis, now: t0 + 10 + HugeTailCache.growthRecheckInterval)
        #expect(later.succeeded)
        #expect(
            redis.calls(since: start).filter { $0.key != "big1" && $0.mode != "n" }.map { "\($0.mode) \($0.key)" } == [
                "l big2"
            ])
        #expect(later.sampled?.queues[1].oldestMessageAge == 111 + HugeTailCache.growthRecheckInterval)
    }

    /// The README's least-privilege ACL has no `+memory|usage`: the probe's `pcall` gets `NOPERM`
    /// and does nothing (no error, no failed poll); huge tails are then read at first sight, and
    /// still cached afterwards.
    @Test func probeWithoutMemoryPermissionIsANoOp() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        let reply = try server.command(
            [
                "ACL", "SETUSER", "exporter", "on", ">exporter-password", "resetkeys", "%R~*", "-@all", "+ping",
                "+select",
                "+llen", "+zcard", "+zcount", "+zrange", "+hstrlen", "+hmget", "+hget", "+lindex", "+get", "+getrange",
                "+pttl", "+scan", "+smembers", "+dbsize", "+script|load", "+evalsha_ro",
            ].map(b))
        #expect(reply.hasPrefix("+OK"))
        for (i, queue) in queues.prefix(2).enumerated() {
            try pushHuge(server, queue: queue, tag: "big-\(i)", sentAt: t0 - 10, bytes: 2 * HugeTailCache.hugeBytes)
        }
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0")
        configuration.username = "exporter"
        configuration.password = "exporter-password"
        configuration.readTimeout = .seconds(30)
        let redis = ScriptCallRecorder(try RedisConnection(configuration: configuration))
        let sampler = Sampler(
            configuration: CeleryConfiguration(
                queues: Array(queues.prefix(2)), discoverQueues: false, taskNameLimit: 10, censusEnabled: false),
            logger: Logger(label: "test"))
        let snap = sampler.poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        #expect(snap.sampled?.commandErrors.isEmpty == true)
        #expect(
            redis.calls.map(\.mode).filter { $0 != "n" } == ["p", "p"],
            "read through the probe, which could not flag them")
        #expect(snap.sampled?.queues.map(\.oldestMessageAge) == [10, 10])
        #expect(snap.sampled?.queues.allSatisfy { $0.oldestMessageAgeIsExact && $0.unreadTailMessages.isEmpty } == true)
        let start = redis.calls.count
        let again = sampler.poll(using: redis, now: t0 + 2)
        #expect(again.succeeded)
        #expect(redis.calls(since: start).isEmpty, "cached after the first read")
        #expect(again.sampled?.queues.map(\.oldestMessageAge) == [12, 12])
    }
}
