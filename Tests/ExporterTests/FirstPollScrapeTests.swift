import Foundation
import Synchronization
import TestSupport
import Testing

/// A scrape that arrives before the first poll has finished is answered with that poll (within
/// 5 s), else with a placeholder that has no `celery_redis_up` series; never `celery_redis_up 0`
/// for a poll that has not run, a false "Redis is down" at every start (the soak caught one, 2 ms
/// after start-up).
@Suite struct FirstPollScrapeTests {
    /// A redis-server holding `messages` waiting on queue `celery`, frozen (SIGSTOP) before an
    /// exporter starts on it with 30 s Redis timeouts: its first poll lasts until ``thaw()``.
    final class FrozenStart {
        let redis: RedisServer
        let exporter: ExporterProcess
        private let pid: Int32
        private var frozen = true

        init(messages: Int) throws {
            redis = try RedisServer()
            try CelerySeed.bind(redis, queue: "celery")
            try CelerySeed.enqueue(redis, queue: "celery", count: messages)
            let info = try redis.command("INFO", "server")
            pid = try #require(
                info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("process_id:") }
                    .flatMap { Int32($0.dropFirst("process_id:".count).trimmingCharacters(in: .whitespaces)) })
            #expect(kill(pid, SIGSTOP) == 0)
            do {
                exporter = try ExporterProcess(arguments: [
                    "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--redis.read-timeout=30s",
                    "--redis.connect-timeout=30s", "--poll.interval=10s", "--no-celery.census", "--no-celery.events",
                ])
            } catch {
                kill(pid, SIGCONT)
                throw error
            }
        }

        func thaw() {
            guard frozen else { return }
            frozen = false
            #expect(kill(pid, SIGCONT) == 0)
        }

        deinit {
            thaw()
            exporter.terminate()
        }
    }

    @Test func aScrapeBeforeTheFirstPollGetsTheFirstPoll() throws {
        let start = try FrozenStart(messages: 3)
        let exporter = start.exporter

        let answered = Mutex<(TestHTTPResponse?, Double)>((nil, 0))
        let started = Date()
        let scraper = Thread {
            let response = try? httpRequest(port: exporter.port, path: "/metrics", timeout: 30)
            answered.withLock { $0 = (response, Date().timeIntervalSince(started)) }
        }
        scraper.start()
        Thread.sleep(forTimeInterval: 1.5)
        #expect(answered.withLock { $0.0 == nil }, "answered before the first poll finished")
        start.thaw()
        #expect(waitUntil(timeout: 20) { answered.withLock { $0 }.0 != nil })
        let (response, seconds) = answered.withLock { $0 }
        let body = try #require(response)
        #expect(body.status == 200)
        let text = body.text
        #expect(MetricsText(text: text).value("celery_redis_up") == 1, "\(text.prefix(400))")
        #expect(MetricsText(text: text).value("celery_redis_queue_length", ["queue": "celery"]) == 3)
        #expect(seconds >= 1.4, "the scrape waited for the poll")
        // Later scrapes are answered at once from the latest poll, as always.
        #expect(try exporter.get("/metrics").status == 200)
    }

    /// A first poll longer than the wait (a frozen Redis here; a huge keyspace or a dead target in
    /// life): the scrape gets the placeholder after 5 s, without `celery_redis_up`, then the real
    /// numbers once the poll ends.
    @Test func aLongFirstPollAnswersWithoutAnUpSeries() throws {
        let start = try FrozenStart(messages: 2)
        let exporter = start.exporter
        let started = Date()
        let early = try httpRequest(port: exporter.port, path: "/metrics", timeout: 30)
        let waited = Date().timeIntervalSince(started)
        #expect(early.status == 200)
        #expect(!early.text.contains("celery_redis_up"), "\(early.text.prefix(400))")
        #expect(waited >= 4 && waited < 9, "answered after \(waited) s")
        start.thaw()
        #expect(
            waitUntil(timeout: 40) {
                let text = (try? httpRequest(port: exporter.port, path: "/metrics"))?.text ?? ""
                return MetricsText(text: text).value("celery_redis_up") == 1
                    && MetricsText(text: text).value("celery_redis_queue_length", ["queue": "celery"]) == 2
            })
    }
}
