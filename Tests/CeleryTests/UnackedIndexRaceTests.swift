import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// The delta read of `unacked_index` when kombu transactions land *between* the commands of one
/// pipelined round (Redis runs them one by one; other clients' `MULTI`s interleave): ``FakeRedis``
/// applies the change just before it answers a chosen command, which a real server cannot be made
/// to do on cue. Every poll must count each tag once, and the next poll must equal a whole read.
@Suite struct UnackedIndexRaceTests {
    private let t0 = 1_795_625_000.0

    private func tag(_ i: Int) -> String {
        let hex = String(i, radix: 16)
        return "5f0c2b9e-1d3a-4e6f-8a7b-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    private func seeded() -> FakeRedis {
        let redis = FakeRedis()
        for q in ["a", "b"] { redis.sets[b("_kombu.binding.\(q)")] = [b(q) + sep + sep + b(q)] }
        for i in 0..<2_400 { add(redis, i, score: t0 - 6_000 + Double(i)) }
        return redis
    }

    private func add(_ redis: FakeRedis, _ i: Int, score: Double) {
        let queue = i % 2 == 0 ? "a" : "b"
        redis.zsets[b("unacked_index"), default: [:]][b(tag(i))] = score
        redis.hashes[b("unacked"), default: [:]][b(tag(i))] = b(unackedValue(tag: tag(i), queue: queue))
    }

    private func sampler() -> Sampler {
        Sampler(
            configuration: CeleryConfiguration(queues: ["a", "b"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
    }

    private func attributed(_ snap: Snapshot) -> Int { snap.sampled?.queues.reduce(0) { $0 + $1.unacked } ?? -1 }

    private func perQueue(_ snap: Snapshot) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        for q in snap.sampled?.queues ?? [] {
            out[q.name] = [Double(q.unacked), Double(q.stranded), q.unackedOldestAge ?? -1]
        }
        return out
    }

    /// Runs `change` once, right before the window read (`ZRANGE … +inf BYSCORE`) is answered:
    /// after every bucket's `ZCOUNT`.
    private func beforeWindowRead(_ redis: FakeRedis, _ change: @escaping () -> Void) {
        var done = false
        redis.override = { command in
            if !done, UnackedIndexMirror.isByScore(command), command[3] == b("+inf") {
                done = true
                change()
            }
            return nil
        }
    }

    @Test func aTagRestoredAndRefetchedBetweenTheCountsAndTheWindowIsCountedOnce() {
        let redis = seeded()
        let s = sampler()
        _ = s.poll(using: redis, now: t0)
        // Tag 1,030 (second bucket, whose count was already answered) is restored and re-fetched now:
        // the window read sees it at its new score; the kept copy of its old bucket still holds it.
        beforeWindowRead(redis) { redis.zsets[b("unacked_index")]![b(self.tag(1_030))] = self.t0 + 10 }
        let snap = s.poll(using: redis, now: t0 + 15)
        #expect(snap.sampled?.unackedTotal == 2_400)
        #expect(attributed(snap) == 2_400)
        redis.override = nil
        let next = s.poll(using: redis, now: t0 + 30)
        #expect(perQueue(next) == perQueue(sampler().poll(using: redis, now: t0 + 30)))
    }

    @Test func anAckAfterItsBucketWasCountedIsFoundByTheNextPoll() {
        let redis = seeded()
        let s = sampler()
        _ = s.poll(using: redis, now: t0)
        // Tag 1,500 is acked after every ZCOUNT was answered: this poll keeps it (as of the counts)...
        let acked = b(tag(1_500))
        beforeWindowRead(redis) {
            redis.zsets[b("unacked_index")]![acked] = nil
            redis.hashes[b("unacked")]![acked] = nil
        }
        _ = s.poll(using: redis, now: t0 + 15)
        redis.override = nil
        // ...and the next poll's count of that bucket differs: re-read, exact.
        let next = s.poll(using: redis, now: t0 + 30)
        #expect(next.sampled?.unackedTotal == 2_399)
        #expect(attributed(next) == 2_399)
        #expect(perQueue(next) == perQueue(sampler().poll(using: redis, now: t0 + 30)))
    }

    @Test func aTagMovedBetweenTwoRereadsIsKeptAtItsLaterScore() {
        let redis = seeded()
        let s = sampler()
        _ = s.poll(using: redis, now: t0)
        // Buckets (1,000 members): 0..<1,000, 1,000..<2,000, 2,000..<2,279; the first is the rolling
        // re-read of this poll. Acks in the other two make both mismatch; while the second round
        // re-reads them, tag 1,100 moves from the second to the third (a clock far behind re-fetching it).
        for i in [1_200, 2_100] {
            redis.zsets[b("unacked_index")]![b(tag(i))] = nil
            redis.hashes[b("unacked")]![b(tag(i))] = nil
        }
        var rereads = 0
        redis.override = { command in
            guard UnackedIndexMirror.isByScore(command), command[3] != b("+inf") else { return nil }
            rereads += 1
            if rereads == 3 { redis.zsets[b("unacked_index")]![b(self.tag(1_100))] = self.t0 - 3_849.5 }
            return nil
        }
        let snap = s.poll(using: redis, now: t0 + 15)
        #expect(rereads == 3)
        #expect(snap.sampled?.unackedTotal == 2_398)
        #expect(attributed(snap) == 2_398)
        #expect(s.indexMirror.belowWindowAdds == 1)
        redis.override = nil
        let next = s.poll(using: redis, now: t0 + 30)
        #expect(perQueue(next) == perQueue(sampler().poll(using: redis, now: t0 + 30)))
    }

    @Test func aWrongTypeIndexAfterDeltaReadsCountsAnErrorAndHeals() {
        let redis = seeded()
        let s = sampler()
        _ = s.poll(using: redis, now: t0)
        _ = s.poll(using: redis, now: t0 + 15)
        #expect(s.indexMirror.deltaReads == 1)
        let members = redis.zsets.removeValue(forKey: b("unacked_index"))
        redis.strings[b("unacked_index")] = b("oops")
        let broken = s.poll(using: redis, now: t0 + 30)
        #expect(broken.succeeded)
        #expect((broken.sampled?.commandErrors[.unacked] ?? 0) >= 1)
        #expect(attributed(broken) == 0)
        redis.strings[b("unacked_index")] = nil
        redis.zsets[b("unacked_index")] = members
        let healed = s.poll(using: redis, now: t0 + 45)
        #expect(healed.sampled?.unackedTotal == 2_400 && attributed(healed) == 2_400)
    }

    @Test func aServerWithoutByScoreIsReadWholeWithoutCountingErrors() {
        let redis = seeded()
        // Redis before 6.2 does not know ZRANGE … BYSCORE.
        redis.override = { UnackedIndexMirror.isByScore($0) ? .error("ERR syntax error") : nil }
        let logs = LogRecorder()
        let s = Sampler(
            configuration: CeleryConfiguration(queues: ["a", "b"], discoverQueues: false, censusEnabled: false),
            logger: logs.logger())
        for k in 0..<4 {
            let snap = s.poll(using: redis, now: t0 + Double(15 * k))
            #expect(snap.sampled?.commandErrors[.unacked] == nil)
            #expect(attributed(snap) == 2_400)
        }
        #expect(s.indexMirror.byScoreRefused)
        #expect(redis.rounds.filter { $0.contains(where: UnackedIndexMirror.isByScore) }.count == 1)  // asked once
        #expect(logs.messages.filter { $0.contains("BYSCORE") }.count == 1)
    }

    /// Any other error on the delta read (a proxy's passing `ERR`) costs one poll a whole read,
    /// not delta reads for the life of the process.
    @Test func aPassingErrorOnTheDeltaReadDoesNotTurnDeltasOff() {
        let redis = seeded()
        let s = Sampler(
            configuration: CeleryConfiguration(queues: ["a", "b"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
        _ = s.poll(using: redis, now: t0)
        var failures = 1
        redis.override = { command in
            guard UnackedIndexMirror.isByScore(command), failures > 0 else { return nil }
            failures -= 1
            return .error("ERR max number of clients reached")
        }
        let failed = s.poll(using: redis, now: t0 + 15)
        #expect(attributed(failed) == 2_400)
        #expect(!s.indexMirror.byScoreRefused)
        _ = s.poll(using: redis, now: t0 + 30)
        let deltas = s.indexMirror.deltaReads
        let later = s.poll(using: redis, now: t0 + 45)
        #expect(attributed(later) == 2_400)
        #expect(s.indexMirror.deltaReads == deltas + 1)
    }

    @Test func anIndexOfExactlyTheLimitIsReadAsDeltas() {
        // The benchmark's 100,000 tasks in flight at the default limit of 100,000: the whole index
        // fits, so later polls read deltas (reading `limit` members could not tell; `limit + 1` can).
        let redis = seeded()
        let s = Sampler(
            configuration: CeleryConfiguration(
                queues: ["a", "b"], discoverQueues: false, unackedSampleLimit: 2_400, censusEnabled: false),
            logger: Logger(label: "test"))
        _ = s.poll(using: redis, now: t0)
        let rounds = redis.rounds.count
        let snap = s.poll(using: redis, now: t0 + 15)
        #expect(attributed(snap) == 2_400 && snap.sampled?.unackedTagCache.untracked == 0)
        #expect(s.indexMirror.deltaReads == 1)
        #expect(
            !redis.rounds[rounds...].joined().contains { $0[0] == b("ZRANGE") && !UnackedIndexMirror.isByScore($0) })
        // One more task: the oldest 2,400 are tracked, one is untracked, and the index is read whole.
        add(redis, 9_000, score: t0 + 20)
        let over = s.poll(using: redis, now: t0 + 30)
        #expect(over.sampled?.unackedTotal == 2_401)
        #expect(attributed(over) == 2_400 && over.sampled?.unackedTagCache.untracked == 1)
        #expect(!s.indexMirror.isValid)
    }
}
