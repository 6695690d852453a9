import Foundation
import TestSupport
import Testing

@testable import Exporter

/// Each target is polled on a long-lived thread of its own (three real redis-servers, one
/// in-process exporter): no thread is created per tick, and a stalled broker does not hold up the
/// other targets' polls within the tick.
@Suite(.serialized) struct TargetPollThreadTests {
    /// The process's threads whose name starts with `prefix`: thread id → name.
    static func threads(named prefix: String) -> [Int: String] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var found: [Int: String] = [:]
        for id in ids {
            guard let tid = Int(id),
                let name = try? String(contentsOfFile: "/proc/self/task/\(id)/comm", encoding: .utf8)
            else { continue }
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix(prefix) { found[tid] = trimmed }
        }
        return found
    }

    static func metrics(_ port: UInt16) -> MetricsText {
        MetricsText(text: (try? httpRequest(port: port, path: "/metrics").text) ?? "")
    }

    @Test func threeTargetsPollOnTheSameThreadsEveryTick() throws {
        let servers = try (0..<3).map { _ in try RedisServer() }
        for server in servers { try CelerySeed.bind(server, queue: "celery") }
        let names = ["flat-a", "flat-b", "flat-c"]
        let (exporter, port) = try TargetTestSupport.start(
            common: ["--poll.interval=0.1s"],
            targets: zip(names, servers).map { ($0, ["--redis.url=redis://127.0.0.1:\($1.port)/0"]) })
        defer { exporter.stop() }
        #expect(waitUntil(timeout: 10) { Self.metrics(port).value("celery_redis_up", ["target": "flat-c"]) == 1 })

        // One poll thread per target, named for it.
        let initial = Self.threads(named: "poll-flat-")
        #expect(Set(initial.values) == Set(names.map { "poll-\($0)" }), "threads: \(initial)")
        // Sampled continuously while the poller runs at least 10 more ticks: never another thread.
        var seen = initial
        let startTimestamp = Self.metrics(port).value("celery_redis_last_poll_timestamp_seconds", ["target": "flat-a"])
        let ticked = waitUntil(timeout: 20) {
            for _ in 0..<50 {
                seen.merge(Self.threads(named: "poll-flat-")) { a, _ in a }
                usleep(1000)
            }
            let now = Self.metrics(port).value("celery_redis_last_poll_timestamp_seconds", ["target": "flat-a"])
            return (now ?? 0) - (startTimestamp ?? 0) >= 1.0
        }
        #expect(ticked)
        #expect(seen == initial, "poll threads seen across ticks: \(seen), at the start: \(initial)")
        #expect(Self.threads(named: "poll-flat-") == initial)
        for name in names { #expect(Self.metrics(port).value("celery_redis_up", ["target": name]) == 1) }

        // stop() joins them.
        exporter.stop()
        #expect(Self.threads(named: "poll-flat-").isEmpty)
    }

    /// A broker that stops answering mid-run (SIGSTOP): the tick it stalls still polls the other
    /// two at its start, so they finish long before it; the stalled one is polled again once it answers.
    @Test func aStalledTargetDoesNotDelayTheOthersPolls() throws {
        let servers = try (0..<3).map { _ in try RedisServer() }
        for server in servers {
            try CelerySeed.bind(server, queue: "celery")
            try CelerySeed.enqueue(server, queue: "celery", count: 2)
        }
        let names = ["slow", "fast-b", "fast-c"]
        let (exporter, port) = try TargetTestSupport.start(
            common: ["--poll.interval=1s", "--no-celery.census", "--no-celery.events"],
            targets: zip(names, servers).map { name, server in
                (name, ["--redis.url=redis://127.0.0.1:\(server.port)/0", "--redis.read-timeout=30s"])
            })
        defer { exporter.stop() }
        #expect(
            waitUntil(timeout: 10) {
                let m = Self.metrics(port)
                return names.allSatisfy { m.value("celery_redis_up", ["target": $0]) == 1 }
            })

        let info = try servers[0].command("INFO", "server")
        let pid = try #require(
            info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("process_id:") }
                .flatMap { Int32($0.dropFirst("process_id:".count).trimmingCharacters(in: .whitespaces)) })
        #expect(kill(pid, SIGSTOP) == 0)
        Thread.sleep(forTimeInterval: 3)
        #expect(kill(pid, SIGCONT) == 0)

        // The stalled tick: the slow target's poll took seconds, the others' finished at its start.
        var m = MetricsText(text: "")
        let stalledTick = waitUntil(timeout: 15) {
            m = Self.metrics(port)
            return (m.value("celery_redis_poll_duration_seconds", ["target": "slow"]) ?? 0) >= 1.5
        }
        #expect(stalledTick, "metrics: \(m.text.prefix(500))")
        let slowFinished = try #require(m.value("celery_redis_last_poll_timestamp_seconds", ["target": "slow"]))
        for name in names.dropFirst() {
            let finished = try #require(m.value("celery_redis_last_poll_timestamp_seconds", ["target": name]))
            let duration = try #require(m.value("celery_redis_poll_duration_seconds", ["target": name]))
            #expect(duration < 1, "\(name) took \(duration) s")
            #expect(finished < slowFinished - 1, "\(name) finished at \(finished), the stalled one at \(slowFinished)")
            #expect(m.value("celery_redis_queue_length", ["target": name, "queue": "celery"]) == 2)
        }
        #expect(m.value("celery_redis_queue_length", ["target": "slow", "queue": "celery"]) == 2)
    }
}
