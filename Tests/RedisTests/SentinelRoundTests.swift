import Foundation
import Redis
import Sockets
import TestSupport
import Testing

/// One round asks every sentinel until one names a server that really is the master: a sentinel
/// naming a replica or an unreachable host costs its own answer, never the others'; the sentinel
/// that led to the master is asked first next time; a round has one deadline; and the periodic
/// check keeps a verified master when one sentinel disagrees with no master to show for it.
@Suite(.serialized) struct SentinelRoundTests {
    static func settings(_ ports: [UInt16], checkEvery interval: Duration = .seconds(1)) -> SentinelConfiguration {
        SentinelConfiguration(
            sentinels: ports.map { .tcp(host: "127.0.0.1", port: $0) }, masterName: "mymaster",
            connectTimeout: .milliseconds(500), readTimeout: .milliseconds(500), roleCheckInterval: interval)
    }

    static let base = SentinelResolverTests.base()

    /// The count of `reason`, looked up by its label (so this compiles where the label is new).
    static func failures(_ resolver: SentinelResolver, _ reason: String) -> UInt64? {
        SentinelResolver.FailureReason(rawValue: reason).map { resolver.statistics.failures[$0] ?? 0 }
    }

    /// The auditor's case: S1 names the replica, S2 (a real sentinel) the master. The client reads
    /// from the master through S2 in the first round; before, S1's answer won every round and the
    /// exporter stayed down with S2 never asked.
    @Test func aSentinelNamingAReplicaIsCountedAndTheNextOneAskedInTheSameRound() throws {
        let (master, replica) = try SentinelResolverTests.replicated()
        _ = try master.command("SET", "where", "master")
        let stale = try FakeSentinel(naming: "127.0.0.1", port: replica.port)
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let resolver = SentinelResolver(configuration: Self.settings([stale.port, sentinel.port]))
        let client = RedisClient(configuration: Self.base, sentinel: resolver)
        #expect(try client.pipeline([redisCommand("GET", "where")]) == [.bulk(Array("master".utf8))])
        #expect(resolver.statistics.master == .tcp(host: "127.0.0.1", port: master.port))
        #expect(resolver.statistics.failures[.notMaster] == 1)
        #expect(stale.questions == 1)
    }

    /// S1 names a host that does not resolve, or a port nobody listens on: counted as
    /// `master_unreachable` (before: counted nowhere, and the exporter stayed down).
    @Test func aSentinelNamingAnUnreachableMasterIsCountedAndTheNextOneAsked() throws {
        let master = try RedisServer()
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let closed = try freePort()
        for (host, port) in [("nonexistent-host.invalid", UInt16(6379)), ("127.0.0.1", closed)] {
            let lying = try FakeSentinel(naming: host, port: port)
            let resolver = SentinelResolver(configuration: Self.settings([lying.port, sentinel.port]))
            let client = RedisClient(configuration: Self.base, sentinel: resolver)
            #expect(try client.pipeline([redisCommand("PING")]) == [.status("PONG")], "\(host):\(port)")
            #expect(resolver.statistics.master == .tcp(host: "127.0.0.1", port: master.port))
            #expect(Self.failures(resolver, "master_unreachable") == 1, "\(host):\(port)")
            #expect(resolver.statistics.failures.values.reduce(0, +) == 1, "\(resolver.statistics.failures)")
        }
    }

    /// When no sentinel names a usable master, the error names each one's problem.
    @Test func whenNoAnswerIsUsableTheErrorNamesEveryProblem() throws {
        let (_, replica) = try SentinelResolverTests.replicated()
        let stale = try FakeSentinel(naming: "127.0.0.1", port: replica.port)
        let lying = try FakeSentinel(naming: "127.0.0.1", port: try freePort())
        let resolver = SentinelResolver(configuration: Self.settings([stale.port, lying.port]))
        let client = RedisClient(configuration: Self.base, sentinel: resolver)
        do {
            _ = try client.pipeline([redisCommand("PING")])
            Issue.record("a replica or a closed port was accepted as the master")
        } catch {
            #expect("\(error)".contains("not master"), "\(error)")
            #expect("\(error)".contains("127.0.0.1:\(lying.port)"), "\(error)")
        }
        #expect(resolver.statistics.master == nil)
        #expect(resolver.statistics.failures[.notMaster] ?? 0 >= 1)
    }

    /// S1 is silent (accepts, never answers): the first round pays its connect timeout once; S2,
    /// whose answer led to the master, is asked first from then on, by the periodic checks and by
    /// a new client's connect alike. Before, every check waited out S1 again (the auditor saw
    /// poll_duration alternate 0.0005 s / 5.03 s every 8 s).
    @Test func theSentinelThatLedToTheMasterIsAskedFirstFromThenOn() throws {
        let master = try RedisServer()
        let silent = try SilentListener()
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let resolver = SentinelResolver(
            configuration: Self.settings([silent.port, sentinel.port], checkEvery: .milliseconds(100)))
        let client = RedisClient(configuration: Self.base, sentinel: resolver)
        #expect(try client.pipeline([redisCommand("PING")]) == [.status("PONG")])
        #expect(resolver.statistics.failures[.unreachable] == 1)
        for _ in 0..<5 {
            usleep(150_000)
            #expect(try client.pipeline([redisCommand("PING")]) == [.status("PONG")])
        }
        let second = RedisClient(configuration: Self.base, sentinel: resolver)
        #expect(try second.pipeline([redisCommand("PING")]) == [.status("PONG")])
        #expect(resolver.statistics.failures[.unreachable] == 1, "the silent sentinel was asked again")
        #expect(resolver.statistics.master == .tcp(host: "127.0.0.1", port: master.port))
    }

    /// A round has one deadline (twice connect + read timeout by default): six silent sentinels
    /// cost four connect timeouts here, not six, and the error says which were skipped.
    @Test func aRoundOfSilentSentinelsEndsAtItsDeadline() throws {
        let silent = try (0..<6).map { _ in try SilentListener() }
        let resolver = SentinelResolver(configuration: Self.settings(silent.map(\.port)))
        do {
            _ = try resolver.askSentinels()
            Issue.record("silent sentinels gave an answer")
        } catch {
            #expect("\(error)".contains("round deadline"), "\(error)")
        }
        let asked = resolver.statistics.failures[.unreachable] ?? 0
        #expect(asked >= 3 && asked <= 4, "\(asked) sentinels asked in a 2 s round of 0.5 s connect timeouts")
    }

    /// The client is on the master M, confirmed by S1; then S1 turns stale and names the replica.
    /// The periodic check counts S1's answer, asks S2 (real, naming M) and keeps the same working
    /// connection. Before, S1's disagreement alone dropped it, and the reconnect trusted S1 again:
    /// down for good.
    @Test func thePeriodicCheckKeepsAVerifiedMasterWhenOneSentinelNamesAReplica() throws {
        let (master, replica) = try SentinelResolverTests.replicated()
        let first = try FakeSentinel(naming: "127.0.0.1", port: master.port)
        let sentinel = try RedisSentinel(masterName: "mymaster", masterPort: master.port)
        let resolver = SentinelResolver(
            configuration: Self.settings([first.port, sentinel.port], checkEvery: .milliseconds(100)))
        let client = RedisClient(configuration: Self.base, sentinel: resolver)
        let id = try client.pipeline([redisCommand("CLIENT", "ID")])
        first.name("127.0.0.1", port: replica.port)
        for _ in 0..<5 {
            usleep(150_000)
            #expect(try client.pipeline([redisCommand("CLIENT", "ID")]) == id, "the master connection was dropped")
        }
        #expect(resolver.statistics.failures[.notMaster] ?? 0 >= 1)
        #expect(first.questions >= 2)
        #expect(resolver.statistics.master == .tcp(host: "127.0.0.1", port: master.port))
        #expect(resolver.statistics.failovers == 0)
        #expect(client.consecutiveFailures == 0)
    }
}
