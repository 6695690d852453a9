import Foundation
import Logging
import Redis
import Synchronization
import TestSupport
import Testing

@testable import Celery

/// The unacked tag cache (issue 11) against a real `redis-server`: every task in flight is
/// attributed to its queue (previously only the oldest 10,000), each `unacked` value is read once
/// per tag lifetime, tags that leave `unacked_index` leave the cache, a `FLUSHDB` or a restart
/// heals it, and hostile `unacked` content never fails a poll.
@Suite(.serialized) struct UnackedTagCacheIntegrationTests {
    private let t0 = 1_795_625_000.0
    private static let queues = (0..<50).map { "q\($0 < 10 ? "0" : "")\($0)" }

    /// Records the command names each pipeline sends, so a test can tell reads of `unacked` apart.
    final class Recording: RedisCommandExecuting {
        let inner: any RedisCommandExecuting
        private(set) var names: [String] = []
        init(_ inner: any RedisCommandExecuting) { self.inner = inner }
        func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
            names += commands.map { String(decoding: $0[0], as: UTF8.self) }
            return try inner.pipeline(commands)
        }
        func reset() { names = [] }
    }

    private func uuid(_ i: Int) -> String {
        // Canonical lower-case UUIDs (kombu's tags), distinct per i.
        let hex = String(i, radix: 16)
        let tail = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "0e1f9b8f-9512-489f-be01-\(tail)"
    }

    /// Seeds `count` tasks in flight round-robin over the 50 queues, as a worker's MULTI does
    /// (`ZADD unacked_index` + `HSET unacked`), pipelined. Returns tag → queue.
    @discardableResult
    private func seed(
        _ redis: any RedisCommandExecuting, count: Int, from first: Int = 0, queueOffset: Int = 0
    ) throws -> [String: String] {
        var truth: [String: String] = [:]
        var batch: [RedisCommand] = []
        for i in first..<(first + count) {
            let tag = uuid(i)
            let queue = Self.queues[(i + queueOffset) % Self.queues.count]
            truth[tag] = queue
            batch.append([b("HSET"), b("unacked"), b(tag), b(unackedValue(tag: tag, queue: queue))])
            batch.append([b("ZADD"), b("unacked_index"), b("\(t0 - 100 + Double(i) / 1_000)"), b(tag)])
            if batch.count >= 2_000 {
                _ = try redis.pipeline(batch)
                batch = []
            }
        }
        if !batch.isEmpty { _ = try redis.pipeline(batch) }
        return truth
    }

    private func bindQueues(_ redis: any RedisCommandExecuting) throws {
        _ = try redis.pipeline(Self.queues.map { [b("SADD"), b("_kombu.binding.\($0)"), b($0) + sep + sep + b($0)] })
    }

    private func expected(_ truth: [String: String]) -> [String: Int] {
        truth.values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    private func attributed(_ snap: Snapshot) -> [String: Int] {
        Dictionary(
            uniqueKeysWithValues: (snap.sampled?.queues ?? []).filter { $0.unacked > 0 }.map { ($0.name, $0.unacked) })
    }

    @Test func twentyThousandTasksInFlightAreAllAttributedAndReadOnce() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(
            configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        try bindQueues(connection)
        let truth = try seed(connection, count: 20_000)
        let redis = Recording(connection)
        let sampler = Sampler(configuration: CeleryConfiguration(censusEnabled: false), logger: Logger(label: "test"))

        // The default classify limit reads 10,000 new tags a poll: all 20,000 after two polls.
        var snap = sampler.poll(using: redis, now: t0)
        #expect(snap.sampled?.unackedUnclassified == 10_000)  // not yet read; the total is exact already
        snap = sampler.poll(using: redis, now: t0 + 1)
        #expect(snap.succeeded)
        #expect(snap.sampled?.unackedTotal == 20_000)
        #expect(snap.sampled?.unackedUnclassified == 0)
        #expect(snap.sampled?.unackedTagCache.untracked == 0)
        #expect(snap.sampled?.unackedTagCache.entries == 20_000)
        #expect(attributed(snap) == expected(truth))
        #expect(snap.sampled?.queues.allSatisfy { $0.unacked == 400 } == true)

        // Steady state: no `unacked` value is read again; every tag is a cache hit.
        redis.reset()
        let hits = try #require(snap.sampled?.unackedTagCache.hits)
        snap = sampler.poll(using: redis, now: t0 + 3)
        #expect(!redis.names.contains("HMGET") && !redis.names.contains("HSTRLEN") && !redis.names.contains("HGET"))
        #expect((snap.sampled?.unackedTagCache.hits ?? 0) - hits == 20_000)
        #expect(attributed(snap) == expected(truth))
    }

    @Test func beyondTheLimitTheNewestAreCountedAsUntrackedAndTotalsStayExact() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        try bindQueues(redis)
        try seed(redis, count: 1_500)
        let sampler = Sampler(
            configuration: CeleryConfiguration(unackedSampleLimit: 1_000, censusEnabled: false),
            logger: Logger(label: "test"))
        let snap = sampler.poll(using: redis, now: t0)
        #expect(snap.sampled?.unackedTotal == 1_500)
        #expect(snap.sampled?.unackedTagCache.entries == 1_000)
        #expect(snap.sampled?.unackedTagCache.untracked == 500)
        #expect(snap.sampled?.unackedUnclassified == 500)
        #expect(snap.sampled?.queues.reduce(0) { $0 + $1.unacked } == 1_000)
    }

    @Test func ackedTagsLeaveTheCacheAndFlushOrRestartHeals() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let client = RedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        defer { client.close() }
        try bindQueues(client)
        var truth = try seed(client, count: 2_000)
        let sampler = Sampler(configuration: CeleryConfiguration(censusEnabled: false), logger: Logger(label: "test"))
        var snap = sampler.poll(using: client, now: t0)
        #expect(attributed(snap) == expected(truth))

        // Workers ack 700 tasks (ZREM + HDEL in one MULTI, as kombu's ack does) between two polls.
        let acked = truth.keys.sorted().prefix(700)
        for tag in acked {
            _ = try client.pipeline([
                [b("MULTI")], [b("ZREM"), b("unacked_index"), b(tag)], [b("HDEL"), b("unacked"), b(tag)], [b("EXEC")],
            ])
            truth[tag] = nil
        }
        snap = sampler.poll(using: client, now: t0 + 1)
        #expect(snap.sampled?.unackedTagCache.entries == 1_300)
        #expect(snap.sampled?.unackedTagCache.evictions == 700)
        #expect(sampler.cachedUnackedTagCount == 1_300)
        #expect(attributed(snap) == expected(truth))

        // FLUSHDB: everything in flight is gone, and so is the cache; new tasks are read afresh.
        _ = try client.pipeline([[b("FLUSHDB")]])
        snap = sampler.poll(using: client, now: t0 + 2)
        #expect(snap.sampled?.unackedTotal == 0)
        #expect(snap.sampled?.unackedTagCache.entries == 0)
        try bindQueues(client)
        truth = try seed(client, count: 300, from: 5_000, queueOffset: 7)
        snap = sampler.poll(using: client, now: t0 + 3)
        #expect(attributed(snap) == expected(truth))

        // A restart without persistence: same.
        try server.restart()
        for i in 0..<50 {  // the first polls find the old connection dead; the client reconnects after a backoff
            snap = sampler.poll(using: client, now: t0 + 4 + Double(i) / 100)
            if snap.succeeded { break }
            usleep(200_000)
        }
        #expect(snap.succeeded)
        #expect(snap.sampled?.unackedTagCache.entries == 0)
        try bindQueues(client)
        // The same tags as before the restart, now routed elsewhere: read again, not remembered.
        truth = try seed(client, count: 300, from: 5_000, queueOffset: 11)
        snap = sampler.poll(using: client, now: t0 + 10)
        #expect(attributed(snap) == expected(truth))
        #expect(snap.sampled?.unackedUnclassified == 0)
    }

    @Test func hostileUnackedContentNeverFailsThePollAndIsCounted() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        try bindQueues(redis)
        let truth = try seed(redis, count: 200)
        var commands: [RedisCommand] = []
        func add(_ tag: [UInt8], _ value: [UInt8]?, score: Double = 1_795_624_000) {
            if let value { commands.append([b("HSET"), b("unacked"), tag, value]) }
            commands.append([b("ZADD"), b("unacked_index"), b("\(score)"), tag])
        }
        // Non-JSON, JSON of the wrong shape, and binary garbage.
        add(b("not-json"), b("this is not json"))
        add(b("wrong-shape"), b(#"{"a": [1, 2, 3]}"#))
        add(b("binary"), [0, 0xFF, 0xFE, 0x5B, 0x7B])
        // An index entry without a hash field (stale), twice.
        add(b(uuid(900_001)), nil)
        add(b(uuid(900_002)), nil)
        // A hash field without an index entry: not in flight, never read.
        commands.append([b("HSET"), b("unacked"), b("no-index"), b(unackedValue(tag: "no-index", queue: "q01"))])
        // A 2 KiB tag: not something kombu writes; counted undecodable, never read.
        add([UInt8](repeating: UInt8(ascii: "x"), count: 2_048), b(unackedValue(tag: "long", queue: "q01")))
        // A 2 MiB message (over the whole-value budget): read as head and tail slices.
        let big = unackedValue(tag: "big", queue: "q02").replacingOccurrences(
            of: #""argsrepr": "[6]""#, with: #""argsrepr": "\#(String(repeating: "a", count: 2 << 20))""#)
        add(b("big"), b(big))
        // A 9 MiB message (huge): deferred, read by the poll's one huge read, then remembered.
        let huge = unackedValue(tag: "huge", queue: "q03").replacingOccurrences(
            of: #""argsrepr": "[6]""#, with: #""argsrepr": "\#(String(repeating: "h", count: 9 << 20))""#)
        add(b("huge"), b(huge))
        // Same tag twice in the hash under a routing key that is no queue.
        add(b("nowhere"), b(unackedValue(tag: "nowhere", queue: "no-such-queue")))
        _ = try redis.pipeline(commands)

        let sampler = Sampler(configuration: CeleryConfiguration(censusEnabled: false), logger: Logger(label: "test"))
        var expectedCounts = expected(truth)
        let first = sampler.poll(using: redis, now: t0)
        #expect(first.succeeded)
        #expect(first.sampled?.unackedUndecodable == 4)  // not-json, wrong-shape, binary, the 2 KiB tag
        #expect(first.sampled?.unackedIndexStale == 2)
        #expect(first.sampled?.unackedUnknownQueue == 1)
        #expect(first.sampled?.unackedUnread[.deferred] == 1)
        expectedCounts["q02", default: 0] += 1  // the sliced one is attributed at once
        #expect(attributed(first) == expectedCounts)
        #expect(first.sampled?.unackedTotal == 200 + 3 + 4)  // ZCARD (209) less the 2 stale members
        #expect(first.sampled?.unackedUnclassified == 6)  // 4 undecodable, 1 unknown queue, 1 deferred

        // The huge one was read at the end of the first poll: attributed from the second on.
        let second = sampler.poll(using: redis, now: t0 + 1)
        #expect(second.succeeded)
        #expect(second.sampled?.unackedUnread.values.reduce(0, +) == 0)
        expectedCounts["q03", default: 0] += 1
        #expect(attributed(second) == expectedCounts)
        #expect(
            second.sampled?.unackedUndecodable == 4 && second.sampled?.unackedIndexStale == 2
                && second.sampled?.unackedUnknownQueue == 1)
        #expect(second.sampled?.unackedUnclassified == 4 + 1)  // undecodable and unknown-queue ones
    }

    @Test func uuidTagsPackLosslesslyAndOtherTagsKeepTheirBytes() {
        let tag = b("0e1f9b8f-9512-489f-be01-c09a62a78bea")
        let key = UnackedTagKey(tag)
        #expect(key.other == nil)
        #expect(key.high == 0x0e1f_9b8f_9512_489f && key.low == 0xbe01_c09a_62a7_8bea)
        // Upper case, a misplaced dash, a wrong length: kept as bytes, so never equal to a UUID key.
        for other in ["0E1F9B8F-9512-489F-BE01-C09A62A78BEA", "0e1f9b8f9-512-489f-be01-c09a62a78bea", "0e1f9b8f"] {
            let k = UnackedTagKey(b(other))
            #expect(k.other == b(other))
            #expect(k != key)
        }
    }

    @Test func censusFirstPassProgressIsPublishedAndLoggedEveryTenPercent() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        var batch: [RedisCommand] = []
        for i in 0..<5_000 {
            batch.append([b("SETEX"), b("celery-task-meta-\(uuid(i))"), b("86400"), b(#"{"status": "SUCCESS"}"#)])
        }
        _ = try redis.pipeline(batch)
        let recorder = LogRecorder()
        let census = ResultCensus(
            configuration: CeleryConfiguration(censusScanCount: 100),
            layout: KombuKeyLayout(prefix: "", separator: sep),
            logger: recorder.logger())
        #expect(census.progress == nil)
        _ = try census.runPass(using: redis, clock: { 1 }, pace: { _ in false })
        let progress = try #require(census.progress)
        #expect(progress.expected == 5_000)
        #expect(progress.walked >= 5_000)  // SCAN may return a key twice across a rehash, never fewer
        #expect(progress.firstPassComplete)
        let lines = recorder.messages.filter { $0.contains("census first pass:") }
        #expect(lines.count == 10)
        #expect(recorder.messages.contains { $0.contains("census first pass complete") })
        // Later passes publish progress but do not log it.
        _ = try census.runPass(using: redis, clock: { 2 }, pace: { _ in false })
        #expect(recorder.messages.filter { $0.contains("census first pass") }.count == 11)
    }
}
