import Logging
import Redis
import Testing

@testable import Celery

private let t0 = 1_795_625_000.0

private func addUnacked(
    _ redis: FakeRedis, tag: String, queue: String = "celery", task: String = "app.slow",
    score: Double, eta: Double? = nil
) {
    redis.zsets[b("unacked_index"), default: [:]][b(tag)] = score
    redis.hashes[b("unacked"), default: [:]][b(tag)] = b(
        unackedValue(tag: tag, queue: queue, task: task, eta: eta.map(iso)))
}

@Suite struct InFlightSplitTests {
    @Test func scheduledAndETABeyondVisibility() throws {
        let redis = FakeRedis()
        addUnacked(redis, tag: "plain", score: t0 - 5)
        addUnacked(redis, tag: "soon", score: t0 - 5, eta: t0 + 60)  // scheduled, within VT
        addUnacked(redis, tag: "far", score: t0 - 5, eta: t0 + 4_000)  // scheduled, eta − fetch > VT
        addUnacked(redis, tag: "due", score: t0 - 100, eta: t0 - 1)  // due, waiting for a slot
        // E1b: fetched 3700 s ago with a countdown of 2 h: stranded (the sweep restores it) and
        // beyond the visibility timeout.
        addUnacked(redis, tag: "old", score: t0 - 3_700, eta: t0 + 3_500)
        let s = Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false, censusEnabled: false),
            logger: Logger(label: "test"))
        let q = try #require(s.poll(using: redis, now: t0).sampled).queues[0]
        #expect(q.unacked == 5)
        #expect(q.scheduled == 3)
        #expect(q.etaBeyondVisibility == 2)
        #expect(q.stranded == 1, "a scheduled task older than VT is restored by the sweep: stranded")
        #expect(q.unackedByTask.isEmpty, "breakdown off by default")
        // An hour later the near ETAs are due; the far one still scheduled.
        let later = try #require(s.poll(using: redis, now: t0 + 3_600).sampled).queues[0]
        #expect(later.scheduled == 1)
        #expect(later.etaBeyondVisibility == 2, "a property of eta − fetch time, not of now")
    }

    @Test func taskNameBreakdownIsCappedWithOverflow() {
        let redis = FakeRedis()
        addUnacked(redis, tag: "a1", task: "app.a", score: t0 - 9)
        addUnacked(redis, tag: "a2", task: "app.a", score: t0 - 8, eta: t0 + 10)
        addUnacked(redis, tag: "b1", task: "app.b", score: t0 - 7)
        addUnacked(redis, tag: "c1", task: "app.c", score: t0 - 6, eta: t0 + 10)
        addUnacked(redis, tag: "d1", queue: "high", task: "app.d", score: t0 - 5)
        let s = Sampler(
            configuration: CeleryConfiguration(
                queues: ["celery", "high"], discoverQueues: false, taskNameLimit: 2, censusEnabled: false),
            logger: Logger(label: "test"))
        let snap = s.poll(using: redis, now: t0)
        #expect(snap.sampled?.queues[0].unackedByTask == ["app.a": 2, "app.b": 1, "other": 1])
        #expect(snap.sampled?.queues[0].scheduledByTask == ["app.a": 1, "other": 1])
        #expect(snap.sampled?.queues[1].unackedByTask == ["other": 1])
        // Admission is sticky: the admitted names stay, new ones keep overflowing.
        addUnacked(redis, tag: "e1", task: "app.e", score: t0 - 1)
        #expect(
            s.poll(using: redis, now: t0 + 1).sampled?.queues[0].unackedByTask == ["app.a": 2, "app.b": 1, "other": 2])
    }

    @Test func limiterRules() {
        var limiter = TaskNameLimiter(limit: 1)
        #expect(limiter.label(for: nil) == "other")
        #expect(limiter.label(for: "") == "other")
        #expect(limiter.label(for: "x") == "x")
        #expect(limiter.label(for: "y") == "other")
        #expect(limiter.label(for: "x") == "x")
        var off = TaskNameLimiter(limit: 0)
        #expect(!off.isEnabled && off.label(for: "x") == "other")
    }
}
