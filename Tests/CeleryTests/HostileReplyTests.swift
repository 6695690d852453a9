import Foundation
import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// A real connection whose replies to the commands `rewrite` picks are replaced: a server that is
/// not Redis (a proxy, a look-alike, an attacker on the path), everything else answered by a real
/// `redis-server`.
final class RewritingExecutor: RedisCommandExecuting {
    let inner: any RedisCommandExecuting
    let rewrite: (RedisCommand, RESPValue) -> RESPValue

    init(_ inner: any RedisCommandExecuting, rewrite: @escaping (RedisCommand, RESPValue) -> RESPValue) {
        self.inner = inner
        self.rewrite = rewrite
    }

    func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        zip(commands, try inner.pipeline(commands)).map { rewrite($0, $1) }
    }
}

/// Issue 9, found by a read-only audit after the fuzz campaign: numbers and orders a server that
/// is not Redis can answer trapped the poll thread (arithmetic overflow, a reversed range). Each
/// test crashed the test process on the code before the fix.
@Suite(.serialized) struct HostileReplyTests {
    private let t0 = 1_795_625_000.0

    private func connection(_ server: RedisServer) throws -> RedisConnection {
        try RedisConnection(configuration: try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
    }

    private func sampler(queues: [String], taskNames: Int = 0) -> Sampler {
        Sampler(
            configuration: CeleryConfiguration(
                queues: queues, discoverQueues: false, taskNameLimit: taskNames, censusEnabled: false),
            logger: Logger(label: "test"))
    }

    private static func isCommand(_ command: RedisCommand, _ name: String) -> Bool {
        command.first.map { String(decoding: $0, as: UTF8.self).uppercased() } == name
    }

    /// Two priority lists of one queue answering `LLEN` with Int64.max: their sum overflowed.
    @Test func impossibleListLengthsAreClampedNotSummedPastInt64() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try seed(server, b("RPUSH"), b("celery"), b(celeryMessage(tag: "t1")))
        try seed(server, b("RPUSH"), b("celery") + sep + b("3"), b(celeryMessage(tag: "t2")))
        let redis = RewritingExecutor(try connection(server)) { command, reply in
            HostileReplyTests.isCommand(command, "LLEN") ? .integer(Int64.max) : reply
        }
        let snap = sampler(queues: ["celery"]).poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        // Ten priority lists, each read as at most 2^40.
        #expect(snap.sampled?.queues.first?.length == 10 * Sampler.maximumCount)
    }

    /// The backlog script's "bytes copied" answered as Int64.max by every call: the per-poll sum
    /// and the running total overflowed.
    @Test func impossibleCopyCountsFromTheBacklogScriptDoNotOverflow() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        for queue in ["a", "b"] {
            for n in 0..<3 {
                try seed(server, b("LPUSH"), b(queue), b(celeryMessage(id: "\(queue)-\(n)", tag: "\(queue)-\(n)")))
            }
        }
        let redis = RewritingExecutor(try connection(server)) { command, reply in
            // The backlog's `n` mode: `EVALSHA_RO sha 1 key n …`.
            guard HostileReplyTests.isCommand(command, "EVALSHA_RO") || HostileReplyTests.isCommand(command, "EVALSHA"),
                command.count > 4, command[4] == b("n")
            else { return reply }
            return .array([.integer(Int64.max)])
        }
        let s = sampler(queues: ["a", "b"], taskNames: 10)
        for poll in 0..<3 {
            let snap = s.poll(using: redis, now: t0 + Double(poll))
            #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
            #expect(snap.sampled?.queues.map(\.length) == [3, 3])
        }
    }

    /// `unacked_index` members answered out of score order: refused as an error reply (counted),
    /// never remembered as the copy the delta reads are cut from.
    @Test func membersOutOfScoreOrderAreAnErrorReply() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        var zadd = [b("ZADD"), b("unacked_index")]
        for (block, score) in [100, 200, 300].enumerated() {
            for i in 0..<1_000 { zadd += [b(String(score)), b("m\(block * 1_000 + i)")] }
        }
        try seed(server, zadd)
        // Swaps the 200 and 300 blocks of a whole read.
        let redis = RewritingExecutor(try connection(server)) { command, reply in
            guard HostileReplyTests.isCommand(command, "ZRANGE"), !command.contains(b("BYSCORE")),
                case .array(let flat) = reply, flat.count == 6_000
            else { return reply }
            return .array(Array(flat[0..<2_000]) + Array(flat[4_000..<6_000]) + Array(flat[2_000..<4_000]))
        }
        let s = sampler(queues: ["celery"])
        for poll in 0..<3 {
            let snap = s.poll(using: redis, now: t0 + Double(poll))
            #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
            #expect(snap.sampled?.commandErrors[.unacked] ?? 0 >= 1, "poll \(poll)")
        }
        #expect(Sampler.parseMembers(.array([.bulk(b("x")), .bulk(b("2")), .bulk(b("y")), .bulk(b("1"))])) == nil)
        #expect(Sampler.parseMembers(.array([.bulk(b("x")), .bulk(b("1")), .bulk(b("y")), .bulk(b("1"))]))?.count == 2)
    }

    /// A re-read bucket whose bounds are reversed (cut from a copy a hostile server shuffled)
    /// answering a remembered member: building `low..<high` trapped.
    @Test func aBucketWithReversedBoundsDoesNotTrap() {
        var mirror = UnackedIndexMirror()
        let members = (0..<3).map { UnackedIndexMirror.Member(key: UnackedTagKey(b("m\($0)")), score: Double($0)) }
        mirror.replaceAll(with: members, now: t0, limit: 100)
        let reversed = UnackedIndexMirror.Bucket(low: 2, high: 1, range: 0..<3)
        let outcome = mirror.apply(
            buckets: [reversed], rereads: [(bucket: 0, members: [members[2]])], window: [], reverified: 1, now: t0 + 1,
            limit: 100)
        #expect(outcome == .updated)
        // Outside its bucket's range: taken as added below the window (whole reads for a while).
        #expect(mirror.belowWindowAdds == 1)
    }

    /// `DBSIZE` answered as Int64.max: the live-write capacity (twice the keyspace) overflowed.
    @Test func anImpossibleKeyspaceSizeDoesNotOverflowTheCensus() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try seed(server, b("SETEX"), b("celery-task-meta-a"), b("600"), b(Meta.success("a")))
        let redis = RewritingExecutor(try connection(server)) { command, reply in
            HostileReplyTests.isCommand(command, "DBSIZE") ? .integer(Int64.max) : reply
        }
        let census = ResultCensus(
            configuration: CeleryConfiguration(discoverQueues: false), layout: KombuKeyLayout(), epoch: t0)
        _ = try census.runPass(using: redis, clock: { self.t0 }, pace: { _ in false })
        census.record(channel: b("celery-task-meta-b"), payload: b(Meta.success("b")), at: t0)
        #expect(census.lastKeyspaceSize == Int(Sampler.maximumCount))
        #expect(census.snapshot(now: t0)?.trackedKeys == 2)
    }
}

/// Issue 9: anyone allowed to `PUBLISH` can name new `celery-task-meta-*` keys without end; the
/// census table grew with every one (≈ 20 bytes each, a few hundred more for STARTED ones) until
/// the next pass. Against a real `redis-server` for the passes.
@Suite(.serialized) struct CensusLiveWriteCapacityTests {
    private let t0 = 1_795_625_000.0

    @Test func forgedResultWritesStopAtTheCapacityAndThePassHeals() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        for i in 0..<10 {
            try seed(server, b("SETEX"), b("celery-task-meta-real\(i)"), b("600"), b(Meta.success("real\(i)")))
        }
        let redis = try RedisConnection(
            configuration: try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        let census = ResultCensus(
            configuration: CeleryConfiguration(discoverQueues: false), layout: KombuKeyLayout(), epoch: t0,
            liveWriteFloor: 100)
        _ = try census.runPass(using: redis, clock: { self.t0 }, pace: { _ in false })
        #expect(census.snapshot(now: t0)?.trackedKeys == 10)

        for i in 0..<500 {
            census.record(
                channel: b("celery-task-meta-forged\(i)"), payload: b(Meta.started("forged\(i)")), at: t0 + 1)
        }
        var snap = try #require(census.snapshot(now: t0 + 1))
        #expect(snap.trackedKeys == 100)
        #expect(snap.liveWritesRefused == 410)
        #expect(snap.metaKeys[.started] == 90)
        // A write of a key the census knows is still applied.
        census.record(channel: b("celery-task-meta-real0"), payload: b(Meta.failure("real0")), at: t0 + 2)
        snap = try #require(census.snapshot(now: t0 + 2))
        #expect(snap.metaKeys[.failure] == 1)
        #expect(snap.liveWritesRefused == 410)

        // The next pass drops the forged keys (not in Redis): room again.
        _ = try census.runPass(using: redis, clock: { self.t0 + 3 }, pace: { _ in false })
        snap = try #require(census.snapshot(now: t0 + 3))
        #expect(snap.trackedKeys == 10)
        #expect(snap.metaKeys[.started] == 0)
    }

    @Test func startedMetasPastTheTrackingCapAreCountedWithoutAge() {
        var table = CensusTable(epoch: t0)
        let started = TaskMeta(bytes: b(Meta.started("x")))
        for i in 0..<(CensusTable.maximumStartedTracked + 5) {
            table.upsert(UInt64(i), meta: started, expiresAt: nil, now: t0, startEstimate: t0)
        }
        #expect(table.started.count == CensusTable.maximumStartedTracked)
        #expect(table.startedRefused == 5)
        #expect(table.countsByState[.started] == CensusTable.maximumStartedTracked + 5)
    }
}
