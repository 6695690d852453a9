import Foundation
import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// `unacked_index` members without an `unacked` hash entry, against a real `redis-server`: kombu
/// writes and removes both in one `MULTI`, so such a member is a stale leftover (its restore sweep
/// drops it after the visibility timeout), never a task in flight.
@Suite(.serialized) struct StaleUnackedIndexIntegrationTests {
    private let t0 = 1_795_625_000.0

    @Test func staleIndexEntriesAreNotInFlightNotStrandedNotOrphanedButCounted() throws {
        let server = try RedisServer()
        defer { _ = try? server.command("SHUTDOWN", "NOSAVE") }
        let redis = try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0"))
        _ = try server.command([b("SADD"), b("_kombu.binding.celery"), b("celery") + sep + sep + b("celery")])
        // One real task in flight, fetched 5 s ago.
        _ = try server.command([b("HSET"), b("unacked"), b("live"), b(unackedValue(tag: "live", queue: "celery"))])
        _ = try server.command([b("ZADD"), b("unacked_index"), b("\(t0 - 5)"), b("live")])
        // Seven stale index members, all older than the visibility timeout (3600 s).
        let stale = 7
        for i in 0..<stale {
            _ = try server.command([b("ZADD"), b("unacked_index"), b("\(t0 - 7_200 - Double(i))"), b("gone-\(i)")])
        }
        let sampler = Sampler(
            configuration: CeleryConfiguration(censusEnabled: false), logger: Logger(label: "test"))
        for now in [t0, t0 + 1] {  // the second poll answers from the cache
            // No live worker: stranded entries would count as orphaned (a false alert).
            let snap = sampler.poll(using: redis, now: now, liveWorkers: [])
            #expect(snap.succeeded)
            #expect(snap.sampled?.unackedIndexStale == stale)
            #expect(snap.sampled?.unackedTotal == 1)
            #expect(snap.sampled?.strandedTotal == 0)
            #expect(snap.sampled?.unackedUnclassified == 0)
            #expect(snap.sampled?.orphanedStartedTasks == 0)
            #expect(snap.sampled?.queues.map(\.unacked) == [1])
            #expect(snap.sampled?.queues.map(\.stranded) == [0])
        }
        // kombu's sweep (ZREM) cleans them: the gauge goes back to 0.
        for i in 0..<stale { _ = try server.command([b("ZREM"), b("unacked_index"), b("gone-\(i)")]) }
        #expect(sampler.poll(using: redis, now: t0 + 2, liveWorkers: []).sampled?.unackedIndexStale == 0)
    }
}
