import JSON
import Testing

@testable import Celery

/// Issue 10 item 2: worker incarnations. A worker restarted under the same node name is a new
/// process; its predecessor's STARTED tasks are orphaned although a worker of that name is alive.
/// The registry decides from `pid`, the Lamport `clock` and worker-online/offline, never from
/// guesses that could mark a live process's tasks orphaned.
@Suite struct EventsWorkerIncarnationTests {
    let t0 = 1_000.0
    let host = "w1@vm"

    func event(_ kind: CeleryEvent.Worker.Kind, pid: Int?, clock: Int?) -> CeleryEvent.Worker {
        CeleryEvent.Worker(kind: kind, hostname: host, frequency: 2, active: 0, processed: 0, pid: pid, clock: clock)
    }

    func subscribed() -> WorkerRegistry {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration())
        registry.subscriptionStarted(at: t0)
        return registry
    }

    @Test func workerSeenStartingHasItsOnlineTimeAsStart() {
        var registry = subscribed()
        registry.record(event(.online, pid: 100, clock: 1), at: t0 + 10)
        registry.record(event(.heartbeat, pid: 100, clock: 2), at: t0 + 12)
        #expect(registry.liveIncarnationStarts(at: t0 + 13) == [host: t0 + 10])
        #expect(registry.incarnationsSeen == 0)
    }

    @Test func workerFirstSeenByHeartbeatHasNoKnownStart() {
        var registry = subscribed()
        registry.record(event(.heartbeat, pid: 100, clock: 50), at: t0 + 10)
        #expect(registry.liveIncarnationStarts(at: t0 + 11) == [:])
    }

    @Test func newPidWithWorkerOnlineStartsANewIncarnationAtTheOnline() {
        var registry = subscribed()
        registry.record(event(.heartbeat, pid: 100, clock: 50), at: t0 + 10)
        // SIGKILL at ~t0+11, restart: online with a new pid at t0+14 (still inside the liveness window).
        registry.record(event(.online, pid: 200, clock: 80), at: t0 + 14)
        #expect(registry.liveIncarnationStarts(at: t0 + 15) == [host: t0 + 14])
        #expect(registry.incarnationsSeen == 1)
        registry.record(event(.heartbeat, pid: 200, clock: 81), at: t0 + 16)
        #expect(registry.liveIncarnationStarts(at: t0 + 17) == [host: t0 + 14], "heartbeats keep the start")
    }

    @Test func newPidSeenOnlyByHeartbeatStartsNoLaterThanThePredecessorsLastEvent() {
        var registry = subscribed()
        registry.record(event(.heartbeat, pid: 100, clock: 50), at: t0 + 10)
        // worker-online was missed (e.g. during a reconnect): the new process began after t0+10.
        registry.record(event(.heartbeat, pid: 200, clock: 3), at: t0 + 30)
        #expect(registry.liveIncarnationStarts(at: t0 + 31) == [host: t0 + 10])
    }

    @Test func clockGoingBackwardsWithTheSamePidIsANewProcess() {
        // Containers often give the worker the same pid on every start.
        var registry = subscribed()
        registry.record(event(.heartbeat, pid: 7, clock: 500), at: t0 + 10)
        registry.record(event(.online, pid: 7, clock: 1), at: t0 + 20)
        #expect(registry.liveIncarnationStarts(at: t0 + 21) == [host: t0 + 20])
    }

    @Test func onlineAfterOfflineIsANewProcess() {
        var registry = subscribed()
        registry.record(event(.heartbeat, pid: 7, clock: 5), at: t0 + 10)
        registry.record(event(.offline, pid: 7, clock: 6), at: t0 + 11)
        // Same pid, and mingle synced the clock upwards: only the offline/online pair tells.
        registry.record(event(.online, pid: 7, clock: 40), at: t0 + 25)
        #expect(registry.liveIncarnationStarts(at: t0 + 26) == [host: t0 + 25])
    }

    @Test func onlineAfterSilenceWithTheSamePidAndARisingClockIsTheSameProcess() {
        // A consumer that lost its broker connection restarts and sends worker-online again, but
        // its pool kept running the tasks: they must not turn into orphans.
        var registry = subscribed()
        registry.record(event(.online, pid: 7, clock: 1), at: t0 + 1)
        registry.record(event(.heartbeat, pid: 7, clock: 5), at: t0 + 10)
        registry.record(event(.online, pid: 7, clock: 9), at: t0 + 40)
        #expect(registry.liveIncarnationStarts(at: t0 + 41) == [host: t0 + 1])
        #expect(registry.incarnationsSeen == 0)
    }

    @Test func twoLiveProcessesUnderOneNameAreNotRestarts() {
        // A duplicate node name: heartbeats of pid 100 and 200 alternate. After the first change
        // (indistinguishable from a restart) the return of the earlier pid shows both are alive.
        var registry = subscribed()
        registry.record(event(.heartbeat, pid: 100, clock: 50), at: t0 + 10)
        registry.record(event(.heartbeat, pid: 200, clock: 51), at: t0 + 11)
        registry.record(event(.heartbeat, pid: 100, clock: 52), at: t0 + 12)
        registry.record(event(.heartbeat, pid: 200, clock: 53), at: t0 + 13)
        #expect(registry.liveIncarnationStarts(at: t0 + 14) == [:])
        #expect(registry.incarnationsSeen == 1)
    }

    @Test func eventsWithoutPidOrClockNeverStartAnIncarnation() {
        var registry = subscribed()
        registry.record(event(.heartbeat, pid: nil, clock: nil), at: t0 + 10)
        registry.record(event(.online, pid: nil, clock: nil), at: t0 + 20)
        #expect(registry.liveIncarnationStarts(at: t0 + 21) == [:])
    }

    @Test func nilWhileLivenessIsNotTrusted() {
        var registry = WorkerRegistry(configuration: CeleryEventConfiguration())
        registry.subscriptionStarted(at: t0)
        registry.record(event(.online, pid: 1, clock: 1), at: t0 + 1)
        #expect(registry.liveIncarnationStarts(at: t0 + 2) == nil, "within the start-up grace")
        registry.subscriptionLost(at: t0 + 10)
        #expect(registry.liveIncarnationStarts(at: t0 + 11) == nil, "while unsubscribed")
    }

    @Test func decoderReadsPidAndClock() throws {
        let body =
            #"{"hostname": "w1@vm", "pid": 19690, "clock": 6, "freq": 2.0, "active": 0, "processed": 1, "type": "worker-heartbeat"}"#
        let decoded = try CeleryEventDecoder.decodeWorkerBody(JSONValue.parse(Array(body.utf8)))
        #expect(decoded?.pid == 19690 && decoded?.clock == 6)
    }

    /// The census side: a STARTED meta first seen before its worker's current incarnation began is
    /// orphaned; one first seen after it (the new process's own task) is not, nor are metas of
    /// workers whose start is unknown.
    @Test func censusOrphansMetasOfAnEarlierIncarnation() {
        let layout = KombuKeyLayout(prefix: "", separator: [0x06, 0x16])
        let census = ResultCensus(configuration: CeleryConfiguration(), layout: layout)
        func started(_ id: String, host: String, at time: Double) {
            let payload = #"{"status": "STARTED", "result": {"pid": 1, "hostname": "\#(host)"}, "date_done": null}"#
            census.record(channel: Array("celery-task-meta-\(id)".utf8), payload: Array(payload.utf8), at: time)
        }
        started("old", host: "w1@vm", at: t0)
        started("new", host: "w1@vm", at: t0 + 20)
        started("other", host: "w2@vm", at: t0)
        let live: Set<String> = ["w1@vm", "w2@vm"]
        #expect(census.orphanedStartedKeys(liveWorkers: live, incarnationStarts: [:]).isEmpty)
        let orphans = census.orphanedStartedKeys(liveWorkers: live, incarnationStarts: ["w1@vm": t0 + 10])
        #expect(orphans == [FNV1a.hash(Array("celery-task-meta-old".utf8))])
        // Within the slack (arrival order over two connections) nothing is orphaned.
        #expect(census.orphanedStartedKeys(liveWorkers: live, incarnationStarts: ["w1@vm": t0 + 0.5]).isEmpty)
    }
}
