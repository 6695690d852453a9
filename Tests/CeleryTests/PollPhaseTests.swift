import Logging
import Redis
import Testing

@testable import Celery

private let t0 = 1_795_625_000.0

/// The kind of work a round does, as the fake Redis below charges it: each kind costs a distinct
/// number of (fake) seconds, so a phase's time says exactly which rounds ran in it.
private enum RoundKind: Double {
    case discovery = 1  // SCAN, SMEMBERS
    case mainRound = 10  // LLEN, ZCARD, ZCOUNT, ZRANGE
    case unackedRead = 100  // HSTRLEN, HMGET, slices of `unacked` values ("h")
    case tailRead = 1_000  // LINDEX, slices of list tails ("l", "p")
    case free = 0  // SCRIPT LOAD: whichever stage needs it first

    init(_ round: [RedisCommand]) {
        let c = round[0]
        switch String(decoding: c[0], as: UTF8.self) {
        case "SCAN", "SMEMBERS": self = .discovery
        case "LLEN", "ZCARD", "ZCOUNT", "ZRANGE": self = .mainRound
        case "HSTRLEN", "HMGET": self = .unackedRead
        case "LINDEX": self = .tailRead
        case "EVALSHA_RO", "EVALSHA": self = c[4] == b("h") ? .unackedRead : .tailRead
        default: self = .free
        }
    }
}

/// A ``FakeRedis`` whose every round advances a manual monotonic clock by the cost of its kind:
/// a slow Redis for exactly the rounds a test chooses, with no real waiting.
private final class SlowRedis: RedisCommandExecuting {
    let inner = FakeRedis()
    let clock = ManualClock(500)
    /// Fake seconds each kind of round takes; kinds not listed take none.
    var slow: Set<RoundKind>
    /// Fake seconds charged so far, by kind.
    private(set) var charged: [RoundKind: Double] = [:]

    init(slow: Set<RoundKind>) { self.slow = slow }

    func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        let kind = RoundKind(commands)
        if slow.contains(kind) {
            clock.now += kind.rawValue
            charged[kind, default: 0] += kind.rawValue
        }
        return try inner.pipeline(commands)
    }

    func takeCharged() -> [RoundKind: Double] {
        defer { charged = [:] }
        return charged
    }
}

/// Seeds one bound queue with a waiting message and one unacked task.
private func seed(_ redis: FakeRedis, unackedTag: String) {
    redis.sets[b("_kombu.binding.celery")] = [b("celery") + sep + sep + b("celery")]
    redis.lists[b("celery")] = 1
    redis.listTails[b("celery")] = b(celeryMessage(tag: "waiting"))
    addUnacked(redis, tag: unackedTag)
}

private func addUnacked(_ redis: FakeRedis, tag: String) {
    redis.zsets[b("unacked_index"), default: [:]][b(tag)] = t0 - 5
    redis.hashes[b("unacked"), default: [:]][b(tag)] = b(unackedValue(tag: tag))
}

private func sampler(_ redis: SlowRedis, census: Bool) -> Sampler {
    var configuration = CeleryConfiguration(queues: [], discoverQueues: true)
    configuration.censusEnabled = census
    let sampler = Sampler(configuration: configuration, logger: Logger(label: "test"))
    sampler.monotonicClock = { redis.clock.now }
    return sampler
}

private func sum(_ phases: PollPhases) -> Double {
    PollPhase.allCases.reduce(0) { $0 + phases[$1] }
}

@Suite struct PollPhaseTests {
    @Test func aSlowDiscoveryIsChargedToDiscoveryOnly() throws {
        let redis = SlowRedis(slow: [.discovery])
        seed(redis.inner, unackedTag: "t1")
        let s = sampler(redis, census: false)

        let first = s.poll(using: redis, now: t0)
        #expect(first.succeeded && first.sampled?.discoveryRan == true)
        let discovery = try #require(redis.takeCharged()[.discovery])
        #expect(discovery >= 2, "a SCAN round and an SMEMBERS round")
        #expect(first.sampled?.phases[.discovery] == discovery)
        for phase in PollPhase.allCases where phase != .discovery {
            #expect(first.sampled?.phases[phase] == 0, "\(phase) charged with discovery's time")
        }
        #expect(first.pollDuration == discovery)

        // Not due a second later: discovery reads 0, and the poll costs nothing slow.
        let second = s.poll(using: redis, now: t0 + 1)
        #expect(second.succeeded && second.sampled?.discoveryRan == false)
        #expect(second.sampled?.phases == PollPhases())
        #expect(second.pollDuration == 0)
    }

    @Test func everyPhaseIsChargedWithItsOwnRounds() throws {
        let redis = SlowRedis(slow: [.discovery, .mainRound, .unackedRead, .tailRead])
        seed(redis.inner, unackedTag: "t1")
        let s = sampler(redis, census: true)
        let census = try #require(s.census)

        let first = s.poll(using: redis, now: t0)
        #expect(first.succeeded)
        var charged = redis.takeCharged()
        #expect(first.sampled?.phases[.discovery] == charged[.discovery])
        #expect(first.sampled?.phases[.queues] == RoundKind.mainRound.rawValue, "one main round")
        #expect(first.sampled?.phases[.unacked] == charged[.unackedRead] && (first.sampled?.phases[.unacked] ?? 0) > 0)
        #expect(first.sampled?.phases[.tails] == charged[.tailRead] && (first.sampled?.phases[.tails] ?? 0) > 0)
        #expect(first.sampled?.phases[.foldIn] == 0, "no census pass yet")
        #expect(first.sampled?.phases[.rules] == 0, "the exporter's to fill in")
        #expect(sum(first.sampled?.phases ?? PollPhases()) == first.pollDuration)

        // A census pass finds the binding table: the next poll reads it while folding the census
        // in, and a new unacked task is classified. Discovery is not due.
        let pass = try census.runPass(using: redis.inner, clock: { t0 + 2 }, pace: { _ in false })
        #expect(pass != .stopped)
        addUnacked(redis.inner, tag: "t2")
        let second = s.poll(using: redis, now: t0 + 2)
        #expect(second.succeeded && second.sampled?.discoveryRan == false && second.sampled?.census != nil)
        charged = redis.takeCharged()
        #expect(second.sampled?.phases[.discovery] == 0)
        #expect(second.sampled?.phases[.foldIn] == charged[.discovery], "the census's binding tables (SMEMBERS)")
        #expect((second.sampled?.phases[.foldIn] ?? 0) > 0)
        #expect(second.sampled?.phases[.queues] == RoundKind.mainRound.rawValue)
        #expect(
            second.sampled?.phases[.unacked] == charged[.unackedRead] && (second.sampled?.phases[.unacked] ?? 0) > 0)
        #expect(second.sampled?.phases[.tails] == charged[.tailRead] && (second.sampled?.phases[.tails] ?? 0) > 0)
        #expect(sum(second.sampled?.phases ?? PollPhases()) == second.pollDuration)
    }

    @Test func aFailedPollReportsNoPhases() {
        let redis = SlowRedis(slow: [.discovery, .mainRound])
        seed(redis.inner, unackedTag: "t1")
        redis.inner.failWhen = { $0.first == b("LLEN") }
        let s = sampler(redis, census: false)
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.failure?.stage == .queues)
        #expect(snap.sampled == nil, "no phases on a failed poll")
        #expect(snap.pollDuration == redis.takeCharged().values.reduce(0, +), "the time until it failed")
    }
}
