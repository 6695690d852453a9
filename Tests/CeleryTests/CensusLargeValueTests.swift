import Foundation
import JSON
import Logging
import Redis
import Sockets
import Synchronization
import TestSupport
import Testing

@testable import Celery

/// Issue 9 row 2: result metas of hundreds of KB to tens of MB (ordinary results and tracebacks),
/// and hostile ones, in a real `redis-server`. A pass reads each value through bounded `GETRANGE`s,
/// so no round brings back more than ``ResultCensus/fetchBudgetBytes`` of values whatever Redis
/// holds, a value beyond the 64 MiB reply limit no longer fails every pass, and each meta is
/// counted under its real top-level state (or `unclassified`, never a wrong one).
@Suite(.serialized) struct CensusLargeValueTests {

    /// Builds `head + unit × count + tail` inside Redis (1 MiB `APPEND`s from a Lua script), so a
    /// 70 MB value costs the test no 70 MB buffer of its own. TTL one day, like Celery's default.
    private static let build = """
        redis.call('SET', KEYS[1], ARGV[1])
        local n = tonumber(ARGV[3])
        local per = math.min(n, math.max(1, math.floor(1048576 / #ARGV[2])))
        local chunk = string.rep(ARGV[2], per)
        while n >= per and per > 0 do redis.call('APPEND', KEYS[1], chunk); n = n - per end
        if n > 0 then redis.call('APPEND', KEYS[1], string.rep(ARGV[2], n)) end
        redis.call('APPEND', KEYS[1], ARGV[4])
        redis.call('PEXPIRE', KEYS[1], 86400000)
        return redis.call('STRLEN', KEYS[1])
        """

    /// One meta to seed: its JSON split around a large filler.
    private struct Seed {
        var id: String
        var head: String
        var unit: String = "x"
        var units: Int
        var tail: String

        var size: Int { head.utf8.count + unit.utf8.count * units + tail.utf8.count }

        /// The whole value (tests of small sizes only).
        var text: String { head + String(repeating: unit, count: units) + tail }

        func command() -> RedisCommand {
            [
                b("EVAL"), b(CensusLargeValueTests.build), b("1"), b("celery-task-meta-" + id), b(head), b(unit),
                b(String(units)), b(tail),
            ]
        }
    }

    /// Metas exactly as Celery 5.7 lays them out, with a large result, traceback or args.
    private enum Shape: CaseIterable {
        case success, failure, workerLost, startedExtended, retry, progress, imitation

        func seed(_ id: String, size: Int) -> (Seed, TaskMeta) {
            let date = #""date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "\#(id)"}"#
            switch self {
            case .success:
                return (
                    Seed(
                        id: id, head: #"{"status": "SUCCESS", "result": ""#, units: size,
                        tail: #"", "traceback": null, "children": [], "# + date),
                    TaskMeta(state: .success)
                )
            case .failure:
                return (
                    Seed(
                        id: id,
                        head:
                            #"{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n"#,
                        unit: #"  File \"/app/tasks.py\", line 12, in run\n"#, units: size / 42,
                        tail: #"ValueError: boom\n", "children": [], "# + date),
                    TaskMeta(state: .failure)
                )
            case .workerLost:
                return (
                    Seed(
                        id: id,
                        head: #"{"status": "FAILURE", "result": {"exc_type": "WorkerLostError", "exc_message": [""#,
                        units: size,
                        tail: #""], "exc_module": "billiard.exceptions"}, "traceback": null, "children": [], "# + date),
                    TaskMeta(state: .failure, workerLost: true)
                )
            case .startedExtended:
                return (
                    Seed(
                        id: id,
                        head:
                            #"{"status": "STARTED", "result": {"pid": 19859, "hostname": "w9@box"}, "traceback": null, "children": [], "date_done": null, "name": "app.big", "args": [""#,
                        units: size,
                        tail:
                            #""], "kwargs": {}, "worker": "w9@box", "retries": 0, "queue": "celery", "task_id": "\#(id)"}"#
                    ),
                    TaskMeta(state: .started, hostname: "w9@box")
                )
            case .retry:
                return (
                    Seed(
                        id: id,
                        head:
                            #"{"status": "RETRY", "result": {"exc_type": "RuntimeError", "exc_message": ["try again"], "exc_module": "builtins"}, "traceback": ""#,
                        units: size, tail: #"", "children": [], "date_done": null, "task_id": "\#(id)"}"#),
                    TaskMeta(state: .retry)
                )
            case .progress:
                return (
                    Seed(
                        id: id, head: #"{"status": "PROGRESS", "result": {"log": ""#, units: size,
                        tail: #""}, "traceback": null, "children": [], "date_done": null, "task_id": "\#(id)"}"#),
                    TaskMeta(state: .other)
                )
            case .imitation:
                // The result imitates top-level keys, with escaped quotes, all the way through.
                return (
                    Seed(
                        id: id, head: #"{"status": "SUCCESS", "result": "\"status\": \"FAILURE\", "#,
                        unit: #"{\"status\": \"REVOKED\", \"exc_type\": \"WorkerLostError\"} \\"#, units: size / 60,
                        tail: #"", "traceback": null, "children": [], "# + date),
                    TaskMeta(state: .success)
                )
            }
        }
    }

    /// Seeds in pipelined rounds of `batch` scripts.
    private func seed(_ seeds: [Seed], into server: RedisServer, batch: Int = 50) throws {
        let connection = try connect(server)
        defer { connection.close() }
        var start = 0
        while start < seeds.count {
            let chunk = seeds[start..<min(start + batch, seeds.count)]
            let replies = try connection.pipeline(chunk.map { $0.command() })
            for (seed, reply) in zip(chunk, replies) {
                #expect(reply.integer == Int64(seed.size), "seeding \(seed.id): \(reply)")
            }
            start += batch
        }
    }

    /// Runs one whole pass at full speed (no pacing) through a recorder of reply bytes.
    private func pass(_ census: ResultCensus, _ redis: ReplyBudgetRecorder) throws -> ResultCensus.PassOutcome {
        let now = Date().timeIntervalSince1970
        return try census.runPass(using: redis, clock: { now }, pace: { _ in false })
    }

    private func census() -> ResultCensus {
        ResultCensus(
            configuration: CeleryConfiguration(discoverQueues: false, resultExpires: 86_400),
            layout: KombuKeyLayout(), epoch: Date().timeIntervalSince1970)
    }

    /// 500 metas of 200 KB in every Celery shape, plus five of 3 MB: one pass counts each under its
    /// state (worker-lost ones and STARTED hosts included), and no round brings back more than the
    /// budget (main `GET`s 500 values at once: 100 MB in one round).
    @Test func hundredsOfLargeMetasAreCountedWithinTheReadBudget() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        var seeds: [Seed] = []
        var expected: [TaskMetaState: Int] = [:]
        var workerLost = 0
        var started = 0
        for i in 0..<500 {
            let shape = Shape.allCases[i % Shape.allCases.count]
            let (seed, meta) = shape.seed("m\(i)", size: 200_000)
            seeds.append(seed)
            expected[meta.state, default: 0] += 1
            if meta.workerLost { workerLost += 1 }
            if meta.state == .started { started += 1 }
        }
        for (i, shape) in [Shape.success, .failure, .startedExtended, .imitation, .workerLost].enumerated() {
            let (seed, meta) = shape.seed("big\(i)", size: 3_000_000)
            seeds.append(seed)
            expected[meta.state, default: 0] += 1
            if meta.workerLost { workerLost += 1 }
            if meta.state == .started { started += 1 }
        }
        // Checks the fixtures themselves: each shape is valid JSON that the full parser reads alike.
        for shape in Shape.allCases {
            let (seed, meta) = shape.seed("check", size: 300)
            #expect(TaskMeta(bytes: b(seed.text)) == meta, "\(shape)")
            #expect((try? JSONValue.parse(b(seed.text)))?["status"] != nil, "\(shape)")
        }
        try seed(seeds, into: server)

        let census = census()
        let redis = ReplyBudgetRecorder(try connect(server))
        #expect(try pass(census, redis) == .completed)
        let snap = try #require(census.snapshot(now: Date().timeIntervalSince1970))
        for state in TaskMetaState.allCases {
            #expect(snap.metaKeys[state] == expected[state] ?? 0, "\(state)")
        }
        #expect(snap.workerLostKeys == workerLost)
        #expect(census.orphanedStarted(liveWorkers: []) == started, "every STARTED meta's host was read")
        #expect(census.orphanedStarted(liveWorkers: ["w9@box"]) == 0)
        #expect(redis.largestRound <= ResultCensus.fetchBudgetBytes, "\(redis.largestRound) bytes in one round")
        #expect(redis.sent.allSatisfy { $0.first != b("GET") }, "no unbounded read")
    }

    /// A 70 MB meta (beyond the 64 MiB reply limit; main drops the connection on its `GET` and
    /// every pass fails) and a 70 MB non-JSON value: the pass completes and counts both, and a
    /// value that hides its status beyond the first 4 KiB is counted as unclassified.
    @Test func valuesBeyondTheReplyLimitNeverFailAPass() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        let huge = 70 * 1024 * 1024
        let (success, _) = Shape.imitation.seed("huge", size: huge)
        let hidden = Seed(
            id: "hidden", head: #"{"result": ""#, unit: #"\"status\": \"SUCCESS\" "#, units: 10_000,
            tail: #"", "status": "SUCCESS", "task_id": "hidden"}"#)
        let seeds = [
            success,
            Seed(id: "garbage", head: "\u{80}\u{04}\u{95}", units: huge, tail: "."),  // pickle-like
            Shape.success.seed("small", size: 10).0,
            hidden,
        ]
        try seed(seeds, into: server, batch: 1)
        #expect(TaskMeta(bytes: b(hidden.text)).state == .success, "the whole value does say SUCCESS")

        let census = census()
        let redis = ReplyBudgetRecorder(try connect(server))
        #expect(try pass(census, redis) == .completed)
        let snap = try #require(census.snapshot(now: Date().timeIntervalSince1970))
        #expect(snap.metaKeys[.success] == 2)
        #expect(snap.metaKeys[.unknown] == 1)
        #expect(snap.metaKeys[.unclassified] == 1)
        #expect(snap.metaKeys.values.reduce(0, +) == 4)
        #expect(snap.workerLostKeys == 0)
        #expect(redis.largestRound <= ResultCensus.fetchBudgetBytes)
        // Terminal states (unclassified included) are not read again by the next pass.
        let reads = redis.sent.filter { $0.first == b("GETRANGE") }.count
        #expect(try pass(census, redis) == .completed)
        #expect(redis.sent.filter { $0.first == b("GETRANGE") }.count == reads)
        #expect(census.snapshot(now: Date().timeIntervalSince1970)?.metaKeys[.success] == 2)
    }

    /// The live side with a real subscription: a 3 MB result write moves a STARTED key to SUCCESS
    /// at once, its imitation of other statuses notwithstanding.
    @Test func largeLiveWritesAreCounted() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        let (started, _) = Shape.startedExtended.seed("live", size: 100)
        try seed([started], into: server)
        let census = census()
        let redis = ReplyBudgetRecorder(try connect(server))
        #expect(try pass(census, redis) == .completed)
        #expect(census.snapshot(now: Date().timeIntervalSince1970)?.metaKeys[.started] == 1)

        let configuration = RedisConfiguration(
            endpoint: .tcp(host: "127.0.0.1", port: server.port), connectTimeout: .seconds(3), readTimeout: .seconds(3))
        let subscriber = RedisSubscriber(
            configuration: configuration, patterns: CeleryEventChannels(keyPrefix: "", database: 0).patterns,
            backoff: ReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200)),
            idleTimeout: .milliseconds(100))
        let listener = try NativeThread.spawn(name: "census-large-events") {
            subscriber.run { event in
                if case .message(let m) = event {
                    census.record(channel: m.channel, payload: m.payload, at: Date().timeIntervalSince1970)
                }
            }
        }
        defer {
            subscriber.stop()
            listener.join()
        }
        let deadline = Date().addingTimeInterval(5)
        while !subscriber.status.isSubscribed && Date() < deadline { usleep(20_000) }
        #expect(subscriber.status.isSubscribed)

        let (done, _) = Shape.imitation.seed("live", size: 3_000_000)
        let payload = b(done.text)
        let connection = try connect(server)
        defer { connection.close() }
        let replies = try connection.pipeline([
            [b("SETEX"), b("celery-task-meta-live"), b("86400"), payload],
            [b("PUBLISH"), b("celery-task-meta-live"), payload],
        ])
        #expect(replies[1].integer == 1, "one subscriber got it")
        while census.snapshot(now: Date().timeIntervalSince1970)?.liveWrites == 0
            && Date() < deadline.addingTimeInterval(5)
        {
            usleep(20_000)
        }
        let snap = try #require(census.snapshot(now: Date().timeIntervalSince1970))
        #expect(snap.liveWrites == 1)
        #expect(snap.metaKeys[.success] == 1)
        #expect(snap.metaKeys[.started] == 0)
        #expect(snap.metaKeys[.failure] == 0 && snap.metaKeys[.revoked] == 0)
    }
}

/// A real connection that records each pipelined round and the bytes of values its replies
/// brought back (bulk strings, nested ones included).
final class ReplyBudgetRecorder: RedisCommandExecuting {
    private let connection: RedisConnection
    /// The most reply bytes one round brought back.
    private(set) var largestRound = 0
    /// Every command sent.
    private(set) var sent: [RedisCommand] = []

    init(_ connection: RedisConnection) {
        self.connection = connection
    }

    deinit { connection.close() }

    func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        sent += commands
        let replies = try connection.pipeline(commands)
        largestRound = max(largestRound, replies.reduce(0) { $0 + Self.size($1) })
        return replies
    }

    private static func size(_ value: RESPValue) -> Int {
        switch value {
        case .bulk(let bytes): return bytes.count
        case .array(let values): return values.reduce(0) { $0 + size($1) }
        default: return 0
        }
    }
}
