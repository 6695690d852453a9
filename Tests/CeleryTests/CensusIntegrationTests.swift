import Foundation
import Logging
import Redis
import Sockets
import Synchronization
import TestSupport
import Testing

@testable import Celery

/// The census as the exporter runs it (its loop on its own thread and connection, fed by a real
/// Pub/Sub subscription) against a real `redis-server`. The test writes like a Celery worker does
/// (`SETEX key result_expires json` + `PUBLISH` of the same json on a channel named
/// like the key) and like `AsyncResult.forget()` (`DEL`, nothing published).
@Suite(.serialized) struct CensusIntegrationTests {
    private static func now() -> Double { Date().timeIntervalSince1970 }

    private func waitUntil(_ timeout: Double = 5, _ condition: () -> Bool) -> Bool {
        let end = Self.now() + timeout
        while Self.now() < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// Writes a result like Celery's worker.
    private func celeryWrite(_ server: RedisServer, _ id: String, _ json: String, ttl: Int) throws {
        let key = b("celery-task-meta-" + id)
        #expect(try server.command([b("SETEX"), key, b(String(ttl)), b(json)]).hasPrefix("+OK"))
        _ = try server.command([b("PUBLISH"), key, b(json)])
    }

    @Test func liveWritesPredictedExpiryAndReconciliationOfForget() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        for id in ["a", "b"] {
            _ = try server.command([b("SETEX"), b("celery-task-meta-" + id), b("86400"), b(Meta.success(id))])
        }
        _ = try server.command([b("SETEX"), b("celery-task-meta-f"), b("86400"), b(Meta.failure("f"))])

        let redisConfiguration = RedisConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: server.port), connectTimeout: .seconds(3), readTimeout: .seconds(3))
        // result_expires 2 s for the live writes; passes every 60 s, so within this test every
        // pass after the first is one the census asked for itself.
        let census = ResultCensus(
            configuration: CeleryConfiguration(
                discoverQueues: false, resultExpires: 2, censusInterval: 60, censusTargetPassDuration: 0.2),
            layout: KombuKeyLayout(), epoch: Self.now())
        census.attachEventStream()
        let subscriber = RedisSubscriber(
            configuration: redisConfiguration, patterns: CeleryEventChannels(keyPrefix: "", database: 0).patterns,
            backoff: ReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200)),
            idleTimeout: .milliseconds(100))
        let listener = try NativeThread.spawn(name: "census-events") {
            subscriber.run { event in
                switch event {
                case .message(let m): census.record(channel: m.channel, payload: m.payload, at: Self.now())
                case .subscribed: census.eventStreamUp(at: Self.now())
                case .disconnected: census.eventStreamDown(at: Self.now())
                }
            }
        }
        let stop = Atomic<Bool>(false)
        let loop = try NativeThread.spawn(name: "census-loop") {
            let client = RedisClient(configuration: redisConfiguration)
            census.run(using: client, clock: { Self.now() }) { seconds in
                let end = Self.now() + seconds
                while Self.now() < end {
                    if stop.load(ordering: .acquiring) { return true }
                    usleep(10_000)
                }
                return stop.load(ordering: .acquiring)
            }
            client.close()
        }
        defer {
            subscriber.stop()
            listener.join()
            stop.store(true, ordering: .releasing)
            let asked = Self.now()
            loop.join()
            #expect(Self.now() - asked < 1.5, "the census loop stops promptly")
        }

        #expect(waitUntil { census.snapshot(now: Self.now())?.metaKeys[.success] == 2 })
        #expect(waitUntil { subscriber.status.isSubscribed })
        // Wait for the passes the start-up asked for (the first, and one if the subscription came
        // after it began), then for quiet.
        #expect(waitUntil { census.shared.withLock { !$0.passActive && !$0.reconcileRequested } })
        let passes = try #require(census.snapshot(now: Self.now())?.passesCompleted)

        // A new task STARTED then SUCCESS, a retried one: counted from the messages alone.
        try celeryWrite(server, "n", Meta.started("n"), ttl: 2)
        #expect(waitUntil { census.snapshot(now: Self.now())?.metaKeys[.started] == 1 })
        try celeryWrite(server, "n", Meta.success("n"), ttl: 2)
        try celeryWrite(server, "r", Meta.retry("r"), ttl: 2)
        #expect(
            waitUntil {
                let s = census.snapshot(now: Self.now())
                return s?.metaKeys[.success] == 3 && s?.metaKeys[.retry] == 1 && s?.metaKeys[.started] == 0
            })
        #expect(census.snapshot(now: Self.now())?.passesCompleted == passes, "no pass was needed")
        #expect(census.snapshot(now: Self.now())?.liveWrites == 3)

        // Redis expires them 2 s after their last write; the census predicts it, without a pass.
        #expect(
            waitUntil(4) {
                let s = census.snapshot(now: Self.now())
                return s?.metaKeys[.success] == 2 && s?.metaKeys[.retry] == 0
            })
        #expect(try server.command([b("EXISTS"), b("celery-task-meta-n")]).hasPrefix(":0"))
        let snap = try #require(census.snapshot(now: Self.now()))
        #expect(snap.predictedExpiries == 2)
        #expect(snap.passesCompleted == passes)
        #expect(Self.now() - snap.updatedTimestamp < 1.5, "current as of the last tick")

        // forget(): DEL publishes nothing. Dropping the subscriber's connection makes it
        // resubscribe, and the census reconciles at once (writes may have been missed).
        _ = try server.command([b("DEL"), b("celery-task-meta-a")])
        usleep(300_000)
        #expect(census.snapshot(now: Self.now())?.metaKeys[.success] == 2, "invisible to events")
        _ = try server.command("CLIENT", "KILL", "TYPE", "pubsub")
        #expect(
            waitUntil {
                let s = census.snapshot(now: Self.now())
                return (s?.passesCompleted ?? 0) > passes && s?.metaKeys[.success] == 1
            })
        let reconciled = try #require(census.snapshot(now: Self.now()))
        #expect(reconciled.vanishedInPasses == 1)
        #expect(reconciled.metaKeys[.failure] == 1)
        #expect(reconciled.trackedKeys == 2)
    }
}
