import Exposition
import Foundation
import TestSupport
import Testing

@testable import Exporter

/// One ``TargetRuntime`` against a real redis-server: it owns every connection of its target, polls
/// exact values, and `stop()` ends its threads and closes every connection it opened.
@Suite struct TargetRuntimeTests {
    @Test func startsPollsExactValuesAndStopsWithoutLeakingConnections() throws {
        let redis = try RedisServer()
        try CelerySeed.bind(redis, queue: "celery")
        try CelerySeed.enqueue(redis, queue: "celery", count: 4)
        try CelerySeed.unacked(redis, queue: "celery", fetchedAt: Date().timeIntervalSince1970 - 10)
        let runtime = try TargetRuntime(
            name: nil,
            configuration: try TargetTestSupport.configuration([
                "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s",
            ]))
        #expect(runtime.census != nil && runtime.eventListener != nil, "census and events are on by default")
        #expect(runtime.runningThreads == 0, "nothing runs before start()")
        try runtime.start()
        #expect(runtime.runningThreads == 3, "the poll thread, the census thread and the Pub/Sub listener")
        // The Pub/Sub listener and the census each hold a named connection of their own.
        let connected = waitUntil(timeout: 10) {
            let names = (try? TargetTestSupport.exporterClients(redis)) ?? []
            return names.contains { $0.contains("name=celery-redis-exporter-events ") }
                && names.contains { $0.contains("name=celery-redis-exporter-census ") }
        }
        #expect(connected, "clients: \((try? TargetTestSupport.exporterClients(redis)) ?? [])")

        let poll = runtime.poll(rulesSeconds: 0)
        #expect(poll.snapshot.succeeded)
        #expect(poll.name == nil && poll.readiness.lastPollSucceeded)
        let text = MetricsText(
            text: String(
                decoding: RenderedMetrics(families: poll.families).body(format: .prometheusText, gzip: false),
                as: UTF8.self))
        #expect(text.value("celery_redis_up") == 1)
        #expect(text.value("celery_redis_queue_length", ["queue": "celery"]) == 4)
        #expect(text.value("celery_redis_unacked_tasks", ["queue": "celery"]) == 1)
        #expect(
            try TargetTestSupport.exporterClients(redis).contains { $0.contains("name=celery-redis-exporter-poll ") })

        runtime.stop()
        #expect(runtime.runningThreads == 0, "stop() joined every thread")
        // Every thread has ended and closed its connection: the server sees none of ours.
        let closed = waitUntil(timeout: 5) { ((try? TargetTestSupport.exporterClients(redis)) ?? ["?"]).isEmpty }
        #expect(closed, "still connected: \((try? TargetTestSupport.exporterClients(redis)) ?? [])")
        // A stopped runtime stays stopped: start() does not reconnect, stop() again is harmless.
        try runtime.start()
        #expect(runtime.runningThreads == 0)
        runtime.stop()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try TargetTestSupport.exporterClients(redis).isEmpty)
    }

    @Test func aBadTargetIsAStartUpErrorNamingIt() throws {
        let configuration = try TargetTestSupport.configuration(["--redis.url=redis://127.0.0.1:1/0"])
        var broken = configuration
        broken.broker.url = "redis://127.0.0.1:notaport/0"
        var top = configuration
        top.targets = [
            TargetDefinition(name: "good", configuration: configuration),
            TargetDefinition(name: "bad", configuration: broken),
        ]
        #expect {
            _ = try RunningExporter.makeTargets(top)
        } throws: { error in
            "\(error)".hasPrefix("target \"bad\": ") && "\(error)".contains("--redis.url")
        }
        top.targets = [
            TargetDefinition(name: "same", configuration: configuration),
            TargetDefinition(name: "same", configuration: configuration),
        ]
        #expect {
            _ = try RunningExporter.makeTargets(top)
        } throws: { error in
            "\(error)" == "target \"same\" is defined twice: target names must be unique"
        }
        top.targets = (0...RunningExporter.maximumTargets).map {
            TargetDefinition(name: "t\($0)", configuration: configuration)
        }
        #expect {
            _ = try RunningExporter.makeTargets(top)
        } throws: { error in
            "\(error)"
                == "65 targets: one exporter watches at most 64; split the targets across replicas, one targets file each"
        }
    }
}
