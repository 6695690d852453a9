import Exposition
import Foundation
import TestSupport
import Testing

@testable import Exporter

/// Issue 9 ("Trust"), against the real binary where it matters: a FIFO given as a secret file
/// ends start-up with exit 2 (it used to hang with no output and no listener) and fails a reload;
/// user information in a URL never reaches the exit line; text from Redis in `/-/ready` is
/// escaped and bounded.
@Suite(.serialized) struct UntrustedInputTests {
    static let secret = "S3CRETpw"

    func makeFIFO(in dir: URL, named name: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        guard mkfifo(path, 0o600) == 0 else { throw HarnessError("mkfifo \(path): errno \(errno)") }
        return path
    }

    func expectOneLineExit(_ result: (status: Int32, stderr: String), seconds: Double, mentions: String) {
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(mentions), "stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "expected one line, got: \(result.stderr)")
        #expect(seconds < 2, "took \(seconds) s")
    }

    @Test func fifoPasswordFileExitsWithStatus2() throws {
        let fifo = try makeFIFO(in: try makeTemporaryDirectory("fifo-password"), named: "password")
        let start = Date()
        let result = try runExporterToExit(
            ["--redis.password-file=\(fifo)", "--redis.url=redis://127.0.0.1:1/0"], timeout: 5)
        expectOneLineExit(result, seconds: Date().timeIntervalSince(start), mentions: "not a regular file (a FIFO)")
    }

    @Test(arguments: ["redis.tls.ca-file", "rules.file"])
    func fifoForOtherFileFlagsExitsWithStatus2(_ flag: String) throws {
        let fifo = try makeFIFO(in: try makeTemporaryDirectory("fifo-flag"), named: "file")
        let start = Date()
        let result = try runExporterToExit(["--\(flag)=\(fifo)", "--redis.url=rediss://127.0.0.1:1/0"], timeout: 5)
        expectOneLineExit(result, seconds: Date().timeIntervalSince(start), mentions: "not a regular file")
    }

    static func alerting(urlFile: String) -> String {
        "route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url_file: \(urlFile)\n"
    }

    @Test func fifoWebhookURLFileExitsWithStatus2() throws {
        let dir = try makeTemporaryDirectory("fifo-url-file")
        let fifo = try makeFIFO(in: dir, named: "hook.url")
        let config = dir.appendingPathComponent("alerting.yml")
        try Self.alerting(urlFile: fifo).write(to: config, atomically: true, encoding: .utf8)
        let start = Date()
        let result = try runExporterToExit(
            ["--alerting.config=\(config.path)", "--redis.url=redis://127.0.0.1:1/0"], timeout: 5)
        expectOneLineExit(result, seconds: Date().timeIntervalSince(start), mentions: "not a regular file (a FIFO)")
    }

    @Test func fifoWebhookURLFileFailsTheReloadWithoutHanging() throws {
        let dir = try makeTemporaryDirectory("fifo-url-reload")
        let urlFile = dir.appendingPathComponent("hook.url")
        try "http://127.0.0.1:1/hook\n".write(to: urlFile, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("alerting.yml")
        try Self.alerting(urlFile: urlFile.path).write(to: config, atomically: true, encoding: .utf8)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:1/0", "--poll.interval=0.2s", "--alerting.config=\(config.path)",
        ])
        try FileManager.default.removeItem(at: urlFile)
        _ = try makeFIFO(in: dir, named: "hook.url")
        kill(exporter.process.processIdentifier, SIGHUP)
        #expect(
            waitUntil(timeout: 5) { exporter.stderr.contains("configuration reload failed") },
            "stderr: \(exporter.stderr.prefix(2000))")
        #expect(exporter.stderr.contains("not a regular file (a FIFO)"), "stderr: \(exporter.stderr.prefix(2000))")
        #expect(exporter.process.isRunning)
        #expect(exporter.terminate() == 0)
    }

    @Test(arguments: [
        "redis://\(secret)@127.0.0.1:1/0x",  // user name only: a password pasted without its ":"
        "redis://exporter:\(secret)@127.0.0.1:1/0x",
        "unix://\(secret)@/nonexistent/redis.sock?db=x",
    ])
    func userInformationNeverReachesTheExitLine(_ url: String) throws {
        let result = try runExporterToExit(["--redis.url=\(url)"])
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("***@"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains(Self.secret), "stderr: \(result.stderr)")
    }

    /// Issue 9: one message with a forged `sent_at` of -1e300, pushed by anyone who can write to a
    /// queue, made its age 1e300 s; the status page, rendered on the poller thread after every
    /// poll, trapped converting it to Int and the exporter died (exit 132). The age now starts
    /// when the exporter first saw the message, as for a message without a time.
    @Test func aForgedPublishTimeNeitherKillsTheExporterNorAgesTheQueue() throws {
        let redis = try RedisServer()
        defer { redis.shutdownAndWait() }
        try CelerySeed.bind(redis, queue: "celery")
        let forged =
            #"{"body": "", "headers": {"task": "t", "id": "x", "sent_at": -1e300}, "#
            + #""properties": {"delivery_tag": "abc"}}"#
        _ = try redis.command([Array("LPUSH".utf8), Array("celery".utf8), Array(forged.utf8)])
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.2s", "--no-celery.census",
            "--no-celery.events",
        ])
        defer { exporter.terminate() }
        #expect(
            waitUntil(timeout: 10) {
                (try? exporter.get("/metrics")).map {
                    MetricsText(text: $0.text).value("celery_redis_queue_length", ["queue": "celery"]) == 1
                } ?? false
            })
        Thread.sleep(forTimeInterval: 1)  // several polls, each rendering the page
        #expect(exporter.process.isRunning, "stderr: \(exporter.stderr.suffix(2000))")
        let page = try exporter.get("/")
        #expect(page.status == 200)
        let metrics = MetricsText(text: try exporter.get("/metrics").text)
        let age = try #require(metrics.value("celery_redis_queue_oldest_message_age_seconds", ["queue": "celery"]))
        #expect(age < 60, "age \(age)")
        #expect(exporter.process.isRunning)
    }

    /// Issue 9: a 70 MB member of `unacked_index` (or of a binding table) made its reply pass the
    /// 64 MiB reply limit; the connection broke and every poll failed: `celery_redis_up 0`, a
    /// false "Redis is down", for as long as the member stayed. Now the command that met it gets
    /// an error reply (counted), and the poll goes on: other binding tables still name their
    /// queues (the table holding the member names none).
    @Test func aHugeSetMemberCostsItsCommandNotThePoll() throws {
        let redis = try RedisServer()
        defer { redis.shutdownAndWait() }
        try CelerySeed.bind(redis, queue: "celery")
        try CelerySeed.enqueue(redis, queue: "celery", count: 2)
        let huge = [UInt8](repeating: UInt8(ascii: "x"), count: 70 << 20)
        _ = try redis.command([Array("ZADD".utf8), Array("unacked_index".utf8), Array("1".utf8), huge], timeout: 30)
        _ = try redis.command(
            [Array("SADD".utf8), Array("_kombu.binding.evil".utf8), huge], timeout: 30)
        let exporter = try ExporterProcess(arguments: [
            "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.5s", "--no-celery.census",
            "--no-celery.events", "--celery.discovery-interval=1s",
        ])
        defer { exporter.terminate() }
        var last = MetricsText(text: "")
        #expect(
            waitUntil(timeout: 20) {
                guard let text = try? exporter.get("/metrics").text else { return false }
                last = MetricsText(text: text)
                return (last.value("celery_redis_command_errors_total", ["stage": "unacked"]) ?? 0) >= 2
                    && (last.value("celery_redis_command_errors_total", ["stage": "discovery"]) ?? 0) >= 1
            }, "stderr: \(exporter.stderr.suffix(2000))")
        #expect(last.value("celery_redis_up") == 1)
        #expect(last.value("celery_redis_queue_length", ["queue": "celery"]) == 2)
        // The member is still counted (ZCARD), as in flight on no known queue.
        #expect(last.value("celery_redis_unacked_unclassified_tasks") == 1)
        #expect((last.value("celery_redis_poll_errors_total", ["stage": "unacked"]) ?? 0) == 0)
        #expect((last.value("celery_redis_poll_errors_total", ["stage": "queues"]) ?? 0) == 0)
        #expect(exporter.stderr.contains("unacked_index members could not be read"))
        #expect(exporter.stderr.contains("binding table could not be read"))
        #expect(exporter.stderr.contains("reply larger than the exporter's reply limit"))
    }

    @Test func readinessReasonIsEscapedAndBounded() {
        let state = ExporterState(initial: RenderedMetrics(families: []), pollInterval: 1)
        let forged = "ERR x\nts=2026 level=error msg=FORGED\u{1b}[31m" + String(repeating: "E", count: 50_000)
        state.publish(
            .init(
                rendered: RenderedMetrics(families: []), lastPollSucceeded: false, lastPollMonotonic: 1,
                lastFailure: "Redis SCAN failed: " + forged))
        let reason = state.notReadyReason(monotonicNow: 2) ?? ""
        #expect(reason.contains("FORGED"))
        #expect(!reason.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }, "\(reason)")
        #expect(reason.utf8.count <= 512, "\(reason.utf8.count) bytes")
    }
}
