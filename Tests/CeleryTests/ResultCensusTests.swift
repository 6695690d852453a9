import Logging
import Redis
import Testing

@testable import Celery

private let t0 = 1_795_625_000.0

/// §4 meta values, literally.
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
    minCalls: Int = 1, maxCalls: Int = 2, maxGets: Int = 50_000, prefix: String = "", resultExpires: Double = 86_400
) -> Sampler {
    Sampler(
        configuration: CeleryConfiguration(
            queues: ["celery"], keyPrefix: prefix, discoverQueues: false, resultExpires: resultExpires,
            censusMinScanCallsPerPoll: minCalls, censusMaxScanCallsPerPoll: maxCalls, censusMaxGetsPerPoll: maxGets),
        logger: Logger(label: "test"))
}

@Suite struct ResultCensusTests {
    @Test func countsArePublishedOnlyWhenAFullPassCompletes() {
        let redis = FakeRedis()
        redis.scanPageSize = 2
        for i in 0..<4 { meta(redis, "s\(i)", Meta.success("s\(i)")) }
        meta(redis, "f0", Meta.failure("f0"))
        meta(redis, "f1", Meta.workerLost("f1"))
        meta(redis, "r0", Meta.retry("r0"))
        redis.strings[b("celery-taskset-meta-g1")] = b("{}")  // groups are not counted
        redis.lists[b("celery")] = 1  // other keys share the keyspace
        // 10 keys at 2 per SCAN page = 5 SCAN calls; budget 2 per poll → 3 polls.
        let s = censusSampler()
        var snaps: [Snapshot] = []
        for i in 0..<3 { snaps.append(s.poll(using: redis, now: t0 + 15 * Double(i))) }
        #expect(snaps[0].census == nil && snaps[1].census == nil, "never partial counts")
        let census = try! #require(snaps[2].census)
        #expect(census.metaKeys[.success] == 4)
        #expect(census.metaKeys[.failure] == 2)
        #expect(census.metaKeys[.retry] == 1)
        #expect(census.metaKeys[.started] == 0)
        #expect(census.workerLostKeys == 1)
        #expect(census.lastCompleteTimestamp == t0 + 30)
        #expect(census.passDuration == 30)
        #expect(census.passesCompleted == 1)
        #expect(census.trackedKeys == 7)
        let scans = redis.commands(named: "SCAN")
        #expect(scans.count == 5)
        #expect(scans.allSatisfy { $0[2...] == [b("MATCH"), b("celery-task-meta-*"), b("COUNT"), b("1000")][...] })
        #expect(redis.commands(named: "GET").count == 7)

        // Second pass: terminal keys are not fetched again; the RETRY one is.
        let gets = redis.commands(named: "GET").count
        for i in 3..<6 { snaps.append(s.poll(using: redis, now: t0 + 15 * Double(i))) }
        #expect(redis.commands(named: "GET").dropFirst(gets).map { $0[1] } == [b("celery-task-meta-r0")])
        #expect(snaps[5].census?.passesCompleted == 2)
        #expect(snaps[5].census?.metaKeys[.success] == 4)
        // Between passes, the last complete counts stay published.
        #expect(snaps[3].census?.metaKeys[.success] == 4)
    }

    @Test func vanishedKeysStopCountingAndChangedStatesAreSeen() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "a", Meta.success("a"))
        meta(redis, "b", Meta.success("b"))
        meta(redis, "r", Meta.retry("r"))
        let s = censusSampler()
        #expect(s.poll(using: redis, now: t0).census?.metaKeys[.success] == 2)
        redis.strings[b("celery-task-meta-a")] = nil  // TTL expiry / forget()
        meta(redis, "r", Meta.success("r"))  // the retry finished
        let next = s.poll(using: redis, now: t0 + 15).census
        #expect(next?.metaKeys[.success] == 2)
        #expect(next?.metaKeys[.retry] == 0)
        #expect(next?.trackedKeys == 2)
        #expect(s.censusTrackedKeys == 2)
    }

    @Test func keyVanishingBetweenScanAndGetIsNotCounted() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "a", Meta.success("a"))
        meta(redis, "gone", Meta.success("gone"))
        redis.override = { $0[0] == b("GET") && $0[1] == b("celery-task-meta-gone") ? .null : nil }
        let census = censusSampler().poll(using: redis, now: t0).census
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
        let first = s.poll(using: redis, now: t0)
        #expect(first.census?.metaKeys[.started] == 2)
        #expect(first.census?.startedTracked == 2)
        #expect(first.census?.startedOldestAge == 600)
        #expect(redis.commands(named: "PTTL").count == 2)
        // STARTED keys are fetched again every pass; the task finished meanwhile.
        meta(redis, "st", Meta.success("st"))
        let second = s.poll(using: redis, now: t0 + 15)
        #expect(second.census?.metaKeys[.started] == 1)
        #expect(second.census?.metaKeys[.success] == 1)
        #expect(second.census?.startedOldestAge == 15, "the no-TTL meta, first seen at t0")
        // Without a liveWorkers set, orphans are unknown; with one, hostnames not in it count.
        #expect(second.orphanedStartedTasks == nil)
        #expect(s.poll(using: redis, now: t0 + 16, liveWorkers: ["w2@vm"]).orphanedStartedTasks == 0)
        #expect(s.poll(using: redis, now: t0 + 17, liveWorkers: ["w1@vm"]).orphanedStartedTasks == 1)
    }

    @Test func pttlEstimateAndFirstSeenTakeTheLargerAge() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        // result_expires 3600 and PTTL 3500 s: the estimate says it started 100 s ago.
        meta(redis, "x", Meta.started("x"), ttl: 3_500_000)
        let s = censusSampler(resultExpires: 3_600)
        #expect(s.poll(using: redis, now: t0).census?.startedOldestAge == 100)
        // Rewritten (a duplicate run re-wrote STARTED, D6): the TTL restarts, so the estimate says
        // "just now"; first seen (t0) is the larger lower bound and wins.
        redis.ttls[b("celery-task-meta-x")] = 3_600_000
        #expect(s.poll(using: redis, now: t0 + 500).census?.startedOldestAge == 500)
    }

    @Test func orphansIncludeStrandedUnackedOnlyWhenNoWorkerIsAlive() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "st", Meta.started("st", host: "w1@vm"))
        redis.zsets[b("unacked_index")] = [b("t1"): t0 - 4_000, b("t2"): t0 - 10]
        let s = censusSampler()
        #expect(s.poll(using: redis, now: t0, liveWorkers: []).orphanedStartedTasks == 2)  // 1 STARTED + 1 stranded
        #expect(s.poll(using: redis, now: t0 + 1, liveWorkers: ["w9@vm"]).orphanedStartedTasks == 1)
        #expect(s.poll(using: redis, now: t0 + 2, liveWorkers: ["w1@vm"]).orphanedStartedTasks == 0)
        // Census off: only the stranded half.
        let off = Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
        #expect(off.poll(using: redis, now: t0, liveWorkers: []).orphanedStartedTasks == 1)
        #expect(off.poll(using: redis, now: t0, liveWorkers: nil).orphanedStartedTasks == nil)
        #expect(off.poll(using: redis, now: t0).census == nil)
    }

    @Test func orphansAreUnknownUntilTheFirstPassCompletes() {
        let redis = FakeRedis()
        redis.scanPageSize = 1
        for i in 0..<5 { meta(redis, "s\(i)", Meta.started("s\(i)", host: "dead@vm")) }
        let s = censusSampler(maxCalls: 2)
        #expect(s.poll(using: redis, now: t0, liveWorkers: []).orphanedStartedTasks == nil)
        #expect(s.poll(using: redis, now: t0 + 1, liveWorkers: []).orphanedStartedTasks == nil)
        #expect(s.poll(using: redis, now: t0 + 2, liveWorkers: []).orphanedStartedTasks == 5)
    }

    @Test func garbageAndWrongTypesCountAsUnknown() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "notjson", "<html>")
        meta(redis, "nostatus", #"{"result": 1}"#)
        meta(redis, "numstatus", #"{"status": 3}"#)
        meta(redis, "custom", #"{"status": "PROGRESS", "result": {"done": 3}}"#)
        redis.hashes[b("celery-task-meta-hash")] = [b("f"): b("v")]  // GET → WRONGTYPE
        let snap = censusSampler().poll(using: redis, now: t0)
        #expect(snap.census?.metaKeys[.unknown] == 4)
        #expect(snap.census?.metaKeys[.other] == 1)
        #expect(snap.commandErrors == [.census: 1])
        #expect(snap.succeeded)
    }

    @Test func getBudgetSpreadsTheFirstPass() {
        let redis = FakeRedis()
        redis.scanPageSize = 3
        for i in 0..<9 { meta(redis, "k\(i)", Meta.success("k\(i)")) }
        let s = censusSampler(maxCalls: 100, maxGets: 3)
        #expect(s.poll(using: redis, now: t0).census == nil)
        #expect(redis.commands(named: "GET").count == 3)
        #expect(s.poll(using: redis, now: t0 + 1).census == nil)
        #expect(s.poll(using: redis, now: t0 + 2).census?.metaKeys[.success] == 9)
    }

    @Test func budgetFollowsDBSIZEAndThePollInterval() {
        let c = ResultCensus(
            configuration: CeleryConfiguration(censusTargetPassDuration: 45, censusScanCount: 1_000,
                                               censusMinScanCallsPerPoll: 4, censusMaxScanCallsPerPoll: 2_000),
            layout: KombuKeyLayout())
        // 1.1 M keys, 15 s polls, 45 s target: a third of 1100 calls (+1 for rounding slack).
        #expect(c.scanBudget(dbsize: 1_100_000, now: t0) == 368)
        #expect(c.scanBudget(dbsize: 10, now: t0) == 4)
        #expect(c.scanBudget(dbsize: 100_000_000, now: t0) == 2_000)
    }

    @Test func transportFailureKeepsThePollAndResumesTheCursor() {
        let redis = FakeRedis()
        redis.scanPageSize = 1
        for i in 0..<3 { meta(redis, "k\(i)", Meta.success("k\(i)")) }
        let s = censusSampler(maxCalls: 1)
        _ = s.poll(using: redis, now: t0)  // cursor now at 1
        redis.failWhen = { $0[0] == b("GET") }
        let failed = s.poll(using: redis, now: t0 + 1)
        #expect(failed.succeeded)
        #expect(failed.commandErrors == [.census: 1])
        redis.failWhen = nil
        let cursors = redis.commands(named: "SCAN").map { String(decoding: $0[1], as: UTF8.self) }
        #expect(cursors == ["0", "1"])
        _ = s.poll(using: redis, now: t0 + 2)
        #expect(redis.commands(named: "SCAN").last?[1] == b("1"), "the failed step is retried from its cursor")
        #expect(s.poll(using: redis, now: t0 + 3).census?.metaKeys[.success] == 3)
    }

    @Test func prefixIsEscapedInThePattern() {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        meta(redis, "a", Meta.success("a"), prefix: "app[1]:")
        meta(redis, "b", Meta.success("b"))  // another deployment, unprefixed
        let snap = censusSampler(prefix: "app[1]:").poll(using: redis, now: t0)
        #expect(snap.census?.metaKeys[.success] == 1)
        #expect(redis.commands(named: "SCAN").first?[3] == b(#"app\[1\]:celery-task-meta-*"#))
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
    }
}

@Suite struct CensusDiscoveryTests {
    @Test func laterDiscoveriesRideOnTheCensusWalk() {
        let redis = FakeRedis()
        redis.scanPageSize = 2
        let sepBytes = sep
        func bind(_ q: String) { redis.sets[b("_kombu.binding." + q)] = [b(q) + sepBytes + sepBytes + b(q)] }
        bind("celery")
        redis.strings[b("celery-task-meta-a")] = b(Meta.success("a"))
        redis.sets[b("_kombu.binding.celeryev")] = [b("worker.#") + sep + sep + b("celeryev.x")]
        let s = Sampler(
            configuration: CeleryConfiguration(censusMinScanCallsPerPoll: 1, censusMaxScanCallsPerPoll: 1),
            logger: Logger(label: "test"))
        let first = s.poll(using: redis, now: t0)
        #expect(first.discoveryRan)
        #expect(s.knownQueues == ["celery"])
        // The census walks without MATCH; the standalone discovery is not repeated every minute.
        let censusScans = redis.commands(named: "SCAN").filter { !$0.contains(b("MATCH")) }
        #expect(censusScans.count == 1)
        let discoveryScans = redis.commands(named: "SCAN").filter { $0.contains(b("MATCH")) }.count
        bind("late")
        var discoveredAt: Double?
        for i in 1...10 {
            let now = t0 + 60 * Double(i)
            let snap = s.poll(using: redis, now: now)
            #expect(!snap.discoveryRan, "no standalone discovery")
            if discoveredAt == nil && s.knownQueues.contains("late") { discoveredAt = now }
        }
        #expect(discoveredAt != nil, "found by a census pass")
        #expect(redis.commands(named: "SCAN").filter { $0.contains(b("MATCH")) }.count == discoveryScans)
        #expect(s.poll(using: redis, now: t0 + 660).census?.metaKeys[.success] == 1)
        // Past 5 intervals without a completed census pass (SCAN refused), the standalone discovery returns.
        redis.override = { $0[0] == b("SCAN") && !$0.contains(b("MATCH")) ? .error("NOPERM") : nil }
        var standalone = false
        for i in 1...7 where s.poll(using: redis, now: t0 + 660 + 60 * Double(i)).discoveryRan { standalone = true }
        #expect(standalone)
    }
}
