import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

#if canImport(Glibc)
    import Glibc
#endif

/// ``UnackedLedger`` (per-poll work O(changes)) against a real `redis-server`: over many polls
/// with tasks delivered, acked, restored and re-fetched, entries crossing the stranded threshold
/// and ETAs passing as the clock moves (and once moving back), stale members, undecodable values,
/// over-long tags and unknown queues, every number a poll reports equals what a sampler walking
/// the whole sample every poll (``Sampler/unackedFullWalk``, the pre-ledger code) reports, side by
/// side on the same Redis; and the ledger's stranded meta keys equal a walk over its own copy.
@Suite(.serialized) struct UnackedLedgerIntegrationTests {
    private let t0 = 1_795_625_000.0
    private static let queues = (0..<6).map { "lq\($0)" }
    private static let tasks = (0..<7).map { "app.tasks.t\($0)" }

    /// Everything a poll says about tasks in flight.
    struct InFlight: Equatable {
        var total = 0
        var stranded = 0
        var sampled = 0
        var unclassified = 0
        var undecodable = 0
        var stale = 0
        var unknownQueue = 0
        var unread: [UnreadReason: Int] = [:]
        var orphaned: Int?
        var perQueue: [String: [Double]] = [:]
        var byTask: [String: [String: Int]] = [:]
        var scheduledByTask: [String: [String: Int]] = [:]
        var inFlightByQueue: [String: Int] = [:]

        init(_ snap: Snapshot, _ sampler: Sampler) {
            guard let s = snap.sampled else { return }
            total = s.unackedTotal
            stranded = s.strandedTotal
            sampled = s.unackedSampled
            unclassified = s.unackedUnclassified
            undecodable = s.unackedUndecodable
            stale = s.unackedIndexStale
            unknownQueue = s.unackedUnknownQueue
            unread = s.unackedUnread
            orphaned = s.orphanedStartedTasks
            for q in s.queues {
                perQueue[q.name] = [
                    Double(q.unacked), Double(q.stranded), Double(q.scheduled), Double(q.etaBeyondVisibility),
                    q.unackedOldestAge ?? -1,
                ]
                byTask[q.name] = q.unackedByTask
                scheduledByTask[q.name] = q.scheduledByTask
            }
            inFlightByQueue = sampler.discovery.inFlightByQueue
        }
    }

    private func tag(_ i: Int) -> String {
        let hex = String(i, radix: 16)
        return "5e1f2a3b-0c4d-4e5f-8a9b-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    /// `2026-01-02T03:04:05.250000+00:00` for a Unix time.
    private func iso(_ t: Double) -> String {
        var seconds = time_t(t.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let micros = Int32(((t - t.rounded(.down)) * 1_000_000).rounded())
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(micros, 6))+00:00"
    }

    /// A worker's fetch; `queue` may be one the sampler does not know, `eta` nil for none.
    private func deliver(
        _ i: Int, score: Double, queue: String, task: String, eta: Double?, _ batch: inout [RedisCommand]
    ) {
        let t = tag(i)
        let message = celeryMessage(id: t, task: task, tag: t, queue: queue, eta: eta.map(iso))
        batch.append([b("HSET"), b("unacked"), b(t), b("[" + message + #", "", "\#(queue)"]"#)])
        batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(score)), b(t)])
    }

    private func ack(_ member: String, _ batch: inout [RedisCommand]) {
        batch.append([b("ZREM"), b("unacked_index"), b(member)])
        batch.append([b("HDEL"), b("unacked"), b(member)])
    }

    private func configuration(classifyLimit: Int) -> CeleryConfiguration {
        CeleryConfiguration(
            queues: Self.queues, visibilityTimeout: 3_600, discoverQueues: false, unackedSampleLimit: 100_000,
            unackedClassifyLimit: classifyLimit, taskNameLimit: 4, censusEnabled: false)
    }

    /// The ledger's stranded meta keys and stranded count, against a walk over the sampler's own
    /// copy of the index and its cache (the census-side orphan count uses them).
    private func strandedByWalk(_ sampler: Sampler, now: Double) -> (keys: Set<UInt64>, count: Int) {
        var keys: Set<UInt64> = []
        var count = 0
        for member in sampler.indexMirror.members where member.score < now - 3_600 {
            guard let entry = sampler.tagCache.entries[member.key], entry.kind == .message,
                entry.countedScore == member.score
            else { continue }
            count += 1
            if entry.metaKeyHash != 0 { keys.insert(entry.metaKeyHash) }
        }
        return (keys, count)
    }

    @Test(arguments: [100_000, 150])
    func incrementalCountsEqualAFullWalkOverManyPolls(classifyLimit: Int) throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        var random = UnackedIndexDeltaIntegrationTests.Generator(state: 29)
        var live: [String] = []
        var batch: [RedisCommand] = []
        var next = 0
        /// Scores spread over the last 70 minutes (many cross the one-hour threshold as polls go
        /// on), ETAs within the next 40 minutes on a third of them (they pass as polls go on), a
        /// few far beyond the visibility timeout, queues the sampler does not know on some.
        func deliverRandom(around now: Double, spread: Double) {
            let score = now - Double(random.next(Int(spread * 1_000) + 1)) / 1_000
            let queue = random.next(9) == 0 ? "elsewhere\(random.next(3))" : Self.queues[random.next(Self.queues.count)]
            let eta: Double? =
                switch random.next(6) {
                case 0, 1: now + Double(random.next(2_400))
                case 2: score + 3_600 + Double(random.next(600)) + 1
                default: nil
                }
            deliver(next, score: score, queue: queue, task: Self.tasks[random.next(Self.tasks.count)], eta: eta, &batch)
            live.append(tag(next))
            next += 1
        }
        for _ in 0..<1_200 { deliverRandom(around: t0, spread: 4_200) }
        // Hostile members: a stale one (no hash entry), an undecodable value, an over-long tag.
        batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(t0 - 3_500)), b("stale-member")])
        batch.append([b("HSET"), b("unacked"), b("garbage"), b("{not json")])
        batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(t0 - 100)), b("garbage")])
        let longTag = String(repeating: "x", count: UnackedTagCache.maxOtherTagBytes + 1)
        batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(t0 - 50)), b(longTag)])
        _ = try redis.pipeline(batch)

        let incremental = Sampler(
            configuration: configuration(classifyLimit: classifyLimit), logger: Logger(label: "l"))
        let reference = Sampler(configuration: configuration(classifyLimit: classifyLimit), logger: Logger(label: "r"))
        reference.unackedFullWalk = true
        var now = t0
        for round in 0..<60 {
            let got = InFlight(incremental.poll(using: redis, now: now, liveWorkers: []), incremental)
            let want = InFlight(reference.poll(using: redis, now: now, liveWorkers: []), reference)
            #expect(got == want, "round \(round)")
            // In flight: every live task, the garbage value and the long tag (the stale member is
            // not, once read: with a classify limit of 150 that takes the first polls).
            if round >= 10 { #expect(got.total == live.count + 2, "round \(round)") }
            let walk = strandedByWalk(incremental, now: now)
            var ledger = incremental.ledger
            var limiter = incremental.taskNames
            let breakdown = ledger.breakdown(
                known: Set(Self.queues), cache: incremental.tagCache, taskNames: &limiter)
            #expect(Set(breakdown.strandedMetaKeys.counts.keys) == walk.keys, "round \(round)")
            #expect(breakdown.strandedInSample == walk.count, "round \(round)")
            #expect(
                breakdown.strandedMetaKeys.subtracting(Set(walk.keys.prefix(5))).count == max(0, walk.keys.count - 5))
            if round == 0 { #expect(got.stranded > 0 && got.perQueue.values.contains { $0[2] > 0 }) }

            // Between polls: the clock moves 1-3 minutes (once 5 minutes back), tasks are acked
            // anywhere, new ones fetched, a few restored and re-fetched under the same tag.
            now += round == 30 ? -300 : Double(60 + random.next(120))
            batch = []
            for _ in 0..<random.next(60) where !live.isEmpty {
                ack(live.remove(at: random.next(live.count)), &batch)
            }
            for _ in 0..<random.next(60) { deliverRandom(around: now, spread: 30) }
            for _ in 0..<random.next(4) where !live.isEmpty {
                let t = live[random.next(live.count)]
                batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(now - 1)), b(t)])
            }
            if round == 20 {
                // The stale member is fetched for real, the garbage one acked and delivered anew.
                batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(now - 2)), b("stale-member")])
                batch.append([b("ZREM"), b("unacked_index"), b("garbage")])
                batch.append([b("ZADD"), b("unacked_index"), b(RoundPlan.format(now - 3)), b("garbage")])
            }
            if !batch.isEmpty { _ = try redis.pipeline(batch) }
        }
        // Polls after the first were deltas applied to the ledger, not whole comparisons; the
        // clock moving back forced one recount.
        #expect(incremental.indexMirror.deltaReads > 50)
        #expect(incremental.ledger.resyncs <= 2)
        #expect(incremental.ledger.rebuilds == 2)  // the first sync (empty) and the clock moving back
        #expect(incremental.tagCache.count == reference.tagCache.count)
        #expect(incremental.tagCache.hits == reference.tagCache.hits)
        #expect(incremental.tagCache.misses == reference.tagCache.misses)
        #expect(incremental.tagCache.evictions == reference.tagCache.evictions)
    }
}
