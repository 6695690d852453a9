import Exposition
import Logging
import Synchronization
import Testing

@testable import Celery

/// Issue 13 item 2: a poll reads the event monitor once, so every number it reports about workers
/// describes the same moment. Before, the sampler asked for live workers (for the orphan count)
/// and the exporter read the worker table again after the Redis round trips: a worker whose
/// liveness window ended in between was alive for one number and dead for the other, and a
/// scrape could show `worker_up 0` with none of its tasks orphaned (or `worker_up 1` with its
/// task counted orphaned, when a heartbeat arrived in between).
@Suite struct SnapshotOneMomentTests {
    /// A monitor clock that moves 10 s every time it is read: any second read within a poll sees
    /// the worker below down, so a split read shows up as disagreeing numbers.
    final class SteppingClock: Sendable {
        private let state = Mutex((now: 1.0, reads: 0))
        func read() -> Double {
            state.withLock { state in
                defer { state.now += 10 }
                state.reads += 1
                return state.now
            }
        }
        var reads: Int { state.withLock { $0.reads } }
    }

    let t0 = 1_795_625_000.0

    /// The worker's STARTED task, a census pass over it, and a monitor that has seen the worker's
    /// heartbeat at monitor time 0 (2 s period, 3 missed: up until 6).
    func setUp() throws -> (Sampler, FakeRedis, CeleryEventMonitor, SteppingClock) {
        let redis = FakeRedis()
        redis.scanPageSize = 100
        let key = b("celery-task-meta-t1")
        redis.strings[key] = b(Meta.started("t1", host: "w1@vm"))
        redis.ttls[key] = 86_400_000
        let sampler = Sampler(
            configuration: CeleryConfiguration(queues: ["celery"], discoverQueues: false), logger: Logger(label: "test")
        )
        let census = try #require(sampler.census)
        var censusClock = t0
        _ = try census.runPass(
            using: redis, clock: { censusClock },
            pace: {
                censusClock += $0
                return false
            })
        let clock = SteppingClock()
        let monitor = CeleryEventMonitor(
            configuration: CeleryEventConfiguration(startupGrace: 0), clock: { clock.read() })
        monitor.subscriptionStarted(at: -100)
        let heartbeat = EventsFixtures.heartbeat(host: "w1@vm", active: 1, freq: 2)
        monitor.handle(channel: heartbeat.channel, payload: heartbeat.payload, at: 0)
        return (sampler, redis, monitor, clock)
    }

    /// `worker_up{worker="w1@vm"}` as rendered from the snapshot's reading.
    func workerUp(_ snapshot: Snapshot) -> Double? {
        snapshot.events?.families().first { $0.name == "celery_redis_worker_up" }?
            .samples.first { $0.labels == [Label("worker", "w1@vm")] }?.value
    }

    @Test func workerUpAndTheOrphanCountComeFromOneReading() throws {
        let (sampler, redis, monitor, clock) = try setUp()

        // Read at monitor time 1: the worker is up, so its STARTED task is not orphaned.
        let up = sampler.poll(using: redis, now: t0 + 1, events: monitor)
        #expect(clock.reads == 1, "one read of the monitor per poll")
        let upState = try #require(up.sampled)
        #expect(upState.orphanedStartedTasks == 0)
        #expect(workerUp(up) == 1, "rendered from the same reading: not the down state of a later read")
        #expect(up.events?.workers.map(\.isUp) == [true], "the status page's rows: the same reading")
        #expect(up.events?.liveWorkers == ["w1@vm"])

        // Read at monitor time 11: the worker's window ended, its task is orphaned, and it is down.
        let down = sampler.poll(using: redis, now: t0 + 2, events: monitor)
        #expect(clock.reads == 2)
        #expect(down.sampled?.orphanedStartedTasks == 1)
        #expect(workerUp(down) == 0)
        #expect(down.events?.workers.first?.isUp == false)
    }

    @Test func aFailedPollStillCarriesItsReadingAndNothingSampled() throws {
        let (sampler, redis, monitor, clock) = try setUp()
        redis.failWhen = { $0.first == b("LLEN") }
        let failed = sampler.poll(using: redis, now: t0 + 1, events: monitor)
        #expect(clock.reads == 1)
        #expect(failed.sampled == nil)
        #expect(failed.failure?.stage == .queues)
        #expect(workerUp(failed) == 1, "Pub/Sub state is served on a failed poll too")
    }
}
