import Exposition
import Foundation
import Redis
import Sockets
import Synchronization
import TestSupport
import Testing

@testable import Celery

/// The listener's glue (the same as `EventListenerThread` in the Exporter module) against a real
/// `redis-server`: payloads are PUBLISHed independently of the code under test, and the monitor's
/// clock is driven by the test, so liveness is checked without sleeping through heartbeat windows.
@Suite(.serialized) struct EventsListenerIntegrationTests {
    final class Listener: Sendable {
        let monitor: CeleryEventMonitor
        let subscriber: RedisSubscriber
        let thread: NativeThread

        init(server: RedisServer, configuration: CeleryEventConfiguration, clock: EventsTestClock) throws {
            let monitor = CeleryEventMonitor(configuration: configuration, clock: { clock.now })
            let subscriber = RedisSubscriber(
                configuration: RedisConfiguration(
                    endpoint: .tcp(host: "127.0.0.1", port: server.port), connectTimeout: .seconds(3),
                    readTimeout: .seconds(3)),
                patterns: monitor.patterns,
                backoff: ReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200)),
                idleTimeout: .milliseconds(100))
            self.monitor = monitor
            self.subscriber = subscriber
            thread = try NativeThread.spawn(name: "events-test") {
                subscriber.run { event in
                    switch event {
                    case .message(let m): monitor.handle(channel: m.channel, payload: m.payload)
                    case .subscribed: monitor.subscriptionStarted()
                    case .disconnected: monitor.subscriptionLost()
                    }
                }
                monitor.subscriptionLost()
            }
        }

        func stop() {
            subscriber.stop()
            thread.join()
        }

        func lines() -> [String] {
            String(decoding: MetricEncoder.encode(monitor.metricFamilies(), as: .prometheusText), as: UTF8.self)
                .split(separator: "\n").map(String.init)
        }

        func waitFor(_ line: String, timeout: Double = 5) -> Bool {
            let deadline = Deadline(after: .milliseconds(Int64(timeout * 1000)))
            while !deadline.hasPassed {
                if lines().contains(line) { return true }
                usleep(20_000)
            }
            return false
        }
    }

    @Test(arguments: ["", "prod:"])
    func heartbeatsAndResultsFromRealPubSub(prefix: String) throws {
        let server = try RedisServer()
        let clock = EventsTestClock(1_000)
        let listener = try Listener(
            server: server, configuration: CeleryEventConfiguration(keyPrefix: prefix, database: 3), clock: clock)
        defer { listener.stop() }
        #expect(listener.waitFor("celery_redis_event_subscriber_up 1"))

        let hb = EventsFixtures.heartbeat(active: 1, processed: 12, prefix: prefix, db: 3)
        try server.command([Array("PUBLISH".utf8), hb.channel, hb.payload])
        // Another database's heartbeat and an unprefixed one are not ours.
        let otherDB = EventsFixtures.heartbeat(host: "x@other", prefix: prefix, db: 0)
        try server.command([Array("PUBLISH".utf8), otherDB.channel, otherDB.payload])
        #expect(listener.waitFor(#"celery_redis_worker_up{worker="w1@vm"} 1"#))
        #expect(listener.lines().contains(#"celery_redis_worker_tasks_active{worker="w1@vm"} 1"#))
        #expect(listener.lines().contains(#"celery_redis_worker_processed_tasks_total{worker="w1@vm"} 12"#))
        #expect(!listener.lines().contains { $0.contains("x@other") })

        let id = "1af477e5-0000-4000-8000-000000000001"
        try server.command([
            Array("PUBLISH".utf8), EventsFixtures.resultChannel(id, prefix: prefix), EventsFixtures.started(id),
        ])
        #expect(listener.waitFor(#"celery_redis_task_results_total{state="STARTED"} 1"#))
        clock.set(1_004)
        try server.command([
            Array("PUBLISH".utf8), EventsFixtures.resultChannel(id, prefix: prefix), EventsFixtures.success(id),
        ])
        #expect(listener.waitFor("celery_redis_task_runtime_seconds_sum 4"))
        #expect(listener.monitor.liveWorkerHostnames() == nil)  // 4 s into the subscription < 6 s

        clock.set(1_005)
        #expect(listener.monitor.liveWorkerHostnames() == nil)
        clock.set(1_006)  // heartbeat received at 1000: still within 3 × 2 s
        #expect(listener.monitor.liveWorkerHostnames() == ["w1@vm"])
        clock.set(1_006.1)  // a SIGKILLed worker: no heartbeat since 1000
        #expect(listener.lines().contains(#"celery_redis_worker_up{worker="w1@vm"} 0"#))
        #expect(listener.lines().contains("celery_redis_workers 0"))
        #expect(listener.monitor.liveWorkerHostnames() == [])
    }

    /// A connection killed every 4 s (`CLIENT KILL TYPE pubsub`) used to restart every silent
    /// worker's liveness window at each resubscription: `dead@x`, heard once, stayed
    /// `worker_up 1` for ever, and the live set for orphan detection stayed unknown. Only
    /// listening time counts now; the test's clock stands still during each gap.
    @Test func killedSubscriptionsDoNotKeepADeadWorkerUp() throws {
        let server = try RedisServer()
        let clock = EventsTestClock(1_000)
        let listener = try Listener(server: server, configuration: CeleryEventConfiguration(), clock: clock)
        defer { listener.stop() }
        #expect(listener.waitFor("celery_redis_event_subscriber_up 1"))
        let hb = EventsFixtures.heartbeat(host: "dead@x")
        try server.command([Array("PUBLISH".utf8), hb.channel, hb.payload])
        #expect(listener.waitFor(#"celery_redis_worker_up{worker="dead@x"} 1"#))
        for kill in 1...3 {
            clock.set(1_000 + 4 * Double(kill))
            _ = try server.command("CLIENT", "KILL", "TYPE", "pubsub")
            #expect(listener.waitFor("celery_redis_event_subscriber_reconnects_total \(kill)", timeout: 10))
            #expect(listener.waitFor("celery_redis_event_subscriber_up 1"))
            clock.set(1_000 + 4 * Double(kill) + 2)  // one heartbeat period after the reconnect
            #expect(listener.monitor.liveWorkerHostnames() == (kill == 1 ? ["dead@x"] : []))
        }
        // Heard at 1000 with freq 2: down at 1006 (the gaps took no time on the test's clock).
        #expect(listener.lines().contains(#"celery_redis_worker_up{worker="dead@x"} 0"#))
        #expect(listener.lines().contains("celery_redis_workers 0"))
    }

    /// A forged 15 MiB worker event (a heartbeat padded with empty lists) once took ~280 MB to parse
    /// and was accepted; it is a decode error now, refused before parsing, and real heartbeats
    /// after it still count.
    @Test func anOversizedWorkerEventIsADecodeError() throws {
        let server = try RedisServer()
        let clock = EventsTestClock(1_000)
        let listener = try Listener(server: server, configuration: CeleryEventConfiguration(), clock: clock)
        defer { listener.stop() }
        #expect(listener.waitFor("celery_redis_event_subscriber_up 1"))
        var forged = Array(#"{"type":"worker-heartbeat","hostname":"big@x","freq":2,"junk":["#.utf8)
        // 15 MiB: under the subscriber's 16 MiB cap (pattern and channel count too), so it is
        // delivered, as the auditor's 16 MiB payload of `[],` was.
        forged.reserveCapacity(15 << 20)
        for _ in 0..<((15 << 20) / 3) { forged += [UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ",")] }
        forged += Array("[]]}".utf8)
        let channel = Array("/0.celeryev/worker.heartbeat".utf8)
        try server.command([Array("PUBLISH".utf8), channel, forged])
        #expect(listener.waitFor(#"celery_redis_event_decode_errors_total{kind="worker"} 1"#, timeout: 10))
        #expect(!listener.lines().contains { $0.contains("big@x") })
        let hb = EventsFixtures.heartbeat()
        try server.command([Array("PUBLISH".utf8), hb.channel, hb.payload])
        #expect(listener.waitFor(#"celery_redis_worker_up{worker="w1@vm"} 1"#))
    }

    @Test func reconnectAfterRestart() throws {
        let server = try RedisServer()
        let clock = EventsTestClock(0)
        let listener = try Listener(server: server, configuration: CeleryEventConfiguration(), clock: clock)
        defer { listener.stop() }
        #expect(listener.waitFor("celery_redis_event_subscriber_up 1"))
        try server.restart()
        #expect(listener.waitFor("celery_redis_event_subscriber_reconnects_total 1", timeout: 15))
        #expect(listener.waitFor("celery_redis_event_subscriber_up 1"))
        let hb = EventsFixtures.heartbeat()
        try server.command([Array("PUBLISH".utf8), hb.channel, hb.payload])
        #expect(listener.waitFor(#"celery_redis_worker_up{worker="w1@vm"} 1"#))
    }
}
