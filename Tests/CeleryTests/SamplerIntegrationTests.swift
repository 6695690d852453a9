import Foundation
import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// The sampler against a real `redis-server`, seeded with Celery-shaped keys through
/// `RedisServer.command` (hand-written RESP, independent of the code under test), read through the
/// real `RedisConnection`.
@Suite(.serialized) struct SamplerIntegrationTests {
    private let t0 = 1_795_625_000.0

    /// Seeds one deployment under `prefix` and returns nothing; values mirror observed
    /// deployments: lists and bindings, unacked entries, priority lists.
    private func seedDeployment(_ server: RedisServer, prefix p: String) throws {
        func k(_ s: String) -> [UInt8] { b(p + s) }
        for i in 0..<3 { try seed(server, b("LPUSH"), k("celery"), b(celeryMessage(tag: "c\(i)"))) }
        for i in 0..<2 {
            try seed(server, b("LPUSH"), k("celery") + sep + b("3"), b(celeryMessage(tag: "p\(i)", priority: 5)))
        }
        try seed(server, b("LPUSH"), k("celery") + sep + b("9"), b(celeryMessage(tag: "p9", priority: 9)))
        try seed(server, b("LPUSH"), k("high"), b(celeryMessage(tag: "h0", queue: "high")))
        try seed(server, b("SET"), k("high") + sep + b("5"), b("not a list"))  // WRONGTYPE for LLEN

        try seed(server, b("SADD"), k("_kombu.binding.celery"), b("celery") + sep + sep + b("celery"))
        try seed(server, b("SADD"), k("_kombu.binding_permanent.celery"), b("celery") + sep + sep + b("celery"))
        try seed(server, b("SADD"), k("_kombu.binding.high"), b("high") + sep + sep + b("high"))
        try seed(server, b("SADD"), k("_kombu.binding.nobody"), b("nobody") + sep + sep + b("nobody"))
        try seed(server, b("SADD"), k("_kombu.binding.celery.pidbox"), sep + sep + b("w1@vm.celery.pidbox"))
        try seed(
            server, b("SADD"), k("_kombu.binding.reply.celery.pidbox"),
            b("4213a6cf") + sep + sep + b("4213a6cf.reply.celery.pidbox"))
        try seed(server, b("SADD"), k("_kombu.binding.celeryev"), b("worker.#") + sep + sep + b("celeryev.0d3b6c8f"))
        try seed(server, b("ZADD"), k("_kombu.binding_deadlines"), b("1795628600000"), b("celeryev"))

        let unacked: [(tag: String, queue: String, age: Double)] = [
            ("afbb5e42-9512-489f-be01-c09a62a78bea", "celery", 10),
            ("f61a7556-d9ed-4d9d-9b1e-611a77a1dfc1", "celery", 4_000),  // stranded (VT 3600)
            ("c661f303-47ff-4e6f-8604-67a594032b31", "high", 5.25),
        ]
        for entry in unacked {
            try seed(server, b("HSET"), k("unacked"), b(entry.tag), b(unackedValue(tag: entry.tag, queue: entry.queue)))
            try seed(server, b("ZADD"), k("unacked_index"), b("\(t0 - entry.age)"), b(entry.tag))
        }
        try seed(server, b("HSET"), k("unacked"), b("garbage-tag"), b("[{\"headers\": "))
        try seed(server, b("ZADD"), k("unacked_index"), b("\(t0 - 20)"), b("garbage-tag"))
        try seed(server, b("ZADD"), k("unacked_index"), b("\(t0 - 30)"), b("index-only-tag"))
    }

    private func expectSeededDeployment(_ snap: Snapshot) {
        #expect(snap.succeeded)
        #expect(snap.failure?.stage == nil)
        #expect(
            snap.sampled?.queues == [
                QueueSnapshot(
                    name: "celery", length: 6, lengthByPriority: [0: 3, 3: 2, 9: 1], unacked: 2,
                    unackedOldestAge: 4_000, stranded: 1, oldestMessageAge: 0),
                QueueSnapshot(
                    name: "high", length: 1, lengthByPriority: [0: 1], unacked: 1, unackedOldestAge: 5.25,
                    stranded: 0, keyErrors: 1, oldestMessageAge: 0),
                QueueSnapshot(name: "nobody"),
            ])
        #expect(snap.sampled?.knownQueueCount == 3)
        // "index-only-tag" has no hash entry: a stale index member, not a task in flight.
        #expect(snap.sampled?.unackedTotal == 4)
        #expect(snap.sampled?.strandedTotal == 1)
        #expect(snap.sampled?.unackedSampled == 5)
        #expect(snap.sampled?.unackedUndecodable == 1)
        #expect(snap.sampled?.unackedIndexStale == 1)
        #expect(snap.sampled?.unackedUnknownQueue == 0)
        #expect(snap.sampled?.unackedUnclassified == 1)
        #expect(snap.sampled?.commandErrors == [.queues: 1])
        #expect(snap.sampled?.census == nil, "the census runs on its own thread: a poll never waits for a pass")
    }

    @Test func celeryShapedKeysWithoutPrefix() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try seedDeployment(server, prefix: "")
        let redis = try connect(server)
        let sampler = Sampler(configuration: CeleryConfiguration(), logger: Logger(label: "test"))
        let first = sampler.poll(using: redis, now: t0)
        #expect(first.sampled?.discoveryRan == true)
        expectSeededDeployment(first)

        // The queue drains and Redis deletes the lists: the known queue reads 0, it does not vanish.
        try seed(server, b("DEL"), b("celery"), b("celery") + sep + b("3"), b("celery") + sep + b("9"))
        let drained = sampler.poll(using: redis, now: t0 + 1)
        #expect(
            drained.sampled?.queues.first
                == QueueSnapshot(
                    name: "celery", length: 0, unacked: 2,
                    unackedOldestAge: 4_001, stranded: 1))
        #expect(sampler.tailTracker.firstSeen.count == 1, "only the `high` tail is still tracked")
    }

    @Test func prefixWithGlobCharactersIsolatesTheDeployment() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        let prefix = "app[1]*:"
        try seedDeployment(server, prefix: prefix)
        // Noise: an unprefixed deployment, and a decoy the unescaped pattern `app[1]*:_kombu.binding.*` matches.
        try seed(server, b("SADD"), b("_kombu.binding.other"), b("other") + sep + sep + b("other"))
        try seed(server, b("LPUSH"), b("celery"), b("x"))
        try seed(server, b("ZADD"), b("unacked_index"), b("1"), b("foreign"))
        try seed(server, b("SADD"), b("app1xyz:_kombu.binding.decoy"), b("decoy") + sep + sep + b("decoy"))

        let redis = try connect(server)
        let sampler = Sampler(configuration: CeleryConfiguration(keyPrefix: prefix), logger: Logger(label: "test"))
        expectSeededDeployment(sampler.poll(using: redis, now: t0))
        #expect(sampler.knownQueues == ["celery", "high", "nobody"])
    }

    /// Issue 3 items 1, 2, 4 and 6 against a real server: exact ages from `sent_at` and `expires`,
    /// first-seen ages, ETA handling, the in-flight split, and the census over several polls.
    @Test func agesInFlightSplitAndCensusAgainstARealServer() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        // Queue `celery`: oldest (tail) first, since LPUSH puts each new message at the head.
        try seed(server, b("LPUSH"), b("celery"), b(celeryMessage(tag: "old", sentAt: t0 - 120)))
        try seed(server, b("LPUSH"), b("celery"), b(celeryMessage(tag: "new", sentAt: t0 - 1)))
        // Priority 3: sent with expires=3600 at t0 − 300.
        try seed(
            server, b("LPUSH"), b("celery") + sep + b("3"),
            b(celeryMessage(tag: "exp", priority: 3, expires: iso(t0 + 3_300), expiration: "3600000")))
        // Queue `restored`: a restore RPUSHed a redelivered message to the tail; behind it a future ETA.
        try seed(server, b("RPUSH"), b("restored"), b(celeryMessage(tag: "r", queue: "restored", redelivered: true)))
        try seed(
            server, b("RPUSH"), b("restored") + sep + b("6"),
            b(celeryMessage(tag: "eta", queue: "restored", priority: 6, eta: iso(t0 + 30))))
        // In flight: a countdown of 2 h fetched 10 s ago (beyond VT), one of 60 s, one plain.
        let inFlight: [(tag: String, eta: Double?)] = [("far", t0 + 7_190), ("near", t0 + 50), ("plain", nil)]
        for entry in inFlight {
            try seed(
                server, b("HSET"), b("unacked"), b(entry.tag),
                b(unackedValue(tag: entry.tag, eta: entry.eta.map(iso))))
            try seed(server, b("ZADD"), b("unacked_index"), b("\(t0 - 10)"), b(entry.tag))
        }
        // Result backend: SETEX like Celery, TTL counting from the last write.
        try seed(server, b("SETEX"), b("celery-task-meta-s1"), b("86400"), b(Meta.success("s1")))
        try seed(server, b("SETEX"), b("celery-task-meta-s2"), b("86400"), b(Meta.success("s2")))
        try seed(server, b("SETEX"), b("celery-task-meta-f1"), b("86400"), b(Meta.workerLost("f1")))
        try seed(server, b("SETEX"), b("celery-task-meta-st"), b("85800"), b(Meta.started("st", host: "w1@vm")))
        try seed(server, b("SET"), b("celery-task-meta-junk"), b("not json"))
        try seed(server, b("SET"), b("celery-taskset-meta-g"), b("{}"))

        let redis = try connect(server)
        let sampler = Sampler(
            configuration: CeleryConfiguration(
                queues: ["celery", "restored"], discoverQueues: false, censusScanCount: 2),
            logger: Logger(label: "test"))
        let censusConnection = try connect(server)  // the census thread's own connection
        let census = try #require(sampler.census)
        var clock = t0
        var pauses = 0
        let first = sampler.poll(using: redis, now: t0)
        #expect(first.sampled?.census == nil, "nothing before the first complete pass")
        #expect(
            try census.runPass(
                using: censusConnection, clock: { clock },
                pace: { _ in
                    pauses += 1
                    return false
                }) == .completed)
        #expect(pauses > 2, "the pass took several paced SCAN COUNT 2 calls")
        #expect(first.succeeded && first.sampled?.commandErrors.isEmpty == true)
        let celery = try #require(first.sampled).queues[0]
        #expect(celery.oldestMessageAge == 300)
        #expect(celery.oldestMessageAgeIsExact)
        #expect(celery.scheduled == 2)
        #expect(celery.etaBeyondVisibility == 1)
        #expect(celery.stranded == 0)
        let restored = try #require(first.sampled).queues[1]
        #expect(restored.oldestMessageAge == 0)
        #expect(!restored.oldestMessageAgeIsExact)
        #expect(restored.redeliveredTailMessages == 1)
        let last = sampler.poll(using: redis, now: t0 + 7)
        #expect(last.sampled?.queues[1].oldestMessageAge == 7)
        let censusSnap = try #require(last.sampled?.census)
        #expect(censusSnap.metaKeys[.success] == 2)
        #expect(censusSnap.metaKeys[.failure] == 1)
        #expect(censusSnap.metaKeys[.started] == 1)
        #expect(censusSnap.metaKeys[.unknown] == 1)
        #expect(censusSnap.workerLostKeys == 1)
        #expect(censusSnap.trackedKeys == 5)
        // STARTED 600 s before the seed (TTL 85800 of 86400). The PTTL is read during the pass
        // (fake clock), so the age is 600 s plus the fake seconds since then plus the real seconds
        // the TTL ran down meanwhile.
        #expect(
            censusSnap.startedOldestAge >= 600 && censusSnap.startedOldestAge < 600 + 7 + 5,
            "started age \(censusSnap.startedOldestAge)")
        #expect(sampler.poll(using: redis, now: t0 + 100, liveWorkers: ["w2@vm"]).sampled?.orphanedStartedTasks == 1)
        #expect(sampler.poll(using: redis, now: t0 + 101, liveWorkers: ["w1@vm"]).sampled?.orphanedStartedTasks == 0)

        // forget() deletes a meta: the next complete pass no longer counts it.
        try seed(server, b("DEL"), b("celery-task-meta-s1"))
        clock = t0 + 200
        _ = try census.runPass(
            using: censusConnection, clock: { clock },
            pace: {
                clock += $0
                return false
            })
        let after = sampler.poll(using: redis, now: clock).sampled?.census
        #expect(after?.passesCompleted == 2)
        #expect(after?.metaKeys[.success] == 1)
        #expect(after?.trackedKeys == 4)
    }

    @Test func sampleLimitAgainstARealServer() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        for i in 0..<30 {
            let tag = "tag-\(100 + i)"
            try seed(server, b("HSET"), b("unacked"), b(tag), b(unackedValue(tag: tag)))
            try seed(server, b("ZADD"), b("unacked_index"), b("\(t0 - 100 + Double(i))"), b(tag))
        }
        let redis = try connect(server)
        let sampler = Sampler(
            configuration: CeleryConfiguration(
                queues: ["celery"], discoverQueues: false, unackedSampleLimit: 10,
                unackedClassifyLimit: 4),
            logger: Logger(label: "test"))
        var perQueue: [Int] = []
        for i in 0..<4 {
            let snap = sampler.poll(using: redis, now: t0 + Double(i))
            #expect(snap.succeeded)
            #expect(snap.sampled?.unackedTotal == 30)
            #expect(snap.sampled?.unackedSampled == 10)
            #expect(snap.sampled?.queues[0].unackedOldestAge == 100 + Double(i))
            perQueue.append(try #require(snap.sampled).queues[0].unacked)
        }
        #expect(perQueue == [4, 8, 10, 10])
    }

    @Test func serverGoneFailsThePollWithItsStage() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try seed(server, b("LPUSH"), b("celery"), b("x"))
        let redis = try connect(server)
        let sampler = Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false),
            logger: Logger(label: "test"))
        #expect(sampler.poll(using: redis, now: t0).sampled?.queues.first?.length == 1)
        server.shutdownAndWait()
        let failed = sampler.poll(using: redis, now: t0 + 1)
        #expect(failed.sampled == nil, "no stale values")
        #expect(failed.failure?.stage == .queues)
        #expect(failed.failure?.reason.isEmpty == false)
    }
}
