import Foundation
import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// A Celery message whose task arguments are `argumentBytes` long, shaped as Celery 5 writes it:
/// the base64 `body` (`[args, kwargs, embed]`) first, `argsrepr` cut at Celery's 1024 characters,
/// then `headers` and `properties`.
func largeCeleryMessage(
    tag: String, queue: String = "celery", task: String = "app.ingest", eta: String? = nil, sentAt: Double? = nil,
    argumentBytes: Int
) -> String {
    let argument = String(repeating: "x", count: argumentBytes)
    let body = Data(
        #"[["\#(argument)"], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]"#.utf8
    )
    .base64EncodedString()
    let argsrepr = String(("['" + String(repeating: "x", count: 1_100)).prefix(1_021)) + "..."
    return celeryMessage(id: "id-" + tag, task: task, tag: tag, queue: queue, eta: eta, sentAt: sentAt)
        .replacingOccurrences(of: "W1s2XSwgeyJ0YWciOiAiMCJ9LCB7ImNhbGxiYWNrcyI6IG51bGx9XQ==", with: body)
        .replacingOccurrences(of: #""argsrepr": "[6]""#, with: #""argsrepr": "\#(argsrepr)""#)
}

/// A Redis executor that records, per pipelined round, how many value bytes its replies held: what
/// the exporter had to hold at once.
final class MeasuringExecutor: RedisCommandExecuting {
    let inner: any RedisCommandExecuting
    private(set) var largestRoundBytes = 0
    private(set) var rounds = 0

    init(_ inner: any RedisCommandExecuting) { self.inner = inner }

    func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        let replies = try inner.pipeline(commands)
        rounds += 1
        largestRoundBytes = max(largestRoundBytes, replies.reduce(0) { $0 + MeasuringExecutor.bytes($1) })
        return replies
    }

    static func bytes(_ reply: RESPValue) -> Int {
        switch reply {
        case .bulk(let b): return b.count
        case .array(let parts): return parts.reduce(0) { $0 + bytes($1) }
        case .status(let s), .error(let s): return s.utf8.count
        default: return 8
        }
    }
}

/// Issue 9: large Celery data never makes the exporter lie, run out of memory or fail its poll.
/// Real `redis-server`, values written with hand-made RESP (`RedisServer.command`), read through
/// the real `RedisConnection` with its default 64 MiB reply cap.
@Suite(.serialized) struct LargeValueIntegrationTests {
    private let t0 = 1_795_625_000.0

    private func connect(_ server: RedisServer, user: String? = nil, maximumReplyBytes: Int? = nil) throws
        -> RedisConnection
    {
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0")
        if let user {
            configuration.username = user
            configuration.password = "exporter-password"
        }
        if let maximumReplyBytes { configuration.maximumReplyBytes = maximumReplyBytes }
        return try RedisConnection(configuration: configuration)
    }

    /// Row 1 of issue 9: ~100 prefetched tasks with ~700 KB messages used to be one `HMGET` whose
    /// reply passed the 64 MiB cap, so every poll failed (`up 0`, a false alert, forever).
    @Test func hundredUnackedTasksOf700KBArePolledWithinTheBudget() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        let queues = ["celery", "ingest", "reports"]
        for i in 0..<100 {
            let queue = queues[i % 3]
            let tag = "tag-\(i)"
            let eta = i % 10 == 0 ? iso(t0 + 600) : nil
            let value =
                "[" + largeCeleryMessage(tag: tag, queue: queue, task: "app.\(queue)", eta: eta, argumentBytes: 520_000)
                + #", "", "\#(queue)"]"#
            #expect(value.utf8.count > 690_000)
            try seed(server, b("HSET"), b("unacked"), b(tag), b(value))
            try seed(server, b("ZADD"), b("unacked_index"), b("\(t0 - 100 + Double(i))"), b(tag))
        }
        let redis = MeasuringExecutor(try connect(server))
        let s = Sampler(
            configuration: CeleryConfiguration(
                queues: queues, discoverQueues: false, taskNameLimit: 10, censusEnabled: false),
            logger: Logger(label: "test"))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        #expect(snap.sampled?.unackedTotal == 100)
        #expect(snap.sampled?.unackedUnclassified == 0)
        #expect(snap.sampled?.unackedUnread.isEmpty == true)
        #expect(snap.sampled?.queues.map(\.unacked) == [34, 33, 33])
        #expect(snap.sampled?.queues.map(\.scheduled) == [4, 3, 3])
        #expect(
            snap.sampled?.queues.map(\.unackedByTask) == [["app.celery": 34], ["app.ingest": 33], ["app.reports": 33]])
        #expect(snap.sampled?.queues[0].unackedOldestAge == 100)
        // No round held more than the 4 MiB budget of values, with 70 MB of messages in Redis.
        #expect(redis.largestRoundBytes <= ValueReadBudget().roundBytes)

        // Each tag is read once: the next poll reads no payload at all, even after SCRIPT FLUSH
        // (the script is reloaded on NOSCRIPT when a new large entry arrives).
        let rounds = redis.rounds
        let again = s.poll(using: redis, now: t0 + 1)
        #expect(again.succeeded)
        #expect(again.sampled?.queues.map(\.unacked) == [34, 33, 33])
        #expect(redis.rounds == rounds + 1, "only the main round: every tag was cached")
        try seed(server, b("SCRIPT"), b("FLUSH"))
        let value =
            "[" + largeCeleryMessage(tag: "late", queue: "reports", argumentBytes: 300_000) + #", "", "reports"]"#
        try seed(server, b("HSET"), b("unacked"), b("late"), b(value))
        try seed(server, b("ZADD"), b("unacked_index"), b("\(t0 + 1)"), b("late"))
        let third = s.poll(using: redis, now: t0 + 2)
        #expect(third.succeeded)
        #expect(third.sampled?.queues.map(\.unacked) == [34, 33, 34])
    }

    /// A 70 MB message next in line used to be read whole by `LINDEX` and fail every poll.
    @Test func seventyMegabyteMessageAtTheTailOfAQueue() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        // The oldest (tail) message is 70 MB and carries sent_at; two small ones wait behind it.
        let big = largeCeleryMessage(tag: "big", queue: "celery", sentAt: t0 - 42, argumentBytes: 52_500_000)
        #expect(big.utf8.count > 70_000_000)
        try seed(server, b("LPUSH"), b("celery"), b(big))
        try seed(server, b("LPUSH"), b("celery"), b(celeryMessage(tag: "small-1")), b(celeryMessage(tag: "small-2")))
        // A 1 MB element that is not a kombu message at all: read as slices, counted as unread.
        try seed(server, b("LPUSH"), b("junk"), b(String(repeating: "z", count: 1_000_000)))

        let redis = MeasuringExecutor(try connect(server))
        let s = Sampler(
            configuration: CeleryConfiguration(
                queues: ["celery", "junk"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        #expect(snap.sampled?.queues[0].length == 3)
        #expect(snap.sampled?.queues[0].oldestMessageAge == 42, "sent_at read from the tail slice")
        #expect(snap.sampled?.queues[0].oldestMessageAgeIsExact == true)
        #expect(snap.sampled?.queues[0].unreadTailMessages.isEmpty == true)
        #expect(snap.sampled?.queues[1].length == 1)
        #expect(snap.sampled?.queues[1].unreadTailMessages == [.beyondSlice: 1])
        #expect(snap.sampled?.queues[1].oldestMessageAge == 0, "aged from first seen")
        #expect(redis.largestRoundBytes <= ValueReadBudget().roundBytes)
        #expect(snap.sampled?.commandErrors.isEmpty == true)
    }

    /// Where Redis refuses scripting (an ACL with `-@scripting`), large values are counted as
    /// unread (and say so in a metric) instead of failing the poll; small ones are still read.
    @Test func scriptingRefusedCountsLargeValuesAsUnread() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try seed(
            server, b("ACL"), b("SETUSER"), b("exporter"), b("on"), b(">exporter-password"), b("resetkeys"), b("%R~*"),
            b("-@all"), b("+@read"), b("+@connection"), b("-@scripting"))
        for i in 0..<3 {
            try seed(
                server, b("HSET"), b("unacked"), b("small-\(i)"), b(unackedValue(tag: "small-\(i)", queue: "celery")))
            try seed(server, b("ZADD"), b("unacked_index"), b("\(t0 - 10)"), b("small-\(i)"))
            let big = "[" + largeCeleryMessage(tag: "big-\(i)", argumentBytes: 400_000) + #", "", "celery"]"#
            try seed(server, b("HSET"), b("unacked"), b("big-\(i)"), b(big))
            try seed(server, b("ZADD"), b("unacked_index"), b("\(t0 - 20)"), b("big-\(i)"))
        }
        try seed(
            server, b("LPUSH"), b("celery"), b(largeCeleryMessage(tag: "tail", sentAt: t0 - 5, argumentBytes: 400_000)))

        // A 1 MiB reply cap: reading the big values whole (3 × 530 KB) would pass it.
        let redis = MeasuringExecutor(try connect(server, user: "exporter", maximumReplyBytes: 1 << 20))
        let s = Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        #expect(snap.sampled?.unackedTotal == 6)
        #expect(snap.sampled?.queues[0].unacked == 3)
        #expect(snap.sampled?.unackedUnread == [.scriptingUnavailable: 3])
        #expect(snap.sampled?.unackedUnclassified == 3)
        #expect(snap.sampled?.queues[0].length == 1)
        #expect(snap.sampled?.queues[0].unreadTailMessages == [.scriptingUnavailable: 1])
        #expect(snap.sampled?.queues[0].oldestMessageAge == nil)
        #expect(snap.sampled?.commandErrors.isEmpty == true)

        // The unread entries are remembered, not re-sized every poll.
        let again = s.poll(using: redis, now: t0 + 1)
        #expect(again.succeeded)
        #expect(again.sampled?.unackedUnread == [.scriptingUnavailable: 3])
    }

    /// Redis 6 has no `EVALSHA_RO`: the reader falls back to `EVALSHA` (here the command is renamed
    /// away, which is also how operators disable a command).
    @Test func withoutEvalshaROTheScriptRunsWithEvalsha() throws {
        let server = try RedisServer(extraArguments: ["--rename-command", "EVALSHA_RO", ""])
        defer { server.shutdownAndWait() }
        try seed(
            server, b("LPUSH"), b("celery"), b(largeCeleryMessage(tag: "tail", sentAt: t0 - 7, argumentBytes: 200_000)))
        let big = "[" + largeCeleryMessage(tag: "big", queue: "celery", argumentBytes: 200_000) + #", "", "celery"]"#
        try seed(server, b("HSET"), b("unacked"), b("big"), b(big))
        try seed(server, b("ZADD"), b("unacked_index"), b("\(t0 - 3)"), b("big"))
        let s = Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
        let snap = s.poll(using: try connect(server), now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        #expect(snap.sampled?.queues[0].oldestMessageAge == 7)
        #expect(snap.sampled?.queues[0].unacked == 1)
        #expect(snap.sampled?.unackedUnread.isEmpty == true)
    }
}
