import Testing

@testable import Celery

@Suite struct EventsResultCounterTests {
    let t0 = 5_000.0

    func write(_ id: String, _ state: TaskMetaState, name: String? = nil, lost: Bool = false) -> CeleryEvent.TaskResult
    {
        CeleryEvent.TaskResult(taskID: id, state: state, taskName: name, workerLost: lost)
    }

    func count(_ counter: ResultEventCounter, _ state: String, task: String? = nil) -> UInt64 {
        counter.results[ResultEventCounter.ResultKey(state: state, task: task)] ?? 0
    }

    @Test func countsEveryWriteByState() {
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration())
        counter.record(write("a", .started), at: t0)
        counter.record(write("a", .success), at: t0 + 1)
        counter.record(write("b", .failure), at: t0 + 1)
        counter.record(write("c", .failure, lost: true), at: t0 + 1)
        counter.record(write("d", .other), at: t0 + 1)
        counter.record(write("e", .unknown), at: t0 + 1)
        #expect(count(counter, "STARTED") == 1)
        #expect(count(counter, "SUCCESS") == 1)
        #expect(count(counter, "FAILURE") == 2)
        #expect(count(counter, "other") == 2)
        #expect(counter.workerLost == [nil: 1])
    }

    @Test func runtimePairsStartedWithFinal() {
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration())
        counter.record(write("a", .started), at: t0)
        #expect(counter.runningTasks == 1)
        counter.record(write("a", .success), at: t0 + 3)
        counter.record(write("b", .started), at: t0)
        counter.record(write("b", .failure), at: t0 + 0.07)
        // A final write without a seen STARTED is not timed.
        counter.record(write("c", .success), at: t0 + 9)
        let histogram = counter.runtimes[nil]!
        #expect(histogram.count == 2)
        #expect(abs(histogram.sum - 3.07) < 1e-9)
        let series = histogram.series(labels: [])
        #expect(series.buckets.first { $0.upperBound == 0.05 }?.cumulativeCount == 0)
        #expect(series.buckets.first { $0.upperBound == 0.1 }?.cumulativeCount == 1)
        #expect(series.buckets.first { $0.upperBound == 2.5 }?.cumulativeCount == 1)
        #expect(series.buckets.first { $0.upperBound == 5 }?.cumulativeCount == 2)
        #expect(series.buckets.map(\.upperBound) == CeleryEventConfiguration.defaultRuntimeBuckets)
        #expect(counter.runningTasks == 0)
    }

    @Test func overlappingDuplicateRunsAreTimedOnce() {
        // A redelivered run's STARTED arrives while the first runs; the 1st run's SUCCESS ends it
        // and the overlapping run's own final write finds nothing to pair.
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration())
        counter.record(write("a", .started), at: t0)
        counter.record(write("a", .started), at: t0 + 10.5)
        counter.record(write("a", .success), at: t0 + 16)
        #expect(counter.runtimes[nil]?.count == 1)
        #expect(counter.runtimes[nil]?.sum == 16)  // from the first STARTED
        counter.record(write("a", .success), at: t0 + 18)
        #expect(counter.runtimes[nil]?.count == 1)
        // A runtime is observed once per task: a late run of a finished task is not timed again.
        counter.record(write("a", .started), at: t0 + 20)
        counter.record(write("a", .failure), at: t0 + 25)
        #expect(counter.runtimes[nil]?.count == 1)
        #expect(counter.runningTasks == 0)
        #expect(count(counter, "STARTED") == 3)  // every write is still counted
        // The finished entry lingers a minute (a second source's copy is recognised), then leaves.
        #expect(counter.trackedTasks == 1)
        counter.evict(at: t0 + 16 + 61)
        #expect(counter.trackedTasks == 0)
    }

    @Test func finishedTasksLeaveTheTableSoMemoryFollowsTasksInFlight() {
        // A steady workload that tracks STARTED: the table holds what runs and what finished in
        // the last minute (20 tasks/s × 60 s), not what ran.
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration(maxTrackedTasks: 100_000))
        for i in 0..<30_000 {
            let t = t0 + Double(i) * 0.05
            counter.record(write("task-\(i)", .started), at: t)
            if i >= 5 { counter.record(write("task-\(i - 5)", .success), at: t) }
        }
        #expect(counter.trackedTasks <= 5 + 60 * 20 + 1)
        #expect(counter.runningTasks == 5)
        #expect(counter.evictedRunningTasks == 0)
        #expect(counter.runtimes[nil]?.count == 29_995)
    }

    @Test func retryEndsTheAttempt() {
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration())
        counter.record(write("a", .started), at: t0)
        counter.record(write("a", .retry), at: t0 + 1)
        #expect(counter.runningTasks == 0)
        counter.record(write("a", .started), at: t0 + 60)
        counter.record(write("a", .success), at: t0 + 62)
        #expect(counter.runtimes[nil]?.sum == 2)
    }

    @Test func revokedEndsWithoutARuntime() {
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration())
        counter.record(write("a", .started), at: t0)
        counter.record(write("a", .revoked), at: t0 + 1)
        counter.record(write("a", .success), at: t0 + 2)
        #expect(counter.runtimes[nil] == nil)
        #expect(counter.runningTasks == 0)
    }

    @Test func trackingTableIsBoundedByAgeAndCountWithEvictionsCounted() {
        var counter = ResultEventCounter(
            configuration: CeleryEventConfiguration(maxTrackedTasks: 3, trackedTaskMaxAge: 100))
        for (i, id) in ["a", "b", "c", "d"].enumerated() { counter.record(write(id, .started), at: t0 + Double(i)) }
        #expect(counter.trackedTasks == 3)
        #expect(counter.evictedRunningTasks == 1)  // "a", the oldest
        counter.record(write("a", .success), at: t0 + 5)
        #expect(counter.runtimes[nil] == nil)
        counter.evict(at: t0 + 102.5)  // b (t0+1) and c (t0+2) are older than 100 s; d is not
        #expect(counter.evictedRunningTasks == 3)
        #expect(counter.runningTasks == 1)
        counter.record(write("d", .success), at: t0 + 103)
        #expect(counter.runtimes[nil]?.sum == 100)
    }

    @Test func manyTasksKeepTheTableBounded() {
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration(maxTrackedTasks: 1_000))
        for i in 0..<50_000 {
            let id = "task-\(i)"
            let t = t0 + Double(i) * 0.01
            counter.record(write(id, .started), at: t)
            if i % 10 != 0 { counter.record(write(id, .success), at: t + 0.005) }
        }
        #expect(counter.trackedTasks <= 1_000)
        #expect(counter.runtimes[nil]?.count == 45_000)
        #expect(counter.runningTasks <= 1_000)
        #expect(counter.evictedRunningTasks + UInt64(counter.runningTasks) == 5_000)
    }

    @Test func taskLabelIsCappedWithOverflow() {
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration(taskNameLimit: 2))
        counter.record(write("1", .success, name: "app.a"), at: t0)
        counter.record(write("2", .success, name: "app.b"), at: t0)
        counter.record(write("3", .success, name: "app.c"), at: t0)
        counter.record(write("4", .success, name: nil), at: t0)
        counter.record(write("5", .failure, name: "app.a", lost: true), at: t0)
        #expect(count(counter, "SUCCESS", task: "app.a") == 1)
        #expect(count(counter, "SUCCESS", task: "app.b") == 1)
        #expect(count(counter, "SUCCESS", task: "other") == 2)
        #expect(count(counter, "SUCCESS") == 0)
        #expect(counter.workerLost == ["app.a": 1])
        counter.record(write("6", .started, name: "app.c"), at: t0)
        counter.record(write("6", .success, name: "app.c"), at: t0 + 1)
        #expect(counter.runtimes["other"]?.count == 1)
    }
}
