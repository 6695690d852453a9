import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// The delta read of `unacked_index` (``UnackedIndexMirror``) against a real `redis-server`: after
/// the first poll a sampler reads only what changed, and every poll's numbers equal those of a
/// fresh sampler that reads the whole index (the oracle), through acks and deliveries interleaved
/// between polls, tags restored and re-fetched with a new score, stale members, a flushed index, a
/// restored older snapshot, members added below the window (a worker clock behind), and the
/// index growing past the sample limit and back.
@Suite(.serialized) struct UnackedIndexDeltaIntegrationTests {
    private let t0 = 1_795_625_000.0
    private static let queues = (0..<7).map { "dq\($0)" }

    /// Records the command names each pipeline sends.
    final class Recording: RedisCommandExecuting {
        let inner: any RedisCommandExecuting
        private(set) var names: [String] = []
        init(_ inner: any RedisCommandExecuting) { self.inner = inner }
        func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
            names += commands.map {
                UnackedIndexMirror.isByScore($0) ? "ZRANGE BYSCORE" : String(decoding: $0[0], as: UTF8.self)
            }
            return try inner.pipeline(commands)
        }
        func reset() { names = [] }
    }

    /// A deterministic generator (the same run every time).
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    private func uuid(_ i: Int) -> String {
        let hex = String(i, radix: 16)
        return "7c2d1e4a-0b3f-4c5d-9e8f-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    private func queue(of i: Int) -> String { Self.queues[i % Self.queues.count] }

    /// A worker's fetch: `ZADD unacked_index <score> <tag>` + `HSET unacked <tag> <message>`.
    private func deliver(_ i: Int, score: Double, _ batch: inout [RedisCommand]) {
        let tag = uuid(i)
        let eta: String? = i % 5 == 0 ? "2030-01-01T00:00:00+00:00" : nil
        batch.append([b("HSET"), b("unacked"), b(tag), b(unackedValue(tag: tag, queue: queue(of: i), eta: eta))])
        batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(score)), b(tag)])
    }

    /// An ack: `ZREM unacked_index <tag>` + `HDEL unacked <tag>`.
    private func ack(_ i: Int, _ batch: inout [RedisCommand]) {
        batch.append([b("ZREM"), b("unacked_index"), b(uuid(i))])
        batch.append([b("HDEL"), b("unacked"), b(uuid(i))])
    }

    private func send(_ redis: any RedisCommandExecuting, _ batch: [RedisCommand]) throws {
        var start = 0
        while start < batch.count {
            _ = try redis.pipeline(Array(batch[start..<min(batch.count, start + 4_000)]))
            start += 4_000
        }
    }

    private func configuration(limit: Int = 100_000) -> CeleryConfiguration {
        CeleryConfiguration(
            queues: Self.queues, visibilityTimeout: 3_600, discoverQueues: false, unackedSampleLimit: limit,
            unackedClassifyLimit: 100_000, taskNameLimit: 50, censusEnabled: false)
    }

    /// What a poll says about tasks in flight, in a comparable form.
    struct InFlight: Equatable, CustomStringConvertible {
        var total = 0
        var stranded = 0
        var sampled = 0
        var unclassified = 0
        var stale = 0
        var untracked = 0
        var perQueue: [String: [Double]] = [:]
        var byTask: [String: [String: Int]] = [:]

        init(_ snap: Snapshot) {
            guard let s = snap.sampled else { return }
            total = s.unackedTotal
            stranded = s.strandedTotal
            sampled = s.unackedSampled
            unclassified = s.unackedUnclassified
            stale = s.unackedIndexStale
            untracked = s.unackedTagCache.untracked
            for q in s.queues where q.unacked > 0 {
                perQueue[q.name] = [
                    Double(q.unacked), Double(q.stranded), Double(q.scheduled), Double(q.etaBeyondVisibility),
                    q.unackedOldestAge ?? -1,
                ]
                byTask[q.name] = q.unackedByTask
            }
        }

        var description: String { "total \(total) stranded \(stranded) sampled \(sampled) \(perQueue)" }
    }

    /// The oracle: a sampler that has never polled reads the whole index.
    private func oracle(_ redis: any RedisCommandExecuting, now: Double, limit: Int = 100_000) -> InFlight {
        let fresh = Sampler(configuration: configuration(limit: limit), logger: Logger(label: "oracle"))
        return InFlight(fresh.poll(using: redis, now: now))
    }

    @Test func acksAndDeliveriesInterleavedBetweenPollsStayExact() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(
            configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        var random = Generator(state: 11)
        var live: [Int: Double] = [:]
        var batch: [RedisCommand] = []
        // 3,500 tasks fetched over the last two hours: several buckets, some stranded.
        for i in 0..<3_500 {
            let score = t0 - 7_200 + Double(random.next(7_200_000)) / 1_000
            deliver(i, score: score, &batch)
            live[i] = score
        }
        try send(connection, batch)
        let redis = Recording(connection)
        let sampler = Sampler(configuration: configuration(), logger: Logger(label: "test"))
        var now = t0
        #expect(InFlight(sampler.poll(using: redis, now: now)) == oracle(connection, now: now))
        var nextTag = 3_500
        for round in 0..<25 {
            now += 15
            batch = []
            // Acks anywhere in the index, new fetches at the current time, and (every third round)
            // a tag restored and re-fetched: the same tag with a new score.
            for _ in 0..<random.next(40) {
                guard let i = live.keys.min(by: { _, _ in random.next(2) == 0 }) else { break }
                ack(i, &batch)
                live[i] = nil
            }
            for _ in 0..<random.next(40) {
                let score = now - Double(random.next(10_000)) / 1_000
                deliver(nextTag, score: score, &batch)
                live[nextTag] = score
                nextTag += 1
            }
            if round % 3 == 0, let i = live.keys.sorted().first {
                ack(i, &batch)
                deliver(i, score: now - 0.5, &batch)
                live[i] = now - 0.5
            }
            try send(connection, batch)
            redis.reset()
            let got = InFlight(sampler.poll(using: redis, now: now))
            #expect(got == oracle(connection, now: now), "round \(round)")
            #expect(got.total == live.count && got.sampled == live.count)
            // A delta read: no whole `ZRANGE 0 limit-1` of the index after the first poll.
            #expect(!redis.names.contains("ZRANGE"), "round \(round)")
        }
        #expect(sampler.indexMirror.deltaReads == 25)
        #expect(sampler.indexMirror.belowWindowAdds == 0)
    }

    @Test func aStaleMemberAndARestoredTagAreReadAgainAtTheirNewScores() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        var batch: [RedisCommand] = []
        for i in 0..<1_500 { deliver(i, score: t0 - 5_000 + Double(i), &batch) }
        // A stale member: in the index, no hash entry (an interrupted ack).
        batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(t0 - 4_000.5)), b(uuid(9_999))])
        try send(redis, batch)
        let sampler = Sampler(configuration: configuration(), logger: Logger(label: "test"))
        var snap = sampler.poll(using: redis, now: t0)
        #expect(snap.sampled?.unackedIndexStale == 1)
        #expect(InFlight(snap) == oracle(redis, now: t0))

        // Tag 10 (stranded, 4,990 s old) is restored by a sweep and re-fetched now; the stale tag
        // is fetched for real (a hash entry and a new score): both move from the old region to the window.
        batch = []
        ack(10, &batch)
        deliver(10, score: t0 + 14, &batch)
        deliver(9_999, score: t0 + 14.5, &batch)
        try send(redis, batch)
        snap = sampler.poll(using: redis, now: t0 + 15)
        #expect(snap.sampled?.unackedIndexStale == 0)
        #expect(snap.sampled?.unackedTotal == 1_501)
        #expect(InFlight(snap) == oracle(redis, now: t0 + 15))
        #expect(sampler.indexMirror.belowWindowAdds == 0)
    }

    @Test func aFlushedIndexEmptiesTheCopyAndAnOlderSnapshotIsReadWhole() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        var batch: [RedisCommand] = []
        for i in 0..<2_500 { deliver(i, score: t0 - 3_000 + Double(i), &batch) }
        try send(redis, batch)
        let sampler = Sampler(configuration: configuration(), logger: Logger(label: "test"))
        _ = sampler.poll(using: redis, now: t0)
        _ = try redis.pipeline([[b("FLUSHDB")]])
        var snap = sampler.poll(using: redis, now: t0 + 15)
        #expect(snap.sampled?.unackedTotal == 0 && snap.sampled?.unackedSampled == 0)
        #expect(InFlight(snap).perQueue.isEmpty)
        #expect(sampler.indexMirror.count == 0)

        // A restart from an older snapshot: members come back with their old scores, below the window.
        batch = []
        for i in 100..<1_100 { deliver(i, score: t0 - 3_000 + Double(i), &batch) }
        try send(redis, batch)
        snap = sampler.poll(using: redis, now: t0 + 30)
        #expect(InFlight(snap) == oracle(redis, now: t0 + 30))
        #expect(snap.sampled?.unackedTotal == 1_000)
        #expect(sampler.indexMirror.belowWindowAdds > 0)
    }

    @Test func anAddBelowTheWindowHiddenByAnAckInTheSameBucketIsFoundByTheRollingReread() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(
            configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        var batch: [RedisCommand] = []
        // 20 buckets of 1,000: the rolling re-read covers one bucket a poll.
        for i in 0..<20_000 { deliver(i, score: t0 - 20_000 + Double(i), &batch) }
        try send(connection, batch)
        let redis = Recording(connection)
        let sampler = Sampler(configuration: configuration(), logger: Logger(label: "test"))
        _ = sampler.poll(using: redis, now: t0)
        // A worker whose clock is 3 hours behind fetches tag 50,000 into the oldest bucket while
        // tag 5 (same bucket) is acked: that bucket's count does not change.
        batch = []
        ack(5, &batch)
        deliver(50_000, score: t0 - 19_990.5, &batch)
        try send(connection, batch)
        var found = false
        for k in 1...20 {
            let now = t0 + Double(15 * k)
            let got = InFlight(sampler.poll(using: redis, now: now))
            #expect(got.total == 20_000)
            if sampler.indexMirror.belowWindowAdds > 0 {
                found = true
                #expect(got == oracle(connection, now: now))
                break
            }
        }
        #expect(found, "the rolling re-read covers every bucket within 1 / reverifyFraction polls")
        // Then whole reads for the hold.
        redis.reset()
        let now = t0 + 400
        #expect(InFlight(sampler.poll(using: redis, now: now)) == oracle(connection, now: now))
        #expect(redis.names.contains("ZRANGE"))
    }

    @Test func growingPastTheLimitReadsWholeAndShrinkingBackReadsDeltas() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(
            configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        var batch: [RedisCommand] = []
        for i in 0..<1_800 { deliver(i, score: t0 - 3_000 + Double(i), &batch) }
        try send(connection, batch)
        let redis = Recording(connection)
        let sampler = Sampler(configuration: configuration(limit: 2_000), logger: Logger(label: "test"))
        _ = sampler.poll(using: redis, now: t0)
        // 400 new fetches: the index (2,200) outgrows the limit; the oldest 2,000 are tracked.
        batch = []
        for i in 1_800..<2_200 { deliver(i, score: t0 + 10 + Double(i) / 1_000, &batch) }
        try send(connection, batch)
        var snap = sampler.poll(using: redis, now: t0 + 15)
        #expect(InFlight(snap) == oracle(connection, now: t0 + 15, limit: 2_000))
        #expect(snap.sampled?.unackedTagCache.untracked == 200)
        snap = sampler.poll(using: redis, now: t0 + 30)
        #expect(InFlight(snap) == oracle(connection, now: t0 + 30, limit: 2_000))
        // Acks bring it back under the limit: one whole read, then deltas again.
        batch = []
        for i in 0..<700 { ack(i, &batch) }
        try send(connection, batch)
        snap = sampler.poll(using: redis, now: t0 + 45)
        #expect(InFlight(snap) == oracle(connection, now: t0 + 45, limit: 2_000))
        #expect(snap.sampled?.unackedTagCache.untracked == 0)
        redis.reset()
        snap = sampler.poll(using: redis, now: t0 + 60)
        #expect(InFlight(snap) == oracle(connection, now: t0 + 60, limit: 2_000))
        #expect(!redis.names.contains("ZRANGE") && redis.names.contains("ZRANGE BYSCORE"))
    }
}
