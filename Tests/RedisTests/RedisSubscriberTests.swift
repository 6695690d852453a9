import Foundation
import Sockets
import Synchronization
import TestSupport
import Testing

@testable import Redis

/// What the subscriber thread reports, shared with the test.
private final class SubscriberRecord: Sendable {
    let events = Mutex<[RedisSubscriber.Event]>([])
    let finished = Atomic<Bool>(false)
}

/// Runs a subscriber on its own thread and records what it reports.
private final class SubscriberHarness: Sendable {
    let subscriber: RedisSubscriber
    private let record = SubscriberRecord()
    private let thread: NativeThread

    init(_ subscriber: RedisSubscriber) throws {
        self.subscriber = subscriber
        let record = self.record
        thread = try NativeThread.spawn(name: "sub-test") {
            subscriber.run { event in record.events.withLock { $0.append(event) } }
            record.finished.store(true, ordering: .releasing)
        }
    }

    var recorded: [RedisSubscriber.Event] { record.events.withLock { $0 } }
    var messages: [RedisSubscriber.Message] {
        recorded.compactMap { if case .message(let m) = $0 { return m } else { return nil } }
    }
    var subscribedCount: Int { recorded.filter { $0 == .subscribed }.count }
    var isFinished: Bool { record.finished.load(ordering: .acquiring) }

    /// Waits until `count` subscriptions were confirmed.
    func waitSubscribed(_ count: Int = 1, timeout: Double = 10) -> Bool {
        poll(timeout: timeout) { self.subscribedCount >= count }
    }

    func stopAndJoin() -> Double {
        let start = Deadline.monotonicNow()
        subscriber.stop()
        thread.join()
        return Double(Deadline.monotonicNow() - start) / 1e9
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
private func poll(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Deadline(after: .milliseconds(Int64(timeout * 1000)))
    while !deadline.hasPassed {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// `calls=` of `cmdstat_ping` in `INFO commandstats`.
private func pingCalls(_ server: RedisServer) throws -> Int {
    let info = try server.cli(["INFO", "commandstats"]).stdout
    guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_ping:") }),
        let field = line.split(separator: ",").first(where: { $0.contains("calls=") })
    else { return 0 }
    return Int(field.split(separator: "=").last ?? "") ?? 0
}

@Suite(.serialized) struct RedisSubscriberTests {
    let resultPattern = bytes("celery-task-meta-*")
    let workerPattern = bytes("/0.celeryev/worker.*")

    func subscriber(
        _ config: RedisConfiguration, patterns: [[UInt8]]? = nil, keepalive: Duration = .seconds(30)
    ) -> RedisSubscriber {
        RedisSubscriber(
            configuration: config, patterns: patterns ?? [resultPattern, workerPattern],
            backoff: ReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200)),
            idleTimeout: .milliseconds(100), keepaliveInterval: keepalive, random: { 0 })
    }

    @Test func receivesPMessagesOnBothPatterns() throws {
        let server = try RedisServer()
        let harness = try SubscriberHarness(subscriber(configuration(for: server)))
        #expect(harness.waitSubscribed())
        #expect(harness.subscriber.status.isSubscribed)
        // Published independently of the code under test.
        #expect(try server.command("PUBLISH", "celery-task-meta-abc", #"{"status": "SUCCESS"}"#) == ":1\r\n")
        try server.command("PUBLISH", "/0.celeryev/worker.heartbeat", "hb")
        try server.command("PUBLISH", "/0.celeryev/task.multi", "not matched")
        try server.command("PUBLISH", "/1.celeryev/worker.heartbeat", "other db")
        #expect(poll(timeout: 5) { harness.messages.count >= 2 })
        usleep(100_000)
        #expect(
            harness.messages == [
                .init(
                    pattern: resultPattern, channel: bytes("celery-task-meta-abc"),
                    payload: bytes(#"{"status": "SUCCESS"}"#)),
                .init(pattern: workerPattern, channel: bytes("/0.celeryev/worker.heartbeat"), payload: bytes("hb")),
            ])
        #expect(harness.subscriber.status.messages == 2)
        #expect(harness.stopAndJoin() < 1)
        #expect(!harness.subscriber.status.isSubscribed)
    }

    @Test func prefixedPatternsAndBinaryPayloads() throws {
        let server = try RedisServer()
        // A prefix with glob metacharacters, escaped as CeleryEventChannels does.
        let pattern = bytes(#"p\[1\]:/0.celeryev/worker.*"#)
        let harness = try SubscriberHarness(
            subscriber(configuration(for: server), patterns: [pattern, bytes("prod:celery-task-meta-*")]))
        #expect(harness.waitSubscribed())
        let binary: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x06, 0x16, 0x24, 0x2A]
        try server.command([bytes("PUBLISH"), bytes("p[1]:/0.celeryev/worker.online"), binary])
        try server.command([bytes("PUBLISH"), bytes("prod:celery-task-meta-\u{00e9}\r\n"), bytes("x")])
        try server.command([bytes("PUBLISH"), bytes("celery-task-meta-unprefixed"), bytes("x")])
        try server.command([bytes("PUBLISH"), bytes("p1:/0.celeryev/worker.online"), bytes("x")])
        #expect(poll(timeout: 5) { harness.messages.count >= 2 })
        usleep(100_000)
        #expect(
            harness.messages.map(\.channel) == [
                bytes("p[1]:/0.celeryev/worker.online"), bytes("prod:celery-task-meta-\u{00e9}\r\n"),
            ])
        #expect(harness.messages.first?.payload == binary)
        _ = harness.stopAndJoin()
    }

    @Test func largePayloadsAndBursts() throws {
        let server = try RedisServer()
        let harness = try SubscriberHarness(subscriber(configuration(for: server)))
        #expect(harness.waitSubscribed())
        let big = (0..<(300 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try server.command([bytes("PUBLISH"), bytes("celery-task-meta-big"), big])
        for i in 0..<40 { try server.command("PUBLISH", "/0.celeryev/worker.heartbeat", "\(i)") }
        #expect(poll(timeout: 10) { harness.messages.count >= 41 })
        #expect(harness.messages.first?.payload == big)
        #expect(
            harness.messages.dropFirst().map { String(decoding: $0.payload, as: UTF8.self) } == (0..<40).map { "\($0)" }
        )
        _ = harness.stopAndJoin()
    }

    @Test func oversizedMessageIsDroppedAndCountedWithoutLosingTheSubscription() throws {
        // Anyone who can PUBLISH can send 100 MB; past the per-message limit it is skipped unread.
        let server = try RedisServer()
        let limited = RedisSubscriber(
            configuration: configuration(for: server), patterns: [resultPattern, workerPattern],
            idleTimeout: .milliseconds(100), maximumMessageBytes: 64 * 1024, random: { 0 })
        let harness = try SubscriberHarness(limited)
        #expect(harness.waitSubscribed())
        let forged = [UInt8](repeating: 0x41, count: 1024 * 1024)
        try server.command([bytes("PUBLISH"), bytes("celery-task-meta-forged"), forged])
        try server.command("PUBLISH", "/0.celeryev/worker.heartbeat", "after")
        #expect(poll(timeout: 5) { harness.messages.count >= 1 })
        #expect(harness.messages.map(\.payload) == [bytes("after")])
        #expect(harness.subscriber.status.droppedMessages == 1)
        #expect(harness.subscriber.status.failures == 0)
        #expect(harness.subscribedCount == 1)
        _ = harness.stopAndJoin()
    }

    @Test func tricklingPushHitsTheReadTimeout() throws {
        // A forged server confirms the subscription, then sends a push one byte every 200 ms:
        // every read makes progress, yet the push must be complete within the read timeout.
        let confirm = "*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n"
        let push = "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$2\r\nch\r\n$40\r\n" + String(repeating: "d", count: 40) + "\r\n"
        let server = try FakeRESPServer(replies: [
            .init(bytes: bytes(confirm)), .init(bytes: bytes(push), drip: .milliseconds(200), waitsForCommand: false),
        ])
        defer { server.stop() }
        let config = RedisConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: server.port), connectTimeout: .seconds(2),
            readTimeout: .seconds(1))
        let harness = try SubscriberHarness(subscriber(config, patterns: [bytes("*")]))
        #expect(harness.waitSubscribed())
        let started = Deadline.monotonicNow()
        #expect(poll(timeout: 5) { harness.recorded.contains { if case .disconnected = $0 { true } else { false } } })
        let seconds = Double(Deadline.monotonicNow() - started) / 1e9
        guard
            case .disconnected(let error) = harness.recorded.last(where: {
                if case .disconnected = $0 { true } else { false }
            }),
            case .timedOut(let operation) = error
        else {
            Issue.record("expected a timeout, got \(harness.recorded)")
            return
        }
        #expect(operation.contains("reply on the Pub/Sub connection"))
        #expect(seconds < 2.5, "took \(seconds) s")
        #expect(harness.messages.isEmpty)
        _ = harness.stopAndJoin()
    }

    /// A forged server answers the subscription with a bulk string (not a push) full of control
    /// bytes: the error names the reply's type and size in a few sanitized bytes. It used to
    /// carry `String(describing:)` of the whole reply (its bytes in decimal, built whole before
    /// being cut to 200 characters).
    @Test func anUnexpectedReplyIsDescribedByItsShapeNotItsContent() throws {
        let confirm = "*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n"
        let content = Array(String(repeating: "x\r\nts=0 level=error msg=FORGED\u{1b}[31m", count: 20_000).utf8)
        let reply = bytes("$\(content.count)\r\n") + content + bytes("\r\n")
        let server = try FakeRESPServer(replies: [
            .init(bytes: bytes(confirm)), .init(bytes: reply, waitsForCommand: false),
        ])
        defer { server.stop() }
        let config = RedisConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: server.port), connectTimeout: .seconds(2),
            readTimeout: .seconds(2))
        let harness = try SubscriberHarness(subscriber(config, patterns: [bytes("*")]))
        #expect(poll(timeout: 5) { harness.recorded.contains { if case .disconnected = $0 { true } else { false } } })
        _ = harness.stopAndJoin()
        guard
            case .disconnected(let error) = harness.recorded.first(where: {
                if case .disconnected = $0 { true } else { false }
            }),
            case .protocol(let message) = error
        else {
            Issue.record("expected a protocol error, got \(harness.recorded)")
            return
        }
        #expect(message == "unexpected reply in subscribe mode: bulk string of \(content.count) bytes")
        #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }

    @Test func reconnectsAfterRestartAndKeepsReceiving() throws {
        let server = try RedisServer()
        let harness = try SubscriberHarness(subscriber(configuration(for: server)))
        #expect(harness.waitSubscribed())
        try server.command("PUBLISH", "celery-task-meta-1", "before")
        #expect(poll(timeout: 5) { harness.messages.count == 1 })

        try server.restart()
        #expect(harness.waitSubscribed(2, timeout: 15))
        let status = harness.subscriber.status
        #expect(status.reconnects == 1)
        #expect(status.failures >= 1)
        #expect(status.isSubscribed)
        #expect(status.lastError == nil)
        #expect(harness.recorded.contains { if case .disconnected = $0 { return true } else { return false } })
        // The order: subscribed, message, disconnected (one or more), subscribed.
        let kinds = harness.recorded.map { event -> String in
            switch event {
            case .subscribed: return "S"
            case .message: return "M"
            case .disconnected: return "D"
            }
        }
        #expect(kinds.first == "S" && kinds.last == "S" && kinds.dropFirst().first == "M")

        try server.command("PUBLISH", "/0.celeryev/worker.heartbeat", "after")
        #expect(poll(timeout: 5) { harness.messages.count == 2 })
        #expect(harness.messages.last?.payload == bytes("after"))
        _ = harness.stopAndJoin()
    }

    @Test func quietChannelIsNotAFailureAndKeepaliveKeepsItOpen() throws {
        let server = try RedisServer()
        let harness = try SubscriberHarness(
            subscriber(configuration(for: server), keepalive: .milliseconds(200)))
        #expect(harness.waitSubscribed())
        let pingsBefore = try pingCalls(server)
        usleep(1_200_000)  // several idle timeouts and keepalive PINGs
        #expect(try pingCalls(server) >= pingsBefore + 3)
        #expect(harness.subscriber.status.failures == 0)
        #expect(harness.subscribedCount == 1)
        try server.command("PUBLISH", "celery-task-meta-x", "y")
        #expect(poll(timeout: 5) { harness.messages.count == 1 })
        _ = harness.stopAndJoin()
    }

    @Test func unansweredKeepaliveReconnects() throws {
        let server = try RedisServer()
        var config = configuration(for: server)
        config.readTimeout = .milliseconds(400)
        config.connectTimeout = .seconds(5)
        let harness = try SubscriberHarness(subscriber(config, keepalive: .milliseconds(200)))
        #expect(harness.waitSubscribed())
        // A paused server answers nothing: the shape of a connection silently dropped on the way.
        try server.command("CLIENT", "PAUSE", "1500", "ALL")
        #expect(poll(timeout: 5) { harness.subscriber.status.failures >= 1 })
        guard case .timedOut(let operation)? = harness.subscriber.status.lastError else {
            Issue.record("expected a timeout, got \(String(describing: harness.subscriber.status.lastError))")
            return
        }
        #expect(operation.contains("PING"), "\(operation)")
        #expect(harness.waitSubscribed(2, timeout: 10))
        try server.command("PUBLISH", "celery-task-meta-x", "after pause")
        #expect(poll(timeout: 5) { harness.messages.count == 1 })
        _ = harness.stopAndJoin()
    }

    @Test func authenticatesWithAPasswordAndOverAUnixSocket() throws {
        let server = try RedisServer(password: "s3cret")
        var config = RedisConfiguration(
            endpoint: .unix(path: server.unixSocketPath), password: "s3cret", connectTimeout: .seconds(3),
            readTimeout: .seconds(3))
        config.database = 2  // SELECT does not scope Pub/Sub: channels are global
        let harness = try SubscriberHarness(subscriber(config))
        #expect(harness.waitSubscribed())
        try server.command("PUBLISH", "celery-task-meta-x", "y")
        #expect(poll(timeout: 5) { harness.messages.count == 1 })
        _ = harness.stopAndJoin()

        // A wrong password is a failure with backoff, reported, never a crash; stop stays prompt.
        config.password = "wrong"
        let failing = try SubscriberHarness(subscriber(config))
        #expect(poll(timeout: 5) { failing.subscriber.status.failures >= 2 })
        guard case .authentication? = failing.subscriber.status.lastError else {
            Issue.record(
                "expected an authentication error, got \(String(describing: failing.subscriber.status.lastError))")
            return
        }
        #expect(!"\(failing.subscriber.status.lastError!)".contains("wrong"))
        #expect(failing.stopAndJoin() < 1)
    }

    @Test func subscribesOverTLS() throws {
        let certificates = try TestCertificates()
        let server = try RedisServer(
            tls: (cert: certificates.serverCert, key: certificates.serverKey, ca: certificates.caCert))
        var config = try RedisConfiguration(url: "rediss://localhost:\(server.tlsPort!)/0")
        config.tls?.caFile = certificates.caCert
        let harness = try SubscriberHarness(subscriber(config))
        #expect(harness.waitSubscribed())
        usleep(300_000)  // idle timeouts on TLS leave the stream usable
        try server.command("PUBLISH", "/0.celeryev/worker.offline", "bye")
        #expect(poll(timeout: 5) { harness.messages.count == 1 })
        #expect(harness.subscriber.status.failures == 0)
        #expect(harness.stopAndJoin() < 1)
    }

    @Test func stopIsPromptWhileServerIsDown() throws {
        let listener = try SilentListener()  // accepts TCP but never answers: handshake times out
        var config = RedisConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: listener.port), connectTimeout: .milliseconds(300),
            readTimeout: .milliseconds(300))
        config.maximumReplyBytes = 1024
        let harness = try SubscriberHarness(subscriber(config))
        #expect(poll(timeout: 5) { harness.subscriber.status.failures >= 2 })
        #expect(harness.subscribedCount == 0)
        #expect(harness.stopAndJoin() < 1)
        #expect(harness.isFinished)
    }

    @Test func pushDecoding() {
        #expect(
            RedisSubscriber.Message(
                push: .array([.bulk(bytes("pmessage")), .bulk(bytes("p*")), .bulk(bytes("pc")), .bulk([0, 1])]))
                == .init(pattern: bytes("p*"), channel: bytes("pc"), payload: [0, 1]))
        #expect(
            RedisSubscriber.Message(push: .array([.bulk(bytes("message")), .bulk(bytes("c")), .bulk([])]))
                == .init(pattern: nil, channel: bytes("c"), payload: []))
        #expect(
            RedisSubscriber.Message(push: .array([.bulk(bytes("psubscribe")), .bulk(bytes("p*")), .integer(1)])) == nil)
        #expect(RedisSubscriber.Message(push: .array([.bulk(bytes("pmessage")), .bulk(bytes("p*"))])) == nil)
        #expect(
            RedisSubscriber.Message(push: .array([.bulk(bytes("pmessage")), .bulk(bytes("p")), .null, .bulk([])]))
                == nil)
        #expect(RedisSubscriber.Message(push: .integer(3)) == nil)
    }
}
