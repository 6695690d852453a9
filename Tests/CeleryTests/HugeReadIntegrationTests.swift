import Foundation
import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// Issue 9 ("Trust"), found by the chaos soak: a huge value (a queue tail or an `unacked` message
/// of hundreds of megabytes) makes Redis copy it whole into Lua to slice it. On a loaded machine
/// that copy outlasted the read timeout; the poll failed (`up 0`, a false CeleryRedisUnreachable),
/// and the next poll tried the same read again, and again. Now the one huge read of a poll is its
/// last Redis call, its failure does not fail the poll, and the value waits before it is tried
/// again. Real `redis-server`; the values are built by Lua inside Redis.
@Suite(.serialized) struct HugeReadIntegrationTests {
    private let t0 = 1_795_625_000.0
    /// Redis copies this twice (into the reply buffer and into Lua) to slice it: far beyond
    /// ``readTimeout`` on any machine, while the small reads of a poll take microseconds.
    private static let hugeBytes = 480_000_000
    private static let readTimeout = Duration.milliseconds(400)

    /// A kombu message around a body of `bytes` × `A`, built inside Redis by `operation`
    /// (`LPUSH` a queue, or `HSET unacked tag`).
    private func seedHuge(_ server: RedisServer, message: String, bytes: Int, operation: String) throws {
        let body = "W1s2XSwgeyJ0YWciOiAiMCJ9LCB7ImNhbGxiYWNrcyI6IG51bGx9XQ=="
        let parts = message.components(separatedBy: body)
        try #require(parts.count == 2)
        let script = "local m = ARGV[1] .. string.rep('A', tonumber(ARGV[3])) .. ARGV[2] \(operation) return 1"
        // Building the value is slow on a loaded machine (15-23 s for 480 MB at load 7): wait for it.
        try seed(server, [b("EVAL"), b(script), b("0"), b(parts[0]), b(parts[1]), b(String(bytes))], timeout: 180)
        // Building it left about 1 GB of Lua garbage, which Redis's incremental collector charges
        // to the next script calls (240-300 ms measured at load 20): collected here, so the poll's
        // first script call (SCRIPT LOAD) is not what times out.
        _ = try server.command([b("EVAL"), b("collectgarbage('collect') return 1"), b("0")], timeout: 180)
    }

    /// Waits until Redis answers again (it finishes the copy a timed-out read started).
    private func waitUntilIdle(_ server: RedisServer) throws {
        for _ in 0..<600 {
            if (try? server.cli(["PING"]))?.stdout.contains("PONG") == true { return }
            usleep(50_000)
        }
        Issue.record("Redis stayed busy")
    }

    private func client(_ server: RedisServer) throws -> RedisClient {
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0")
        configuration.readTimeout = HugeReadIntegrationTests.readTimeout
        return RedisClient(
            configuration: configuration,
            backoff: ReconnectBackoff(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(1)))
    }

    @Test func aHugeTailWhoseReadTimesOutDoesNotFailThePollAndWaitsBeforeTheNextTry() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try seedHuge(
            server, message: celeryMessage(tag: "huge", queue: "big", sentAt: t0 - 100),
            bytes: HugeReadIntegrationTests.hugeBytes, operation: "redis.call('LPUSH', 'big', m)")
        _ = try server.command("LPUSH", "big", celeryMessage(tag: "small", queue: "big"))
        _ = try server.command("LPUSH", "other", celeryMessage(tag: "o1", queue: "other"))
        try waitUntilIdle(server)  // the small reads below must not queue behind the seeding's clean-up
        let redis = try client(server)
        let sampler = Sampler(
            configuration: CeleryConfiguration(queues: ["big", "other"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))

        // The probe flags the tail; the huge read, last, times out: the poll still succeeds with
        // every length, and the tail is counted unread (deferred) instead of aged.
        let first = sampler.poll(using: redis, now: t0)
        try #require(first.succeeded, "\(first.failure?.reason ?? "")")
        try #require(first.sampled?.queues.map(\.length) == [2, 1])
        #expect(first.sampled?.queues[0].unreadTailMessages[.deferred] == 1)
        #expect(first.sampled?.hugeReadFailures == 1)
        try waitUntilIdle(server)

        // Within the retry delay the huge value is not asked for again: nothing can time out.
        let soon = sampler.poll(using: redis, now: t0 + HugeReadTurns.firstRetryDelay - 1)
        try #require(soon.succeeded, "\(soon.failure?.reason ?? "")")
        #expect(soon.sampled?.hugeReadFailures == 1)
        #expect(soon.sampled?.queues[0].unreadTailMessages[.deferred] == 1)

        // After it, it is tried again (and times out again: counted, poll fine, longer wait next).
        let retried = sampler.poll(using: redis, now: t0 + HugeReadTurns.firstRetryDelay + 1)
        #expect(retried.succeeded, "\(retried.failure?.reason ?? "")")
        #expect(retried.sampled?.hugeReadFailures == 2)
        try waitUntilIdle(server)
        let afterSecond = sampler.poll(using: redis, now: t0 + 2 * HugeReadTurns.firstRetryDelay + 2)
        #expect(afterSecond.succeeded)
        #expect(afterSecond.sampled?.hugeReadFailures == 2, "second failure waits twice as long")
    }

    @Test func aHugeUnackedMessageWhoseReadTimesOutDoesNotFailThePoll() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try seedHuge(
            server, message: unackedValue(tag: "huge", queue: "celery"),
            bytes: HugeReadIntegrationTests.hugeBytes, operation: "redis.call('HSET', 'unacked', 'huge', m)")
        _ = try server.command("ZADD", "unacked_index", "\(t0 - 5)", "huge")
        _ = try server.command("HSET", "unacked", "small", unackedValue(tag: "small", queue: "celery"))
        _ = try server.command("ZADD", "unacked_index", "\(t0 - 4)", "small")
        let redis = try client(server)
        let sampler = Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))

        let snap = sampler.poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        #expect(snap.sampled?.unackedTotal == 2)
        #expect(snap.sampled?.queues.map(\.unacked) == [1], "the small one is attributed")
        #expect(snap.sampled?.unackedUnread[.deferred] == 1, "the huge one waits, counted")
        #expect(snap.sampled?.hugeReadFailures == 1)
    }

    @Test func aHugeUnackedMessageIsReadLastAndAttributedFromTheNextPoll() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try seedHuge(
            server, message: unackedValue(tag: "big", queue: "celery", task: "app.big"),
            bytes: 20_000_000, operation: "redis.call('HSET', 'unacked', 'big', m)")
        _ = try server.command("ZADD", "unacked_index", "\(t0 - 5)", "big")
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0")
        configuration.readTimeout = .seconds(30)  // the machine may be loaded; this is about order
        let redis = ScriptCallRecorder(try RedisConnection(configuration: configuration))
        let sampler = Sampler(
            configuration: CeleryConfiguration(
                queues: ["celery"], discoverQueues: false, taskNameLimit: 10, censusEnabled: false),
            logger: Logger(label: "test"))

        let first = sampler.poll(using: redis, now: t0)
        try #require(first.succeeded)
        #expect(first.sampled?.unackedUnread[.deferred] == 1)
        #expect(redis.calls.map { "\($0.mode) \($0.key)" } == ["h unacked"], "read once, at the end")

        let second = sampler.poll(using: redis, now: t0 + 2)
        #expect(second.succeeded)
        try #require(second.sampled?.queues.map(\.unacked) == [1])
        #expect(second.sampled?.queues[0].unackedByTask["app.big"] == 1)
        #expect(second.sampled?.unackedUnread.values.reduce(0, +) == 0)
        #expect(redis.calls.count == 1, "classified once, from the cache after")
        #expect(second.sampled?.hugeReadFailures == 0)
    }
}
