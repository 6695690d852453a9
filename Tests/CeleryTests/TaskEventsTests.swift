import Exposition
import Foundation
import TestSupport
import Testing

@testable import Celery

/// Task events (`-E`) and result writes as two sources of one outcome count, driven by traffic
/// captured from real Celery 5.7 workers (``TaskEventsFixtures``).
@Suite struct TaskEventsTests {
    typealias Message = (channel: String, payload: String)

    /// Feeds `messages` to a fresh monitor at `now` and returns its reading.
    func feed(
        _ messages: [Message], _ configuration: CeleryEventConfiguration = CeleryEventConfiguration(),
        at now: Double = 0
    ) -> CeleryEventReading {
        let monitor = CeleryEventMonitor(configuration: configuration, clock: { now })
        for m in messages { monitor.handle(channel: Array(m.channel.utf8), payload: Array(m.payload.utf8), at: now) }
        return monitor.read(at: now)
    }

    func outcomes(_ r: CeleryEventReading) -> [String: UInt64] {
        var byState: [String: UInt64] = [:]
        for (key, n) in r.outcomes where n > 0 { byState[key.state, default: 0] += n }
        return byState
    }

    func failures(_ r: CeleryEventReading) -> [String: UInt64] {
        var byException: [String: UInt64] = [:]
        for (key, n) in r.failures { byException[key.exception, default: 0] += n }
        return byException
    }

    static let results = TaskEventsFixtures.plain.filter { $0.channel.contains("celery-task-meta-") }
    static let events = TaskEventsFixtures.plain.filter { $0.channel.contains(".celeryev/task.") }

    /// What the captured run did, task by task (see ``TaskEventsFixtures``): 10 receipts (flaky
    /// 3 times), 9 starts (the revoked task never ran), 2 retries, 3 successes, 4 failures, 1 revoke.
    static let everyTransition: [String: UInt64] = [
        "RECEIVED": 10, "STARTED": 9, "RETRY": 2, "SUCCESS": 3, "FAILURE": 4, "REVOKED": 1,
    ]

    @Test func decodesCapturedSingleAndBatchedEvents() throws {
        let decoder = CeleryEventDecoder(channels: CeleryEventChannels(keyPrefix: "", database: 0))
        var kinds: [TaskEvent.Kind: Int] = [:]
        var batches = 0
        var first: TaskEvent?
        var exceptions: [String?] = []
        var etas = 0
        for m in Self.events {
            guard
                case .tasks(let batch)? = try decoder.decode(
                    channel: Array(m.channel.utf8), payload: Array(m.payload.utf8))
            else {
                Issue.record("not task events: \(m.channel)")
                continue
            }
            #expect(batch.discarded.isEmpty)
            if batch.events.count > 1 { batches += 1 }
            for e in batch.events {
                kinds[e.kind, default: 0] += 1
                if first == nil { first = e }
                if e.kind == .failed { exceptions.append(e.exceptionType) }
                if e.kind == .received, e.eta != nil { etas += 1 }
            }
        }
        #expect(batches >= 2, "task.multi lists of several events")
        #expect(kinds[.sent] == 10 && kinds[.received] == 10 && kinds[.started] == 9)
        #expect(kinds[.succeeded] == 3 && kinds[.failed] == 4 && kinds[.retried] == 2 && kinds[.revoked] == 1)
        #expect(
            first
                == TaskEvent(
                    kind: .sent, taskID: "34dbbd0a-7789-4f2c-a80b-15254cc3f8e3", name: "app.add", retries: 0,
                    timestamp: 1796487604.1037374))
        // The reject's text is not a repr: no type, so no words of it either.
        #expect(exceptions == ["ValueError", "KeyError", nil, "RuntimeError"])
        // Countdown add, flaky's two retries, the revoked countdown slow.
        #expect(etas == 4)
    }

    @Test func eachSourceAloneAndBothTogetherCountEveryTaskOnce() {
        let both = feed(TaskEventsFixtures.plain)
        #expect(outcomes(both) == Self.everyTransition)
        #expect(failures(both) == ["ValueError": 1, "RuntimeError": 1, "KeyError": 1, "Reject": 1])
        // Once per finished task that started: task-succeeded's runtime (3), task-started →
        // task-failed timestamps (4); no track_started, so no result-write pairing.
        #expect(both.runtimes[nil]?.count == 7)
        #expect(both.queueWaits[nil]?.count == 9)  // every start, flaky's 3 attempts included
        // The result-write family still counts writes: REVOKED is written twice.
        #expect(both.results[ResultEventCounter.ResultKey(state: "REVOKED", task: nil)] == 2)

        let eventsOnly = feed(Self.events)
        #expect(outcomes(eventsOnly) == Self.everyTransition)
        #expect(failures(eventsOnly) == ["ValueError": 1, "RuntimeError": 1, "KeyError": 1, "other": 1])

        // Results alone: no receipts, no starts (no track_started), nothing of ignore_result tasks.
        let resultsOnly = feed(Self.results)
        #expect(outcomes(resultsOnly) == ["RETRY": 2, "SUCCESS": 2, "FAILURE": 3, "REVOKED": 1])
        #expect(failures(resultsOnly) == ["ValueError": 1, "RuntimeError": 1, "Reject": 1])
    }

    @Test func resultsInADatabaseLeaveTheEventsToCountEverything() {
        // db+sqlite: Celery writes no result to Redis; the events alone carry every transition.
        #expect(!TaskEventsFixtures.sqlite.contains { $0.channel.contains("celery-task-meta-") })
        let r = feed(TaskEventsFixtures.sqlite, CeleryEventConfiguration(taskNameLimit: 20))
        #expect(outcomes(r) == Self.everyTransition)
        #expect(r.failures[.init(exception: "ValueError", task: "app.boom")] == 1)
        #expect(r.failures[.init(exception: "KeyError", task: "app.quiet_boom")] == 1)
        #expect(r.runtimes.values.map(\.count).reduce(0, +) == 7)
    }

    @Test(arguments: [0, 1, 2, 3])
    func outOfOrderArrivalCountsTheSame(seed: Int) {
        var messages = TaskEventsFixtures.plain
        if seed == 0 {
            messages.reverse()
        } else {
            var rng = SplitMix64(seed: UInt64(seed))
            messages.shuffle(using: &rng)
        }
        let r = feed(messages)
        #expect(outcomes(r) == Self.everyTransition)
        #expect(failures(r).values.reduce(0, +) == 4)
    }

    @Test func duplicatesAcrossSourcesAndResentResultsAddNothing() {
        // Every result write published twice and the events after them: still once per task.
        let r = feed(Self.results + Self.results + Self.events)
        #expect(outcomes(r)["SUCCESS"] == 3 && outcomes(r)["FAILURE"] == 4 && outcomes(r)["REVOKED"] == 1)
        #expect(outcomes(r)["RECEIVED"] == 10)
    }

    @Test func retriedTaskByName() {
        let r = feed(TaskEventsFixtures.plain, CeleryEventConfiguration(taskNameLimit: 20))
        func n(_ state: String, _ task: String) -> UInt64? { r.outcomes[.init(state: state, task: task)] }
        #expect(n("RECEIVED", "app.flaky") == 3)
        #expect(n("STARTED", "app.flaky") == 3)
        #expect(n("RETRY", "app.flaky") == 2)
        #expect(n("FAILURE", "app.flaky") == 1)
        #expect(n("SUCCESS", "app.quiet") == 1)  // ignore_result: events only
        #expect(n("FAILURE", "app.quiet_boom") == 1)
        #expect(n("REVOKED", "app.slow") == 1)
        #expect(r.failures[.init(exception: "KeyError", task: "app.quiet_boom")] == 1)
        #expect(r.queueWaits["app.flaky"]?.count == 3)
        #expect(!r.outcomes.keys.contains { $0.task == "other" }, "every task's name came from its events")
    }

    @Test func keyPrefixAndDatabaseNameTheChannels() {
        let prefixed = CeleryEventConfiguration(keyPrefix: "pfx:", database: 3)
        let r = feed(TaskEventsFixtures.prefixed, prefixed)
        // Under task_acks_late the rejected task also sends task-rejected (besides FAILURE).
        #expect(outcomes(r) == Self.everyTransition.merging(["REJECTED": 1]) { a, _ in a })
        // The plain configuration does not take another prefix's or database's traffic.
        #expect(outcomes(feed(TaskEventsFixtures.prefixed)).isEmpty)
        #expect(r.messages[.task] == UInt64(TaskEventsFixtures.prefixed.filter { $0.channel.contains("task.") }.count))
    }

    // MARK: Hostile input

    static func envelope(_ body: String) -> [UInt8] {
        let encoded = Data(body.utf8).base64EncodedString()
        return Array(
            #"{"body": "\#(encoded)", "content-encoding": "utf-8", "content-type": "application/json", "properties": {"body_encoding": "base64"}}"#
                .utf8)
    }
    static let multi = Array("/0.celeryev/task.multi".utf8)

    @Test func hugeBatchIsCappedAndCounted() {
        let monitor = CeleryEventMonitor(configuration: CeleryEventConfiguration(), clock: { 0 })
        let events = (0..<2_500).map { #"{"type": "task-received", "uuid": "u\#($0)", "name": "app.x", "retries": 0}"# }
        monitor.handle(channel: Self.multi, payload: Self.envelope("[" + events.joined(separator: ",") + "]"), at: 0)
        let r = monitor.read(at: 0)
        #expect(outcomes(r) == ["RECEIVED": UInt64(CeleryEventDecoder.maximumEventsPerBatch)])
        #expect(r.discardedTaskEvents[.batchLimit] == UInt64(2_500 - CeleryEventDecoder.maximumEventsPerBatch))
    }

    @Test func oversizedAndDeepMessagesAreDecodeErrors() {
        let monitor = CeleryEventMonitor(configuration: CeleryEventConfiguration(), clock: { 0 })
        let deep = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        monitor.handle(channel: Self.multi, payload: Self.envelope(deep), at: 0)
        let big = #"[{"type": "task-received", "uuid": "u", "name": "\#(String(repeating: "x", count: 1 << 20))"}]"#
        monitor.handle(channel: Self.multi, payload: Self.envelope(big), at: 0)
        monitor.handle(channel: Self.multi, payload: Array(String(repeating: "{", count: 100_000).utf8), at: 0)
        let r = monitor.read(at: 0)
        #expect(r.decodeErrors[.task] == 3)
        #expect(outcomes(r).isEmpty)
        #expect(
            throws: CeleryEventDecodingError.tooLarge(
                Self.envelope(big).count, limit: CeleryEventDecoder.maximumTaskEventBytes),
            performing: { try CeleryEventDecoder.decodeTaskEnvelope(Self.envelope(big)) })
    }

    @Test func forgedFieldsNeverLeakOrBreakTheCounts() {
        let limit = CeleryEventConfiguration(taskNameLimit: 5, exceptionNameLimit: 2)
        let monitor = CeleryEventMonitor(configuration: limit, clock: { 0 })
        let longName = String(repeating: "n", count: 5_000)
        let body = """
            [{"type": "task-received", "uuid": "a", "name": "\(longName)", "retries": -4},
             {"type": "task-started", "uuid": "a", "timestamp": "soon"},
             {"type": "task-succeeded", "uuid": "a", "runtime": -3},
             {"type": "task-failed", "uuid": "b", "exception": "ValueError('password=hunter2')"},
             {"type": "task-failed", "uuid": "c", "exception": "TypeError('x')"},
             {"type": "task-failed", "uuid": "d", "exception": "OSError('x')"},
             {"type": "task-failed", "uuid": "e", "exception": "\(String(repeating: "E", count: 400))('x')"},
             {"type": "task-failed", "uuid": "\(String(repeating: "u", count: 300))"},
             {"type": "task-progress", "uuid": "f"},
             {"uuid": "g"}, 7, null]
            """
        monitor.handle(channel: Self.multi, payload: Self.envelope(body), at: 0)
        let r = monitor.read(at: 0)
        #expect(outcomes(r) == ["RECEIVED": 1, "STARTED": 1, "SUCCESS": 1, "FAILURE": 4])
        #expect(r.discardedTaskEvents == [.malformed: 4, .unknownType: 1])
        // Exception names: type only, two admitted, the rest (and the over-long one) are other.
        #expect(failures(r) == ["ValueError": 1, "TypeError": 1, "other": 2])
        let text = String(decoding: MetricEncoder.encode(r.families(), as: .prometheusText), as: UTF8.self)
        #expect(!text.contains("hunter2"))
        #expect(!text.contains(longName))
        #expect(r.outcomes.keys.allSatisfy { ($0.task?.utf8.count ?? 0) <= LabelValueLimit.maxBytes })
        #expect(r.runtimes[nil] == nil)  // a negative runtime is not trusted (dropped as absent)
    }

    // MARK: The task table stays bounded

    @Test func finishedTasksLeaveAfterTheLingerSoMemoryFollowsTasksInFlight() {
        var counter = ResultEventCounter(configuration: CeleryEventConfiguration(finishedTaskLinger: 60))
        // 20 tasks/s for an hour, each sent, received, started and succeeded within 0.5 s.
        for i in 0..<72_000 {
            let t = Double(i) * 0.05
            let id = "task-\(i)"
            counter.record(TaskEvent(kind: .sent, taskID: id, name: "app.x", retries: 0, timestamp: t), at: t)
            counter.record(TaskEvent(kind: .received, taskID: id, name: "app.x", retries: 0), at: t)
            counter.record(TaskEvent(kind: .started, taskID: id, timestamp: t + 0.2), at: t)
            counter.record(TaskEvent(kind: .succeeded, taskID: id, runtime: 0.3), at: t)
        }
        // About 60 s × 20/s finished entries linger; nothing else is kept.
        #expect(counter.trackedTasks <= 60 * 20 + 2)
        counter.evict(at: 72_000 * 0.05 + 61)
        #expect(counter.trackedTasks == 0)
        #expect(counter.evictedTasks == ["age": 0, "capacity": 0])
        #expect(counter.outcomes[.init(state: "SUCCESS", task: nil)] == 72_000)
        #expect(counter.queueWaits[nil]?.count == 72_000)
    }

    @Test func aFullTableEvictsTheOldestAndCountsIt() {
        var counter = ResultEventCounter(
            configuration: CeleryEventConfiguration(maxTrackedTasks: 100, trackedTaskMaxAge: 1_000))
        for i in 0..<250 {
            counter.record(TaskEvent(kind: .sent, taskID: "q\(i)", name: "app.x", retries: 0), at: Double(i))
        }
        #expect(counter.trackedTasks == 100)
        #expect(counter.evictedTasks["capacity"] == 150)
        counter.evict(at: 1_149.5)  // the oldest left, q150, is 999.5 s old
        #expect(counter.evictedTasks["age"] == 0)
        counter.evict(at: 1_200)  // q150…q199 are older than 1000 s, q200 is not
        #expect(counter.evictedTasks["age"] == 50)
        #expect(counter.trackedTasks == 50)
    }

    /// A full table (a backlog of ETA tasks received with -E) drops the tasks that finished
    /// longest ago first. A long-running task, created before everything else, that finishes on one
    /// source keeps its entry until the other source's copy arrives, so its SUCCESS counts once
    /// (dropping the oldest-created entry, as before, counted it twice).
    @Test func aFullTableKeepsAJustFinishedTaskUntilItsSecondCopy() {
        var counter = ResultEventCounter(
            configuration: CeleryEventConfiguration(
                maxTrackedTasks: 100, trackedTaskMaxAge: 100_000, finishedTaskLinger: 600))
        counter.record(TaskEvent(kind: .received, taskID: "long", name: "app.long", retries: 0), at: 0)
        counter.record(TaskEvent(kind: .started, taskID: "long", timestamp: 1), at: 1)
        for i in 0..<89 {
            counter.record(TaskEvent(kind: .received, taskID: "eta\(i)", name: "app.eta", retries: 0), at: 2)
        }
        for i in 0..<10 {
            counter.record(TaskEvent(kind: .received, taskID: "done\(i)", name: "app.x", retries: 0), at: 3)
            counter.record(TaskEvent(kind: .succeeded, taskID: "done\(i)", runtime: 0.1), at: 3)
        }
        #expect(counter.trackedTasks == 100)
        counter.record(TaskEvent(kind: .succeeded, taskID: "long", runtime: 99), at: 100)
        counter.record(TaskEvent(kind: .received, taskID: "new", name: "app.x", retries: 0), at: 100.5)
        // The result write of the same success, a moment later.
        counter.record(CeleryEvent.TaskResult(taskID: "long", state: .success), at: 101)
        #expect(counter.outcomes[.init(state: "SUCCESS", task: nil)] == 11)
        #expect(counter.trackedTasks == 100)
    }

    @Test func anEntryStaysSmall() {
        // The measured bytes per entry (scripts/measure-task-table.sh) rest on this layout: a
        // field added as an optional Double would grow every slot of a 100,000-entry table.
        #expect(MemoryLayout<TaskTable.Entry>.stride <= 88)
        var entry = TaskTable.Entry(sequence: 1)
        #expect(entry.sent == nil && entry.finishedAt == nil && !entry.isFinished)
        entry.sent = 0
        entry.finishedAt = 12.5
        #expect(entry.sent == 0 && entry.finishedAt == 12.5 && entry.isFinished)
        entry.sent = nil
        #expect(entry.sent == nil)
    }

    @Test func exceptionTypeOfARepr() {
        #expect(TaskEvent.exceptionType(fromRepr: "KeyError('k')") == "KeyError")
        #expect(TaskEvent.exceptionType(fromRepr: "myapp.errors.Oops()") == "myapp.errors.Oops")
        #expect(TaskEvent.exceptionType(fromRepr: "reject requeue=False: no thanks") == nil)
        #expect(TaskEvent.exceptionType(fromRepr: "secret words(") == nil)
        #expect(TaskEvent.exceptionType(fromRepr: "(x)") == nil)
        #expect(TaskEvent.exceptionType(fromRepr: "") == nil)
        #expect(TaskEvent.exceptionType(fromRepr: "Plain") == nil)
    }
}
