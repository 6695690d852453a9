import Foundation
import Logging
import Redis
import TestSupport
import Testing

@testable import Celery

/// Issue 17 item 6: what a backlog is made of (`celery_redis_queue_tasks_by_name`), against a real
/// `redis-server` and the real read-only script.
@Suite(.serialized) struct BacklogIntegrationTests {
    private let t0 = 1_795_625_000.0

    private func connect(_ server: RedisServer, user: String? = nil) throws -> RedisConnection {
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(server.port)/0")
        if let user {
            configuration.username = user
            configuration.password = "exporter-password"
        }
        return try RedisConnection(configuration: configuration)
    }

    private func sampler(
        queues: [String] = ["celery"], prefix: String = "", limit: Int = 200, taskNames: Int = 10
    ) -> Sampler {
        var configuration = CeleryConfiguration(
            queues: queues, keyPrefix: prefix, discoverQueues: false, taskNameLimit: taskNames, censusEnabled: false)
        configuration.queueSampleLimit = limit
        return Sampler(configuration: configuration, logger: Logger(label: "test"))
    }

    /// `LPUSH`es one message of `task` onto `key` (the head: the newest).
    private func push(_ server: RedisServer, _ key: [UInt8], task: String, n: Int) throws {
        try seed(server, b("LPUSH"), key, b(celeryMessage(id: "id-\(n)", task: task, tag: "tag-\(n)")))
    }

    /// Exact counts over every priority list of a prefixed queue, as `queue_length` counts them;
    /// malformed and forged messages are not misread; a second poll reads only what moved.
    @Test func exactCountsOverPriorityListsWithAKeyPrefix() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        let layout = KombuKeyLayout(prefix: "pfx:", separator: sep)
        var n = 0
        for (task, count) in [("app.a", 13), ("app.b", 10), ("app.c", 7)] {
            for i in 0..<count {
                let step = [0, 3, 6, 9][i % 4]
                try push(server, layout.queueKey("celery", priority: step), task: task, n: n)
                n += 1
            }
        }
        // No task header; not JSON at all; a task header that is only inside an escaped string
        // (argsrepr) of a message whose real header names app.a.
        try seed(server, b("LPUSH"), layout.queueKey("celery"), b(#"{"body": "eyJ0YXNrIjogMX0=", "headers": {}}"#))
        try seed(server, b("LPUSH"), layout.queueKey("celery", priority: 3), b("\u{1}garbage"))
        let forged = celeryMessage(id: "forged", task: "app.a", tag: "forged")
            .replacingOccurrences(of: #""argsrepr": "[6]""#, with: #""argsrepr": "\"task\": \"app.evil\"""#)
        try seed(server, b("RPUSH"), layout.queueKey("celery", priority: 6), b(forged))

        let redis = MeasuringExecutor(try connect(server))
        let s = sampler(prefix: "pfx:")
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        let queue = try #require(snap.sampled?.queues.first)
        #expect(queue.length == 33)
        #expect(queue.backlog?.byTask == ["app.a": 14, "app.b": 10, "app.c": 7])
        #expect(queue.backlog?.exact == true)
        #expect(queue.backlog?.sampled == 33)
        #expect(queue.backlog?.unclassified == [.noTaskName: 2])
        #expect(snap.sampled?.commandErrors.isEmpty == true)
        #expect(snap.sampled?.phases[.backlog] ?? 0 > 0)
        let readFirst = try #require(snap.sampled?.backlogReads.messagesRead)

        // Workers take the 2 oldest of the unprioritised list, producers add 3 app.c: only the
        // ends and the new messages are read.
        for _ in 0..<2 { try seed(server, b("RPOP"), layout.queueKey("celery")) }
        for _ in 0..<3 {
            try push(server, layout.queueKey("celery"), task: "app.c", n: n)
            n += 1
        }
        let again = s.poll(using: redis, now: t0 + 15)
        let after = try #require(again.sampled?.queues.first)
        #expect(after.length == 34)
        // The two oldest of the unprioritised list were app.a (pushed first, i = 0 and 4).
        #expect(after.backlog?.byTask == ["app.a": 12, "app.b": 10, "app.c": 10])
        #expect(after.backlog?.unclassified == [.noTaskName: 2])
        #expect(after.backlog?.exact == true)
        let readAgain = try #require(again.sampled?.backlogReads.messagesRead) - readFirst
        // 4 list tails checked, 3 new messages read: not the 34 waiting.
        #expect(readAgain == 7)
    }

    /// Above the limit, each list's oldest and newest messages are read and scaled to its length.
    @Test func aQueueAboveTheLimitIsEstimatedFromItsOldestAndNewest() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        // 600 app.old pushed first (the oldest), then 400 app.new.
        var script = "for i = 1, 600 do redis.call('LPUSH', 'celery', (string.gsub(ARGV[1], 'NUM', i))) end "
        script += "for i = 1, 400 do redis.call('LPUSH', 'celery', (string.gsub(ARGV[2], 'NUM', i))) end return 1"
        let old = celeryMessage(id: "old-NUM", task: "app.old", tag: "old-NUM")
        let new = celeryMessage(id: "new-NUM", task: "app.new", tag: "new-NUM")
        try seed(server, b("EVAL"), b(script), b("0"), b(old), b(new))

        let s = sampler(limit: 20)
        let redis = try connect(server)
        let snap = s.poll(using: redis, now: t0)
        let queue = try #require(snap.sampled?.queues.first)
        #expect(queue.length == 1_000)
        #expect(queue.backlog?.exact == false)
        #expect(queue.backlog?.sampled == 20)
        #expect(queue.backlog?.byTask == ["app.old": 500, "app.new": 500])
        #expect(queue.backlog?.unclassified.isEmpty == true)

        // 3 consumed, 5 added: the ends (2 reads) prove both windows in place; the oldest gets 3
        // more, the newest its 5 new messages plus the one that proves the rest still there.
        for _ in 0..<3 { try seed(server, b("RPOP"), b("celery")) }
        for i in 0..<5 { try push(server, b("celery"), task: "app.new", n: 10_000 + i) }
        var read = try #require(snap.sampled?.backlogReads.messagesRead)
        let moved = s.poll(using: redis, now: t0 + 15)
        #expect(moved.sampled?.queues.first?.length == 1_002)
        #expect(moved.sampled?.queues.first?.backlog?.byTask == ["app.old": 501, "app.new": 501])
        #expect(try #require(moved.sampled?.backlogReads.messagesRead) - read == 2 + 3 + 6)
        read = try #require(moved.sampled?.backlogReads.messagesRead)

        // 500 consumed (past the oldest window: read again) and 8 added (how many is unknown
        // without the tail: the newest window is read again too).
        for _ in 0..<500 { try seed(server, b("RPOP"), b("celery")) }
        for i in 0..<8 { try push(server, b("celery"), task: "app.new", n: 20_000 + i) }
        let again = s.poll(using: redis, now: t0 + 30)
        let after = try #require(again.sampled?.queues.first)
        #expect(after.length == 510)
        #expect(after.backlog?.sampled == 20)
        #expect(after.backlog?.byTask == ["app.old": 255, "app.new": 255])
        #expect(try #require(again.sampled?.backlogReads.messagesRead) - read == 2 + 10 + 10)
    }

    /// Messages of several MB: only names come back, every round stays small, and a message is
    /// copied by Redis once, not every poll.
    @Test func severalMegabyteMessagesStayWithinTheBudget() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        for i in 0..<12 {
            let big = i % 3 == 0
            let message =
                big
                ? largeCeleryMessage(tag: "big-\(i)", task: "app.big", argumentBytes: 4_000_000)
                : celeryMessage(id: "small-\(i)", task: "app.small", tag: "small-\(i)")
            try seed(server, b("LPUSH"), b("celery"), b(message))
        }
        let redis = MeasuringExecutor(try connect(server))
        let s = sampler()
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        #expect(snap.sampled?.queues.first?.backlog?.byTask == ["app.big": 4, "app.small": 8])
        #expect(redis.largestRoundBytes <= ValueReadBudget().roundBytes)
        let copied = try #require(snap.sampled?.backlogReads.bytesCopied)
        #expect(copied > 20_000_000, "four 5 MB messages copied once")
        // The oldest (tail) is a big one: only it is copied again to prove the window in place.
        let again = s.poll(using: redis, now: t0 + 15)
        #expect(again.sampled?.queues.first?.backlog?.byTask == ["app.big": 4, "app.small": 8])
        let copiedAgain = try #require(again.sampled?.backlogReads.bytesCopied) - copied
        #expect(copiedAgain < 6_000_000)
        // Script replies are names only (the tail stage reads the oldest as two 16 KiB slices).
        #expect(redis.largestRoundBytes < 256 * 1024)
    }

    /// A list whose messages average 8 MiB or more is not copied into the script at all (the
    /// `MEMORY USAGE` probe): its messages are counted as too large, and nothing is read.
    @Test func listsOfHugeMessagesAreNotCopied() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        for i in 0..<2 {
            let huge = largeCeleryMessage(tag: "huge-\(i)", task: "app.huge", argumentBytes: 15_000_000)
            try seed(server, b("LPUSH"), b("big"), b(huge))
        }
        try push(server, b("celery"), task: "app.a", n: 0)
        let s = sampler(queues: ["big", "celery"])
        let redis = try connect(server)
        for now in [t0, t0 + 15] {
            let snap = s.poll(using: redis, now: now)
            #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
            #expect(snap.sampled?.queues[0].backlog == QueueBacklog(exact: false, unclassified: [.tooLarge: 2]))
            #expect(snap.sampled?.queues[1].backlog?.byTask == ["app.a": 1])
            #expect(snap.sampled?.backlogReads.bytesCopied ?? 0 < 10_000, "the 20 MB messages were never copied")
        }
    }

    /// Redis refusing scripting (an ACL without it, or the commands renamed away): every waiting
    /// message is counted as unclassified for that reason, the poll succeeds.
    @Test(arguments: ["acl", "rename"])
    func scriptingRefusedCountsEveryMessage(_ how: String) throws {
        let server =
            how == "rename"
            ? try RedisServer(extraArguments: [
                "--rename-command", "EVALSHA_RO", "", "--rename-command", "EVALSHA", "", "--rename-command", "SCRIPT",
                "",
            ]) : try RedisServer()
        defer { server.shutdownAndWait() }
        if how == "acl" {
            try seed(
                server, b("ACL"), b("SETUSER"), b("exporter"), b("on"), b(">exporter-password"), b("resetkeys"),
                b("%R~*"), b("-@all"), b("+@read"), b("+@connection"), b("-@scripting"))
        }
        for i in 0..<4 { try push(server, b("celery"), task: "app.a", n: i) }
        let s = sampler()
        let redis = try connect(server, user: how == "acl" ? "exporter" : nil)
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.succeeded, "\(snap.failure?.reason ?? "")")
        #expect(
            snap.sampled?.queues.first?.backlog == QueueBacklog(exact: false, unclassified: [.scriptingUnavailable: 4]))
    }

    /// Names are capped by the task-name limit (`other`) and by the label length limit.
    @Test func namesAreCappedByTheTaskNameLimitAndLabelLength() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        let long = "app." + String(repeating: "x", count: 400)
        var n = 0
        for (task, count) in [("app.a", 3), (long, 2), ("app.c", 1)] {
            for _ in 0..<count {
                try push(server, b("celery"), task: task, n: n)
                n += 1
            }
        }
        let s = sampler(taskNames: 2)
        let snap = s.poll(using: try connect(server), now: t0)
        #expect(
            snap.sampled?.queues.first?.backlog?.byTask == ["app.a": 3, LabelValueLimit.capped(long): 2, "other": 1])
    }

    /// A full task-name table used to send new names to `other` without a word: now a warning
    /// says so, at most once in ten minutes (later ones count the suppressed polls).
    @Test func refusedTaskNamesAreLoggedAtMostOnceInTenMinutes() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        for (n, task) in ["app.a", "app.b", "app.c", "app.c", "app.d"].enumerated() {
            try push(server, b("celery"), task: task, n: n)
        }
        let recorder = LogRecorder()
        var configuration = CeleryConfiguration(
            queues: ["celery"], discoverQueues: false, taskNameLimit: 2, censusEnabled: false)
        configuration.queueSampleLimit = 200
        let s = Sampler(configuration: configuration, logger: recorder.logger())
        let redis = try connect(server)
        func refusals() -> [String] { recorder.messages.filter { $0.contains("task name table full") } }
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.sampled?.queues.first?.backlog?.byTask == ["app.a": 1, "app.b": 1, "other": 3])
        #expect(refusals().count == 1)
        #expect(refusals().first?.contains("messages_this_poll=3") == true)
        _ = s.poll(using: redis, now: t0 + 60)
        #expect(refusals().count == 1)
        _ = s.poll(using: redis, now: t0 + 601)
        #expect(refusals().count == 2)
        #expect(refusals().last?.contains("suppressed=1") == true)
    }

    /// With the task-name limit 0 (the breakdowns off) or the sample limit 0, nothing is read.
    @Test func offWithoutTaskNamesOrSampleLimit() throws {
        let server = try RedisServer()
        defer { server.shutdownAndWait() }
        try push(server, b("celery"), task: "app.a", n: 0)
        for s in [sampler(taskNames: 0), sampler(limit: 0)] {
            let redis = MeasuringExecutor(try connect(server))
            let snap = s.poll(using: redis, now: t0)
            #expect(snap.sampled?.queues.first?.backlog == nil)
            #expect(snap.sampled?.backlogReads.messagesRead == 0)
        }
    }
}
