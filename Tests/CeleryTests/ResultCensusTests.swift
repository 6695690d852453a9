import Logging
import Redis
import Testing

@testable import Celery

private let t0 = 1_795_625_000.0

/// Meta values as Celery stores them.
enum Meta {
    static func success(_ id: String) -> String {
        #"{"status": "SUCCESS", "result": 5, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.098057+00:00", "task_id": "\#(id)"}"#
    }
    static func failure(_ id: String) -> String {
        #"{"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["boom!"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n ValueError: boom!\n", "children": [], "date_done": "2026-11-25T16:48:16.1+00:00", "task_id": "\#(id)"}"#
    }
    static func workerLost(_ id: String) -> String {
        #"{"status": "FAILURE", "result": {"exc_type": "WorkerLostError", "exc_message": ["Worker exited prematurely: signal 9 (SIGKILL) Job: 1."], "exc_module": "billiard.exceptions"}, "traceback": null, "children": [], "date_done": "2026-11-25T16:48:16.1+00:00", "task_id": "\#(id)"}"#
    }
    static func started(_ id: String, host: String = "w1@vm") -> String {
        #"{"status": "STARTED", "result": {"pid": 14240, "hostname": "\#(host)"}, "traceback": null, "children": [], "date_done": null, "task_id": "\#(id)"}"#
    }
    static func retry(_ id: String) -> String {
        #"{"status": "RETRY", "result": {"exc_type": "RuntimeError", "exc_message": ["try again"], "exc_module": "builtins"}, "traceback": "Traceback", "children": [], "date_done": null, "task_id": "\#(id)"}"#
    }
}

private func meta(_ redis: FakeRedis, _ id: String, _ value: String, ttl: Int64? = 86_400_000, prefix: String = "") {
    let key = b(prefix + "celery-task-meta-" + id)
    redis.strings[key] = b(value)
    redis.ttls[key] = ttl
}

private func censusSampler(
    prefix: String = "", resultExpires: Double = 86_400, discover: Bool = false, interval: Double = 300
) -> Sampler {
    Sampler(
        configuration: CeleryConfiguration(
            queues: ["celery"], keyPrefix: prefix, discoverQueues: discover, resultExpires: resultExpires,
            censusInterval: interval),
        logger: Logger(label: "test"))
}

/// A clock the tests move by hand.
final class ManualClock {
    var now: Double
    init(_ now: Double) { self.now = now }
}

/// Runs one whole pass without sleeping (the clock advances by each requested pause).
@discardableResult
/// One census pass whose pacing sleeps move `clock` on at once; throws what the pass throws.
private func runPass(_ census: ResultCensus, _ redis: FakeRedis, clock: ManualClock) throws
    -> ResultCensus.PassOutcome
{
    try census.runPass(
        using: redis, clock: { clock.now },
        pace: {
            clock.now += $0
            return false
        })
}

/// `runPass`, nil when the pass throws.
private func pass(_ census: ResultCensus, _ redis: FakeRedis, clock: ManualClock) -> ResultCensus.PassOutcome? {
    try? runPass(census, redis, clock: clock)
}

private func channel(_ id: String, prefix: String = "") -> [UInt8] { b(prefix + "celery-task-meta-" + id) }

@Suite struct ResultCensusTests {
    @Test func countsArePublishedOnlyWhenAFullPassCompletes() throws {
        let redis = FakeRedis()
        redis.scanPageSize = 2
        for i in 0..<4 { meta(redis, "s\(i)", Meta.success("s\(i)")) }
        meta(redis, "f0", Meta.failure("f0"))
        meta(redis, "f1", Meta.workerLost("f1"))
        meta(redis, "r0", Meta.retry("r0"))
        redis.strings[b("celery-taskset-meta-g1")] = b("{}")  // groups are not counted
        redis.lists[b("celery")] = 1  // other keys share the keyspace
        let s = censusSampler()
        let census = try #require(s.census)
        let clock = ManualClock(t0)
        // A pass stopped after its first SCAN publishes nothing: never partial counts.
        #expect(try census.runPass(using: redis, clock: { clock.now }, pace: { _ in true }) == .stopped)
        #expect(census.snapshot(now: t0) == nil)
        #expect(s.poll(using: redis, now: t0).sampled?.census == nil)
        clock.now = t0 + 10
        #expect(pass(census, redis, clock: clock) == .completed)
        let snap = s.poll(using: redis, now: clock.now)
        let counts = try #require(snap.sampled?.census)
        #expect(counts.metaKeys[.success] == 4)
        #expect(counts.metaKeys[.failure] == 2)
        #expect(counts.metaKeys[.retry] == 1)
        #expect(counts.metaKeys[.started] == 0)
        #expect(counts.workerLostKeys == 1)
        #expect(counts.passesCompleted == 1)
        #expect(counts.trackedKeys == 7)
        #expect(counts.lastCompleteTimestamp == clock.now)
        // The stopped pass's marks carried over, so the completed pass counts from its start.
        #expect(counts.passDuration == clock.now - t0)
        // DBSIZE 9 at COUNT 1000: one call expected, one 45 s slot; the 4 extra calls (the fake
        // pages by 2) are limited only by the duty cycle.
        #expect(clock.now - (t0 + 10) < 45.5)
        let scans = redis.commands(named: "SCAN")
        #expect(scans.count == 1 + 5)
        #expect(scans.allSatisfy { $0[2...] == [b("MATCH"), b("celery-task-meta-*"), b("COUNT"), b("1000")][...] })
        #expect(redis.commands(named: "PTTL").count == redis.commands(named: "GETRANGE").count)
        #expect(redis.commands(named: "GET").isEmpty, "never an unbounded read")
        // The poll itself sends no census command.
        #expect(redis.rounds.last?.contains { $0[0] == b("SCAN") || $0[0] == b("DBSIZE") } == false)

        // Second pass: terminal keys are not fetched again; the RETRY one is.
        let gets = redis.commands(named: "GETRANGE").count
        pass(census, redis, clock: clock)
        #expect(redis.commands(named: "GETRANGE").dropFirst(gets).map { $0[1] } == [b("celery-task-meta-r0")])
        #expect(census.snapshot(now: clock.now)?.passesCompleted == 2)
        #expect(census.snapshot(now: clock.now)?.metaKeys[.success] == 4)
    }

    @Test func passesAreSpreadEvenlyNeverABurst() throws {
        let redis = FakeRedis()
        redis.scanPageSize = 10
        for i in 0..<100 { meta(redis, "k\(i)", Meta.success("k\(i)")) }
        // DBSIZE 100 at COUNT 10: 10 calls expected over min(45, 0.8 × 20) = 16 s → 1.6 s apart.
        let census = try #require(
            Sampler(
                configuration: CeleryConfiguration(
                    queues: ["celery"], discoverQueues: false, censusInterval: 20, censusScanCount: 10),
                logger: Logger(label: "test")
            ).census)
        let clock = ManualClock(t0)
        var pauses: [Double] = []
        _ = try census.runPass(
            using: redis, clock: { clock.now },
            pace: {
                pauses.append($0)
                clock.now += $0
                return false
            })
        #expect(pauses.count == 9)
        #expect(pauses.allSatisfy { abs($0 - 1.6) < 1e-6 }, "\(pauses)")
        #expect(census.snapshot(now: clock.now)?.passDuration ?? 0 > 14)
    }

    /// Issue 9 (audit): a server whose `SCAN` cursor never returns to 0 kept one pass walking for
    /// ever (paced, so only lost counts, but never a complete pass and no sign of why).
    @Test func aScanThatNeverEndsIsAbandonedAndCounted() throws {
        let redis = FakeRedis()
        redis.override = { command in
            command.first == b("SCAN") ? .array([.bulk(b("7")), .array([])]) : nil
        }
        let census = ResultCensus(
            configuration: CeleryConfiguration(discoverQueues: false), layout: KombuKeyLayout(), epoch: t0)
        let clock = ManualClock(t0)
        #expect(throws: ResultCensusError.scanDidNotEnd(calls: 10_010)) { try runPass(census, redis, clock: clock) }
        #expect(census.snapshot(now: clock.now) == nil)
    }

    /// `DBSIZE` refused (an ACL without `+dbsize`) reads 0: the bound must not then cut a long
    /// walk of a real keyspace short (20,000 calls here, past 10 × 1 + 10,000).
    @Test func aRefusedKeyspaceSizeDoesNotCutALongPassShort() throws {
        let redis = FakeRedis()
        redis.override = { command in
            if command.first == b("DBSIZE") { return .error("NOPERM this user has no permissions to run 'dbsize'") }
            guard command.first == b("SCAN"), let cursor = Int(String(decoding: command[1], as: UTF8.self)) else {
                return nil
            }
            return .array([.bulk(b(cursor + 1 >= 20_000 ? "0" : String(cursor + 1))), .array([])])
        }
        let census = ResultCensus(
            configuration: CeleryConfiguration(discoverQueues: false), layout: KombuKeyLayout(), epoch: t0)
        #expect(try runPass(census, redis, clock: ManualClock(t0)) == .completed)
    }

    @Test func vanishedKeysStopCountingAndChangedStatesAreSeen() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "a", Meta.success("a"))
        meta(redis, "b", Meta.success("b"))
        meta(redis, "r", Meta.retry("r"))
        let s = censusSampler()
        let clock = ManualClock(t0)
        pass(s.census!, redis, clock: clock)
        #expect(s.poll(using: redis, now: t0).sampled?.census?.metaKeys[.success] == 2)
        redis.strings[b("celery-task-meta-a")] = nil  // forget(): DEL, and no message is published
        meta(redis, "r", Meta.success("r"))  // the retry finished while nobody listened
        #expect(s.poll(using: redis, now: t0 + 15).sampled?.census?.metaKeys[.success] == 2, "unseen until a pass")
        pass(s.census!, redis, clock: clock)
        let next = s.poll(using: redis, now: t0 + 15).sampled?.census
        #expect(next?.metaKeys[.success] == 2)
        #expect(next?.metaKeys[.retry] == 0)
        #expect(next?.trackedKeys == 2)
        #expect(next?.vanishedInPasses == 1)
        #expect(s.censusTrackedKeys == 2)
    }

    @Test func keyVanishingBetweenScanAndReadIsNotCounted() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "a", Meta.success("a"))
        meta(redis, "gone", Meta.success("gone"))
        redis.override = { command in
            guard command.count > 1, command[1] == b("celery-task-meta-gone") else { return nil }
            return command[0] == b("PTTL") ? .integer(-2) : .bulk([])
        }
        let s = censusSampler()
        pass(s.census!, redis, clock: ManualClock(t0))
        let census = s.census!.snapshot(now: t0)
        #expect(census?.metaKeys[.success] == 1)
        #expect(census?.trackedKeys == 1)
    }

    @Test func startedIsRecheckedAndAgedFromPTTLOrFirstSeen() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        // Started 600 s ago: PTTL = (86400 − 600) s.
        meta(redis, "st", Meta.started("st"), ttl: (86_400 - 600) * 1000)
        // No TTL (result_expires=None): first seen only.
        meta(redis, "nottl", Meta.started("nottl", host: "w2@vm"), ttl: nil)
        let s = censusSampler()
        let clock = ManualClock(t0)
        pass(s.census!, redis, clock: clock)
        let first = s.poll(using: redis, now: t0)
        #expect(first.sampled?.census?.metaKeys[.started] == 2)
        #expect(first.sampled?.census?.startedTracked == 2)
        #expect(first.sampled?.census?.startedOldestAge == 600)
        // STARTED keys are fetched again every pass; the task finished meanwhile.
        meta(redis, "st", Meta.success("st"))
        clock.now = t0 + 15
        pass(s.census!, redis, clock: clock)
        let second = s.poll(using: redis, now: t0 + 15)
        #expect(second.sampled?.census?.metaKeys[.started] == 1)
        #expect(second.sampled?.census?.metaKeys[.success] == 1)
        #expect(second.sampled?.census?.startedOldestAge == 15, "the no-TTL meta, first seen at t0")
        // Without a liveWorkers set, orphans are unknown; with one, hostnames not in it count.
        #expect(second.sampled?.orphanedStartedTasks == nil)
        #expect(s.poll(using: redis, now: t0 + 16, liveWorkers: ["w2@vm"]).sampled?.orphanedStartedTasks == 0)
        #expect(s.poll(using: redis, now: t0 + 17, liveWorkers: ["w1@vm"]).sampled?.orphanedStartedTasks == 1)
    }

    @Test func orphansIncludeStrandedUnackedOnlyWhenNoWorkerIsAlive() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "st", Meta.started("st", host: "w1@vm"))
        redis.zsets[b("unacked_index")] = [b("t1"): t0 - 4_000, b("t2"): t0 - 10]
        redis.hashes[b("unacked")] = [b("t1"): b(unackedValue(tag: "t1")), b("t2"): b(unackedValue(tag: "t2"))]
        let s = censusSampler()
        // Unknown until the first pass completes (the STARTED index would be partial).
        #expect(s.poll(using: redis, now: t0, liveWorkers: []).sampled?.orphanedStartedTasks == nil)
        pass(s.census!, redis, clock: ManualClock(t0))
        // 1 STARTED + 1 stranded
        #expect(s.poll(using: redis, now: t0, liveWorkers: []).sampled?.orphanedStartedTasks == 2)
        #expect(s.poll(using: redis, now: t0 + 1, liveWorkers: ["w9@vm"]).sampled?.orphanedStartedTasks == 1)
        #expect(s.poll(using: redis, now: t0 + 2, liveWorkers: ["w1@vm"]).sampled?.orphanedStartedTasks == 0)
        // Census off: only the stranded half.
        let off = Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
        #expect(off.census == nil)
        #expect(off.poll(using: redis, now: t0, liveWorkers: []).sampled?.orphanedStartedTasks == 1)
        #expect(off.poll(using: redis, now: t0, liveWorkers: nil).sampled?.orphanedStartedTasks == nil)
        #expect(off.poll(using: redis, now: t0).sampled?.census == nil)
    }

    @Test func garbageAndWrongTypesCountAsUnknown() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "notjson", "<html>")
        meta(redis, "nostatus", #"{"result": 1}"#)
        meta(redis, "numstatus", #"{"status": 3}"#)
        meta(redis, "custom", #"{"status": "PROGRESS", "result": {"done": 3}}"#)
        redis.hashes[b("celery-task-meta-hash")] = [b("f"): b("v")]  // GETRANGE → WRONGTYPE
        let s = censusSampler()
        pass(s.census!, redis, clock: ManualClock(t0))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.sampled?.census?.metaKeys[.unknown] == 4)
        #expect(snap.sampled?.census?.metaKeys[.other] == 1)
        #expect(snap.sampled?.commandErrors == [.census: 1], "errors on the census thread reach the next poll")
        #expect(snap.succeeded)
        #expect(s.poll(using: redis, now: t0 + 1).sampled?.commandErrors.isEmpty == true, "counted once")
    }

    @Test func transportFailureAbandonsThePassAndTheNextOneIsComplete() throws {
        let redis = FakeRedis()
        redis.scanPageSize = 1
        for i in 0..<3 { meta(redis, "k\(i)", Meta.success("k\(i)")) }
        let s = censusSampler()
        let census = try #require(s.census)
        let clock = ManualClock(t0)
        redis.failWhen = { $0[0] == b("GETRANGE") && $0[1] == b("celery-task-meta-k1") }
        #expect(throws: FakeTransportError.self) { try runPass(census, redis, clock: clock) }
        #expect(census.snapshot(now: clock.now) == nil)
        redis.failWhen = nil
        pass(census, redis, clock: clock)
        #expect(census.snapshot(now: clock.now)?.metaKeys[.success] == 3)
        // A later pass abandoned midway drops nothing; the one after removes exactly what is gone.
        redis.strings[b("celery-task-meta-k2")] = nil
        redis.failWhen = { $0[0] == b("SCAN") && $0[1] == b("1") }
        #expect(throws: FakeTransportError.self) { try runPass(census, redis, clock: clock) }
        #expect(census.snapshot(now: clock.now)?.metaKeys[.success] == 3)
        redis.failWhen = nil
        pass(census, redis, clock: clock)
        #expect(census.snapshot(now: clock.now)?.metaKeys[.success] == 2)
    }

    @Test func prefixIsEscapedInThePattern() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "a", Meta.success("a"), prefix: "app[1]:")
        meta(redis, "b", Meta.success("b"))  // another deployment, unprefixed
        let s = censusSampler(prefix: "app[1]:")
        pass(s.census!, redis, clock: ManualClock(t0))
        #expect(s.census!.snapshot(now: t0)?.metaKeys[.success] == 1)
        #expect(redis.commands(named: "SCAN").first?[3] == b(#"app\[1\]:celery-task-meta-*"#))
        // Live writes of another deployment (unprefixed channel) are not ours.
        s.census!.record(channel: channel("c"), payload: b(Meta.success("c")), at: t0)
        s.census!.record(channel: channel("d", prefix: "app[1]:"), payload: b(Meta.success("d")), at: t0)
        #expect(s.census!.snapshot(now: t0)?.metaKeys[.success] == 2)
    }

    @Test func metaDecoding() {
        #expect(TaskMeta(bytes: b(Meta.started("x", host: "w3@h"))) == TaskMeta(state: .started, hostname: "w3@h"))
        #expect(TaskMeta(bytes: b(Meta.workerLost("x"))) == TaskMeta(state: .failure, workerLost: true))
        #expect(TaskMeta(bytes: b(Meta.failure("x"))) == TaskMeta(state: .failure))
        #expect(TaskMeta(bytes: b(#"{"status": "REVOKED"}"#)).state == .revoked)
        #expect(TaskMeta(bytes: b(#"{"status": "other"}"#)).state == .other)
        #expect(TaskMeta(bytes: b(#"{"status": "unknown"}"#)).state == .other)
        #expect(TaskMeta(bytes: b("[1]")).state == .unknown)
        #expect(TaskMetaState.allCases.allSatisfy { TaskMetaState(code: $0.code) == $0 })
        #expect(TaskMetaState.allCases.map(\.code) == Array(0..<UInt8(TaskMetaState.allCases.count)))
    }
}

/// Live result writes and predicted expiry, with explicit clocks (no sleeping).
@Suite struct CensusLiveUpdateTests {
    private func census(resultExpires: Double = 3_600, interval: Double = 300) -> (ResultCensus, FakeRedis) {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        let c = ResultCensus(
            configuration: CeleryConfiguration(
                discoverQueues: false, resultExpires: resultExpires, censusInterval: interval),
            layout: KombuKeyLayout(), epoch: t0)
        return (c, redis)
    }

    @Test func writesCountMoveAndRefreshTheTTL() throws {
        let (c, redis) = census()
        meta(redis, "old", Meta.success("old"), ttl: 100_000)  // expires at t0 + 100
        pass(c, redis, clock: ManualClock(t0))
        #expect(c.snapshot(now: t0)?.metaKeys[.success] == 1)

        // A new task: STARTED (track_started), then SUCCESS; each write is SETEX result_expires.
        c.record(channel: channel("n"), payload: b(Meta.started("n")), at: t0 + 10)
        var snap = try #require(c.snapshot(now: t0 + 10))
        #expect(snap.metaKeys[.started] == 1)
        #expect(snap.startedTracked == 1)
        #expect(snap.liveWrites == 1)
        c.record(channel: channel("n"), payload: b(Meta.success("n")), at: t0 + 40)
        snap = try #require(c.snapshot(now: t0 + 40))
        #expect(snap.metaKeys[.started] == 0)
        #expect(snap.metaKeys[.success] == 2)
        #expect(snap.startedTracked == 0)
        #expect(snap.trackedKeys == 2)
        let h = FNV1a.hash(channel("n"))
        #expect(c.shared.withLock { $0.table.expiry(of: h) } == t0 + 40 + 3_600, "TTL from the last write")

        // A retry of a known FAILURE… and a write to the key the pass knew: the TTL restarts.
        c.record(channel: channel("old"), payload: b(Meta.success("old")), at: t0 + 50)
        #expect(c.shared.withLock { $0.table.expiry(of: FNV1a.hash(channel("old"))) } == t0 + 50 + 3_600)
        #expect(c.snapshot(now: t0 + 50)?.metaKeys[.success] == 2, "a rewrite is not a new key")
    }

    @Test func predictedExpiryRemovesKeysWithoutAnyRedisCommand() throws {
        let (c, redis) = census(resultExpires: 60)
        meta(redis, "a", Meta.success("a"), ttl: 30_000)  // expires at t0 + 30
        meta(redis, "b", Meta.failure("b"), ttl: 90_500)  // expires at t0 + 90.5
        meta(redis, "forever", Meta.success("forever"), ttl: nil)  // result_expires=None
        pass(c, redis, clock: ManualClock(t0))
        c.record(channel: channel("live"), payload: b(Meta.workerLost("live")), at: t0 + 5)  // expires t0 + 65
        let commands = redis.commands.count
        c.tick(now: t0 + 29)
        #expect(c.snapshot(now: t0 + 29)?.trackedKeys == 4)
        c.tick(now: t0 + 30)
        var snap = try #require(c.snapshot(now: t0 + 30))
        #expect(snap.metaKeys[.success] == 1)
        #expect(snap.predictedExpiries == 1)
        c.tick(now: t0 + 65)
        snap = try #require(c.snapshot(now: t0 + 65))
        #expect(snap.metaKeys[.failure] == 1)
        #expect(snap.workerLostKeys == 0)
        c.tick(now: t0 + 91)
        snap = try #require(c.snapshot(now: t0 + 91))
        #expect(snap.metaKeys[.failure] == 0)
        #expect(snap.metaKeys[.success] == 1, "no TTL: never predicted to expire")
        c.tick(now: t0 + 1_000_000)
        #expect(c.snapshot(now: t0 + 1_000_000)?.trackedKeys == 1)
        #expect(redis.commands.count == commands, "expiry costs Redis nothing")
        // A live write to a no-TTL key keeps it without TTL (Celery writes all keys alike).
        c.record(channel: channel("forever"), payload: b(Meta.success("forever")), at: t0 + 1_000_001)
        #expect(c.shared.withLock { $0.table.expiry(of: FNV1a.hash(channel("forever"))) } == nil)
    }

    @Test func aLiveWriteDuringAFetchWinsOverTheFetchedValue() throws {
        let (c, redis) = census()
        meta(redis, "r", Meta.retry("r"))
        // The read answers RETRY, but the SUCCESS write lands while the round is in flight.
        redis.override = { command in
            if command[0] == b("GETRANGE") && command[1] == b("celery-task-meta-r") {
                c.record(channel: channel("r"), payload: b(Meta.success("r")), at: t0 + 1)
            }
            return nil
        }
        pass(c, redis, clock: ManualClock(t0))
        let snap = try #require(c.snapshot(now: t0 + 1))
        #expect(snap.metaKeys[.success] == 1)
        #expect(snap.metaKeys[.retry] == 0)
    }

    @Test func writesBeforeTheFirstPassArePublishedOnlyWithIt() throws {
        let (c, redis) = census()
        c.record(channel: channel("early"), payload: b(Meta.success("early")), at: t0)
        #expect(c.snapshot(now: t0) == nil)
        meta(redis, "early", Meta.success("early"))
        meta(redis, "other", Meta.failure("other"))
        pass(c, redis, clock: ManualClock(t0 + 1))
        let snap = try #require(c.snapshot(now: t0 + 1))
        #expect(snap.metaKeys[.success] == 1 && snap.metaKeys[.failure] == 1)
        #expect(snap.trackedKeys == 2)
    }

    @Test func reconciliationIsDueOnIntervalAndAtOnceAfterAResubscription() {
        let (c, redis) = census(interval: 300)
        #expect(c.passDue(now: t0), "the first pass starts at once")
        c.attachEventStream()
        c.eventStreamUp(at: t0)
        #expect(c.snapshot(now: t0) == nil)
        pass(c, redis, clock: ManualClock(t0))
        #expect(!c.passDue(now: t0 + 299))
        #expect(c.passDue(now: t0 + 300))
        // Subscriber lost: writes are missed, so passes come at least every 45 s.
        c.eventStreamDown(at: t0 + 10)
        #expect(c.passDue(now: t0 + 45))
        // Back: one pass at once (whatever was missed), then the 5-minute rhythm again.
        c.eventStreamUp(at: t0 + 20)
        #expect(c.passDue(now: t0 + 20))
        pass(c, redis, clock: ManualClock(t0 + 20))
        #expect(!c.passDue(now: t0 + 21))
        #expect(c.passDue(now: t0 + 320))
    }

    @Test func updatedTimestampSaysHowCurrentTheCountsAre() throws {
        let (c, redis) = census()
        meta(redis, "a", Meta.success("a"))
        // Events off (no listener): the counts are as of the end of the last pass.
        pass(c, redis, clock: ManualClock(t0))
        c.tick(now: t0 + 30)
        #expect(c.snapshot(now: t0 + 30)?.updatedTimestamp == t0)
        // Subscribed after that pass began: writes before the subscription may be missing.
        c.attachEventStream()
        c.eventStreamUp(at: t0 + 31)
        c.tick(now: t0 + 32)
        #expect(c.snapshot(now: t0 + 32)?.updatedTimestamp == t0)
        // After a pass that began while subscribed: current as of the census thread's last tick.
        pass(c, redis, clock: ManualClock(t0 + 33))
        c.tick(now: t0 + 40)
        #expect(c.snapshot(now: t0 + 40)?.updatedTimestamp == t0 + 40)
        #expect(c.snapshot(now: t0 + 40)?.lastCompleteTimestamp == t0 + 33)
        c.eventStreamDown(at: t0 + 41)
        c.tick(now: t0 + 42)
        #expect(c.snapshot(now: t0 + 42)?.updatedTimestamp == t0 + 33)
    }

    @Test func theLoopRunsPassesTicksAndStopsPromptly() {
        let (c, redis) = census(resultExpires: 60, interval: 30)
        meta(redis, "a", Meta.success("a"), ttl: 10_000)
        let clock = ManualClock(t0)
        var waits = 0
        c.run(
            using: redis, clock: { clock.now },
            wait: { seconds in
                #expect(seconds <= 1, "waits are sliced so a stop is seen within a second")
                waits += 1
                clock.now += max(seconds, 0.001)
                return clock.now >= t0 + 65  // the stop signal
            })
        let snap = c.snapshot(now: clock.now)
        #expect(snap?.passesCompleted == 3, "passes at t0, t0 + 30, t0 + 60")
        // The key expired at t0 + 10 by prediction, and the passes at t0 + 30, t0 + 60 agree
        // because the fake never expires it: they re-add it.
        #expect(snap?.metaKeys[.success] == 1)
        #expect(waits > 60)
    }
}

@Suite struct CensusDiscoveryTests {
    @Test func laterDiscoveriesRideOnTheCensusWalk() throws {
        let redis = FakeRedis()
        redis.scanPageSize = 2
        let sepBytes = sep
        func bind(_ q: String) { redis.sets[b("_kombu.binding." + q)] = [b(q) + sepBytes + sepBytes + b(q)] }
        bind("celery")
        redis.strings[b("celery-task-meta-a")] = b(Meta.success("a"))
        redis.sets[b("_kombu.binding.celeryev")] = [b("worker.#") + sep + sep + b("celeryev.x")]
        var configuration = CeleryConfiguration(censusInterval: 300)
        configuration.separateDiscoveryKeyspaceLimit = 0  // behave as on a large keyspace
        let s = Sampler(configuration: configuration, logger: Logger(label: "test"))
        let census = try #require(s.census)
        let first = s.poll(using: redis, now: t0)
        #expect(first.sampled?.discoveryRan == true)
        #expect(s.knownQueues == ["celery"])
        let discoveryScans = redis.commands(named: "SCAN").filter { $0.contains(b("MATCH")) }.count
        bind("late")
        for i in 1...10 {
            let snap = s.poll(using: redis, now: t0 + 60 * Double(i))
            #expect(snap.sampled?.discoveryRan == false, "no standalone discovery")
        }
        #expect(!s.knownQueues.contains("late"))
        // The census walks without MATCH; its pass hands the binding tables to the next poll.
        let clock = ManualClock(t0 + 600)
        pass(census, redis, clock: clock)
        #expect(redis.commands(named: "SCAN").filter { !$0.contains(b("MATCH")) }.count >= 1)
        _ = s.poll(using: redis, now: t0 + 601)
        #expect(s.knownQueues.contains("late"))
        #expect(redis.commands(named: "SCAN").filter { $0.contains(b("MATCH")) }.count == discoveryScans)
        #expect(s.poll(using: redis, now: t0 + 602).sampled?.census?.metaKeys[.success] == 1)
        // Without a completed census pass for 3 census intervals, the standalone discovery returns.
        #expect(s.poll(using: redis, now: t0 + 601 + 899).sampled?.discoveryRan == false)
        #expect(s.poll(using: redis, now: t0 + 601 + 900).sampled?.discoveryRan == true)
    }
}
