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
