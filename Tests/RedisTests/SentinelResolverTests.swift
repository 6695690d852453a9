import Foundation
import Redis
import Sockets
import TestSupport
import Testing

/// The resolver against real `redis-server --sentinel` processes and against hostile sentinels:
/// it uses only an answer that names a plausible address whose server says it is the master.
@Suite(.serialized) struct SentinelResolverTests {
    static func sentinelConfiguration(_ ports: [UInt16], master: String = "mymaster") -> SentinelConfiguration {
        SentinelConfiguration(
            sentinels: ports.map { .tcp(host: "127.0.0.1", port: $0) }, masterName: master,
            connectTimeout: .milliseconds(500), readTimeout: .milliseconds(500), roleCheckInterval: .seconds(1))
    }

    static func base(_ database: Int = 0) -> RedisConfiguration {
        RedisConfiguration(
            endpoint: .tcp(host: "placeholder.invalid", port: 1), database: database, connectTimeout: .seconds(3),
            readTimeout: .seconds(3))
    }

    /// A master with one synced replica; the replica's server.
    static func replicated() throws -> (master: RedisServer, replica: RedisServer) {
        let master = try RedisServer()
        let replica = try RedisServer(extraArguments: ["--replicaof", "127.0.0.1", String(master.port)])
        let synced = try waitUntil(timeout: 15) {
            try replica.cli(["INFO", "replication"]).stdout.contains("master_link_status:up")
        }
        if !synced { throw HarnessError("replica did not sync") }
        return (master, replica)
    }

    @Test func aRealSentinelNamesTheMasterAndTheClientReadsThroughIt() throws {
        let (master, _) = try Self.replicated()
        _ = try master.command("SET", "where", "master")
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let resolver = SentinelResolver(configuration: Self.sentinelConfiguration([sentinel.port]))
        #expect(try resolver.askSentinels() == .tcp(host: "127.0.0.1", port: master.port))
        let client = RedisClient(configuration: Self.base(), sentinel: resolver)
        #expect(try client.pipeline([redisCommand("GET", "where")]) == [.bulk(Array("master".utf8))])
        #expect(resolver.statistics.master == .tcp(host: "127.0.0.1", port: master.port))
        #expect(resolver.statistics.failovers == 0)
    }

    @Test func anUnknownMasterNameIsACountedErrorNamingTheName() throws {
        let master = try RedisServer()
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let resolver = SentinelResolver(configuration: Self.sentinelConfiguration([sentinel.port], master: "nope"))
        let client = RedisClient(configuration: Self.base(), sentinel: resolver)
        do {
            _ = try client.pipeline([redisCommand("PING")])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("no master named \"nope\""))
        }
        #expect(resolver.statistics.failures[.unknownMaster] == 1)
        #expect(resolver.statistics.master == nil)
    }

    @Test func hostileAnswersAreRejectedAndTheNextSentinelIsAsked() throws {
        let master = try RedisServer()
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let answers: [(String, SentinelResolver.FailureReason)] = [
            ("*2\r\n$7\r\n0.0.0.0\r\n$4\r\n6379\r\n", .badReply),
            // Other spellings of the unspecified address, which would connect to this machine.
            ("*2\r\n$1\r\n0\r\n$4\r\n6379\r\n", .badReply),
            ("*2\r\n$3\r\n0.0\r\n$4\r\n6379\r\n", .badReply),
            ("*2\r\n$3\r\n::0\r\n$4\r\n6379\r\n", .badReply),
            ("*2\r\n$14\r\n::ffff:0.0.0.0\r\n$4\r\n6379\r\n", .badReply),
            ("*2\r\n$9\r\n127.0.0.1\r\n$5\r\n70000\r\n", .badReply),
            ("*2\r\n$300\r\n" + String(repeating: "a", count: 300) + "\r\n$4\r\n6379\r\n", .badReply),
            ("*2\r\n$9\r\nevil host\r\n$4\r\n6379\r\n", .badReply),
            ("*3\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n$1\r\nx\r\n", .badReply),
            // Far past the 4 KiB limit of a sentinel answer: dropped, not buffered.
            ("$10000000\r\n" + String(repeating: "x", count: 8192), .badReply),
            ("$-1\r\n", .unknownMaster),
            ("-ERR No such master with that name\r\n", .unknownMaster),
        ]
        for (answer, reason) in answers {
            let fake = try FakeRESPServer(replies: [.init(bytes: Array(answer.utf8))])
            defer { fake.stop() }
            let resolver = SentinelResolver(configuration: Self.sentinelConfiguration([fake.port, sentinel.port]))
            #expect(try resolver.askSentinels() == .tcp(host: "127.0.0.1", port: master.port), "\(answer.prefix(40))")
            #expect(resolver.statistics.failures[reason] == 1, "\(answer.prefix(40))")
        }
    }

    @Test func aSentinelNamingAReplicaIsNotTrusted() throws {
        let (_, replica) = try Self.replicated()
        let port = String(replica.port)
        let answer = "*2\r\n$9\r\n127.0.0.1\r\n$\(port.count)\r\n\(port)\r\n"
        let fake = try FakeRESPServer(replies: [.init(bytes: Array(answer.utf8))])
        defer { fake.stop() }
        let resolver = SentinelResolver(configuration: Self.sentinelConfiguration([fake.port]))
        let client = RedisClient(configuration: Self.base(), sentinel: resolver)
        do {
            _ = try client.pipeline([redisCommand("PING")])
            Issue.record("a replica was accepted as the master")
        } catch {
            #expect("\(error)".contains("not master"))
        }
        #expect(resolver.statistics.failures[.notMaster] == 1)
        #expect(resolver.statistics.master == nil)
    }

    /// Nobody closes the connection and the old server still says master: the periodic check
    /// still moves the client, because the sentinels now name another master.
    @Test func thePeriodicCheckMovesAClientWhoseServerStillSaysMaster() throws {
        let first = try RedisServer()
        let second = try RedisServer()
        _ = try first.command("SET", "where", "first")
        _ = try second.command("SET", "where", "second")
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: first.port)
        let resolver = SentinelResolver(configuration: Self.sentinelConfiguration([sentinel.port]))
        let client = RedisClient(configuration: Self.base(), sentinel: resolver)
        #expect(try client.pipeline([redisCommand("GET", "where")]) == [.bulk(Array("first".utf8))])
        _ = try sentinel.cli(["SENTINEL", "REMOVE", "mymaster"])
        _ = try sentinel.cli(["SENTINEL", "MONITOR", "mymaster", "127.0.0.1", String(second.port), "1"])
        let moved = waitUntil(timeout: 10) {
            (try? client.pipeline([redisCommand("GET", "where")])) == [.bulk(Array("second".utf8))]
        }
        #expect(moved)
        #expect(resolver.statistics.failovers == 1)
        #expect(client.consecutiveFailures == 0)
    }

    /// A `-READONLY` reply means the server was demoted: the next call goes through Sentinel
    /// again, long before the periodic check (an hour here) would notice.
    @Test func aReadonlyReplySendsTheNextCallThroughSentinel() throws {
        let first = try RedisServer()
        let second = try RedisServer()
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: first.port)
        var settings = Self.sentinelConfiguration([sentinel.port])
        settings.roleCheckInterval = .seconds(3600)
        let resolver = SentinelResolver(configuration: settings)
        let client = RedisClient(configuration: Self.base(), sentinel: resolver)
        func port() throws -> [UInt8]? {
            try client.pipeline([redisCommand("CONFIG", "GET", "port")])[0].array?.last?.bytes
        }
        #expect(try port() == Array(String(first.port).utf8))
        _ = try sentinel.cli(["SENTINEL", "REMOVE", "mymaster"])
        _ = try sentinel.cli(["SENTINEL", "MONITOR", "mymaster", "127.0.0.1", String(second.port), "1"])
        _ = try first.cli(["REPLICAOF", "127.0.0.1", String(second.port)])
        let reply = try client.pipeline([redisCommand("SET", "k", "v")])[0]
        #expect(reply.errorMessage?.hasPrefix("READONLY") == true, "\(reply)")
        #expect(try port() == Array(String(second.port).utf8))
        #expect(resolver.statistics.failovers == 1)
    }

    /// With every sentinel gone (one refusing, one silent until its deadline), a working master
    /// connection is kept, and the periodic check does not wait on the sentinels again every time.
    @Test func sentinelsDownKeepTheMasterConnectionAndAreAskedOnceNotEveryCheck() throws {
        let master = try RedisServer()
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let silent = try SilentListener()
        var settings = Self.sentinelConfiguration([sentinel.port, silent.port])
        settings.roleCheckInterval = .milliseconds(100)
        let resolver = SentinelResolver(configuration: settings)
        let client = RedisClient(configuration: Self.base(), sentinel: resolver)
        #expect(try client.pipeline([redisCommand("PING")]) == [.status("PONG")])
        sentinel.stop()
        for _ in 0..<5 {
            usleep(150_000)
            #expect(try client.pipeline([redisCommand("PING")]) == [.status("PONG")])
        }
        // One round (both sentinels), not one per check.
        #expect(resolver.statistics.failures[.unreachable] == 2)
        #expect(resolver.statistics.master == .tcp(host: "127.0.0.1", port: master.port))
    }

    @Test func theClientFollowsAForcedFailoverWithoutBeingRecreated() throws {
        let setup = try SentinelFailoverSetup()
        let (master, replica, sentinel) = (setup.master, setup.replica, setup.sentinel)
        let resolver = SentinelResolver(configuration: Self.sentinelConfiguration([sentinel.port]))
        let client = RedisClient(
            configuration: Self.base(),
            backoff: ReconnectBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200)),
            sentinel: resolver)
        #expect(try client.pipeline([redisCommand("ROLE")])[0].array?.first == .bulk(Array("master".utf8)))
        try setup.failOver()
        // The same client, asked again: it ends up on the new master.
        let followed = waitUntil(timeout: 30) {
            let port = (try? client.pipeline([redisCommand("CONFIG", "GET", "port")]))?.first?.array?.last?.bytes
            return port == Array(String(replica.port).utf8)
        }
        #expect(followed)
        #expect(resolver.statistics.failovers == 1)
        #expect(resolver.statistics.master == .tcp(host: "127.0.0.1", port: replica.port))
    }
}
