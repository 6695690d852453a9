import Exposition
import Foundation
import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// Issue 9 rows 5, 6 and 12 against a real `redis-server`: forged heartbeats published on the real
/// channels, queues created and deleted with real commands, and names of a megabyte.
@Suite(.serialized) struct BoundedTablesIntegrationTests {
    private let t0 = 1_795_625_000.0

    /// kombu's binding of `queue` to its own direct exchange.
    private func bind(_ server: RedisServer, _ queue: String) throws {
        try seed(server, b("SADD"), b("_kombu.binding." + queue), b(queue) + sep + sep + b(queue))
    }

    /// What kombu's `queue.delete()` leaves: no binding member, no lists.
    private func delete(_ server: RedisServer, _ queue: String) throws {
        try seed(server, b("SREM"), b("_kombu.binding." + queue), b(queue) + sep + sep + b(queue))
        try seed(server, b("DEL"), b(queue))
    }

    private func sampler(_ configuration: CeleryConfiguration, logs: LogRecorder = LogRecorder()) -> Sampler {
        Sampler(configuration: configuration, logger: logs.logger())
    }

    // MARK: Row 6: queues created and deleted

    @Test func deletedQueuesLeaveTheOutputAfterThreeDiscoveries() throws {
        let server = try RedisServer()
        let redis = try connect(server)
        for queue in ["kept", "deleted", "drained"] { try bind(server, queue) }
        try seed(server, b("RPUSH"), b("drained"), b(celeryMessage(tag: "d0", queue: "drained")))
        let logs = LogRecorder()
        let s = sampler(CeleryConfiguration(discoveryInterval: 1, censusEnabled: false), logs: logs)
        #expect(s.poll(using: redis, now: t0).sampled?.queues.map(\.name) == ["deleted", "drained", "kept"])

        try delete(server, "deleted")
        // "drained" loses its binding but still holds a message: it is in use and stays.
        try seed(server, b("SREM"), b("_kombu.binding.drained"), b("drained") + sep + sep + b("drained"))
        for round in 1...2 {
            let snap = s.poll(using: redis, now: t0 + Double(2 * round))
            #expect(snap.sampled?.queues.map(\.name) == ["deleted", "drained", "kept"], "round \(round)")
        }
        let third = s.poll(using: redis, now: t0 + 6)
        #expect(third.sampled?.queues.map(\.name) == ["drained", "kept"])
        #expect(third.sampled?.discoveredQueueStats.forgotten == 1)
        #expect(third.sampled?.discoveredQueueStats.tracked == 2)
        #expect(logs.messages.contains { $0.contains("queues deleted") })

        // A deleted queue that is declared again comes back at the next discovery.
        try bind(server, "deleted")
        #expect(s.poll(using: redis, now: t0 + 8).sampled?.queues.map(\.name) == ["deleted", "drained", "kept"])
        server.shutdownAndWait()
    }

    @Test func overTheQueueLimitTheLeastRecentlySeenGiveWayAndDropsAreReported() throws {
        let server = try RedisServer()
        let redis = try connect(server)
        for queue in ["q1", "q2", "q3"] { try bind(server, queue) }
        let logs = LogRecorder()
        let s = sampler(CeleryConfiguration(discoveryInterval: 1, maxKnownQueues: 3, censusEnabled: false), logs: logs)
        #expect(s.poll(using: redis, now: t0).sampled?.queues.map(\.name) == ["q1", "q2", "q3"])

        // q1 is deleted while q4 and q5 are declared: q1 (no longer seen) gives way to q4 at once;
        // q5 does not fit and is reported as ignored, with a warning.
        try delete(server, "q1")
        for queue in ["q4", "q5"] { try bind(server, queue) }
        let snap = s.poll(using: redis, now: t0 + 2)
        #expect(snap.sampled?.queues.map(\.name) == ["q2", "q3", "q4"])
        #expect(snap.sampled?.discoveredQueueStats.evicted == 1)
        #expect(snap.sampled?.discoveredQueueStats.ignoredOverLimit == 1)
        #expect(snap.sampled?.queuesOverLimit == 1)
        #expect(snap.sampled?.discoveredQueueStats.limit == 3)
        #expect(logs.messages.filter { $0.contains("--celery.max-queues") }.count == 1)

        // Live queues are not replaced by other live queues round after round (no churn), and the
        // warning is rate-limited.
        let again = s.poll(using: redis, now: t0 + 4)
        #expect(again.sampled?.queues.map(\.name) == ["q2", "q3", "q4"])
        #expect(again.sampled?.discoveredQueueStats.evicted == 1)
        #expect(again.sampled?.discoveredQueueStats.ignoredOverLimit == 1)
        #expect(logs.messages.filter { $0.contains("--celery.max-queues") }.count == 1)

        // A queue with waiting messages outranks an idle one: q5 gets work, q2 goes quiet.
        try delete(server, "q2")
        try seed(server, b("RPUSH"), b("q5"), b(celeryMessage(tag: "m5", queue: "q5")))
        let healed = s.poll(using: redis, now: t0 + 6)
        #expect(healed.sampled?.queues.map(\.name) == ["q3", "q4", "q5"])
        #expect(healed.sampled?.queues.first { $0.name == "q5" }?.length == 1)
        server.shutdownAndWait()
    }

    @Test func pastTheQueueCapQueuesWithMessagesOrTasksInFlightAreNeverHiddenBehindEmptyOnes() throws {
        let server = try RedisServer()
        let redis = try connect(server)
        let empty = (0..<50).map { String(format: "empty-%02d", $0) }
        for queue in empty { try bind(server, queue) }
        let logs = LogRecorder()
        let s = sampler(CeleryConfiguration(discoveryInterval: 1, maxKnownQueues: 5, censusEnabled: false), logs: logs)
        #expect(s.poll(using: redis, now: t0).sampled?.queues.count == 5)

        // Declared later, names sorting after every empty queue: one with a backlog, one whose only
        // message a worker holds (in flight, nothing waiting).
        try bind(server, "zz-backlog")
        for i in 0..<3 {
            try seed(server, b("RPUSH"), b("zz-backlog"), b(celeryMessage(tag: "w\(i)", queue: "zz-backlog")))
        }
        try bind(server, "zz-inflight")
        try seed(server, b("HSET"), b("unacked"), b("f1"), b(unackedValue(tag: "f1", queue: "zz-inflight")))
        try seed(server, b("ZADD"), b("unacked_index"), b("\(t0 + 1)"), b("f1"))

        let second = s.poll(using: redis, now: t0 + 2)
        #expect(second.sampled?.queues.first { $0.name == "zz-backlog" }?.length == 3)
        // The in-flight task is seen by this poll's unacked sample; the next discovery ranks by it.
        let third = s.poll(using: redis, now: t0 + 4)
        #expect(third.sampled?.queues.count == 5)
        #expect(third.sampled?.queues.first { $0.name == "zz-backlog" }?.length == 3)
        #expect(third.sampled?.queues.first { $0.name == "zz-inflight" }?.unacked == 1)
        #expect(third.sampled?.unackedUnknownQueue == 0)
        #expect(third.sampled?.discoveredQueueStats.evicted == 2)

        // Steady state: the same queues round after round (no churn); 52 queues, 5 reported, the
        // other 47 counted, and the warning logged once (rate-limited).
        let fourth = s.poll(using: redis, now: t0 + 6)
        #expect(fourth.sampled?.queues.map(\.name) == third.sampled?.queues.map(\.name))
        #expect(fourth.sampled?.discoveredQueueStats.tracked == 5)
        #expect(fourth.sampled?.discoveredQueueStats.ignoredOverLimit == 47)
        #expect(fourth.sampled?.queuesOverLimit == 47)
        #expect(logs.messages.filter { $0.contains("--celery.max-queues") }.count == 1)
        server.shutdownAndWait()
    }

    // MARK: Row 12: names of a megabyte

    @Test func megabyteQueueNamesAreNotSampledAndLongOnesStayDistinct() throws {
        let server = try RedisServer()
        let redis = try connect(server)
        let huge = String(repeating: "x", count: 1 << 20)
        let stem = String(repeating: "q", count: 900)
        for queue in [huge, stem + "-a", stem + "-b", "celery"] { try bind(server, queue) }
        let logs = LogRecorder()
        let s = sampler(CeleryConfiguration(discoveryInterval: 1, censusEnabled: false), logs: logs)
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded)
        // The 1 MB name would cost 20 MB of commands per poll: ignored, counted and logged.
        #expect(snap.sampled?.queues.map(\.name) == ["celery", stem + "-a", stem + "-b"])
        #expect(snap.sampled?.discoveredQueueStats.ignoredNameTooLong == 1)
        #expect(logs.messages.contains { $0.contains("names too long") })
        // The 900-byte names are sampled under two distinct labels of at most 256 bytes.
        let labels = try #require(snap.sampled).queues.map { LabelValueLimit.capped($0.name) }
        #expect(Set(labels).count == 3)
        #expect(labels.allSatisfy { $0.utf8.count <= LabelValueLimit.maxBytes })
        server.shutdownAndWait()
    }

    @Test func forgedHeartbeatsCannotLockRealWorkersOut() throws {
        let server = try RedisServer()
        let clock = EventsTestClock(1_000)
        let listener = try EventsListenerIntegrationTests.Listener(
            server: server, configuration: CeleryEventConfiguration(), clock: clock)
        defer { server.shutdownAndWait() }
        defer { listener.stop() }
        #expect(listener.waitFor("celery_redis_event_subscriber_up 1"))

        // 1000 forged hosts announcing freq 10^12, published in one EVAL so they arrive in order.
        let forged = (0..<1_000).map { EventsFixtures.heartbeat(host: "forged-\($0)@evil", freq: 1e12).payload }
        let channel = EventsFixtures.heartbeat().channel
        let script = b("for i = 1, #ARGV do redis.call('PUBLISH', KEYS[1], ARGV[i]) end return #ARGV")
        let reply = try server.command([b("EVAL"), script, b("1"), channel] + forged)
        #expect(reply.hasPrefix(":1000"))
        #expect(listener.waitFor(#"celery_redis_event_messages_total{kind="worker"} 1000"#))
        #expect(listener.lines().contains("celery_redis_workers 1000"))

        clock.set(1_001)
        let real = EventsFixtures.heartbeat(host: "w1@vm", active: 2)
        try server.command([b("PUBLISH"), real.channel, real.payload])
        #expect(listener.waitFor(#"celery_redis_worker_up{worker="w1@vm"} 1"#))
        #expect(listener.lines().contains(#"celery_redis_worker_tasks_active{worker="w1@vm"} 2"#))
        #expect(listener.lines().contains("celery_redis_workers_evicted_total 1"))
        #expect(listener.lines().contains("celery_redis_event_heartbeat_frequency_clamped_total 1000"))

        // The forged workers are down 900 s (3 × the 300 s ceiling) after their last heartbeat,
        // not after 3·10^12 s; the real worker keeps heart-beating.
        clock.set(1_901)
        try server.command([b("PUBLISH"), real.channel, real.payload])
        #expect(listener.waitFor("celery_redis_workers 1"))
    }

    /// Long names become capped labels. Worker host names are bounded first by the worker event
    /// size cap (``CeleryEventDecoder/maximumWorkerEventBytes``): a 20 KB name still fits and is
    /// capped; a heartbeat carrying a megabyte name is refused whole as a decode error.
    @Test func megabyteWorkerAndTaskNamesGiveCappedLabels() throws {
        let server = try RedisServer()
        let clock = EventsTestClock(1_000)
        let listener = try EventsListenerIntegrationTests.Listener(
            server: server, configuration: CeleryEventConfiguration(taskNameLimit: 10), clock: clock)
        defer { server.shutdownAndWait() }
        defer { listener.stop() }
        #expect(listener.waitFor("celery_redis_event_subscriber_up 1"))

        let stem = String(repeating: "w", count: 20_000)
        for suffix in ["@one", "@two"] {
            let hb = EventsFixtures.heartbeat(host: stem + suffix)
            try server.command([b("PUBLISH"), hb.channel, hb.payload])
        }
        let megabyte = EventsFixtures.heartbeat(host: String(repeating: "w", count: 1 << 20) + "@big")
        try server.command([b("PUBLISH"), megabyte.channel, megabyte.payload])
        #expect(listener.waitFor(#"celery_redis_event_decode_errors_total{kind="worker"} 1"#))
        let task = String(repeating: "t", count: 1 << 20)
        let meta = #"{"status": "SUCCESS", "result": 1, "name": "\#(task)", "task_id": "a"}"#
        try server.command([b("PUBLISH"), EventsFixtures.resultChannel("a"), b(meta)])

        let one = LabelValueLimit.capped(stem + "@one")
        let two = LabelValueLimit.capped(stem + "@two")
        #expect(listener.waitFor(#"celery_redis_worker_up{worker="\#(one)"} 1"#))
        #expect(listener.waitFor(#"celery_redis_worker_up{worker="\#(two)"} 1"#))
        let taskLabel = LabelValueLimit.capped(task)
        #expect(listener.waitFor(#"celery_redis_task_results_total{state="SUCCESS",task="\#(taskLabel)"} 1"#))
        let size = MetricEncoder.encode(listener.monitor.metricFamilies(), as: .prometheusText).count
        #expect(size < 64 * 1024, "exposition is \(size) bytes")
    }

    /// See `SamplerIntegrationTests.shutdown`: SIGTERM is blocked in the child.
}
