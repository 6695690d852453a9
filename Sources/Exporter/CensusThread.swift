import Celery
import Logging
import Redis
import Sockets
import Synchronization

/// Runs the result census (``ResultCensus/run(using:clock:wait:)``) on its own native thread with
/// its own Redis connection, so a reconciliation pass never delays a poll (a pass over 10⁶ keys
/// takes about a second of Redis time; the poll now only reads the census's counts under a lock).
///
/// The connection uses the poller's settings and reconnect backoff. The loop blocks in socket
/// reads and sleeps, so it gets a native thread, never a Swift concurrency task (``NativeThread``
/// says why).
public final class CensusThread: Sendable {
    /// The census the thread runs (shared with the sampler, which reads it, and the listener,
    /// which feeds it live writes).
    public let census: ResultCensus

    private let redis: RedisConfiguration
    private let backoff: ReconnectBackoff
    private let sentinel: SentinelResolver?
    private let logger: Logger
    private let stopSignal = StopSignal()
    /// Cancelled with the stop: cuts a connect, Sentinel round or read in progress.
    private let cancellation = CancellationToken()
    private let thread = Mutex<NativeThread?>(nil)
    /// The census connection's up/down (see ``init(census:redis:backoff:logger:health:)``).
    public let health: ConnectionHealth?
    private let probeInterval: Double

    /// Creates the thread's owner; nothing connects until ``start()``. With `sentinel`, every
    /// (re)connect asks it for the master.
    /// - Parameters:
    ///   - redis: the result backend's connection settings (the broker's unless results live elsewhere).
    ///   - health: when given, every round trip's outcome is recorded there, and a `PING` is sent
    ///     whenever the connection has been quiet for `probeInterval` seconds (between passes the
    ///     census may not talk to Redis for minutes), so a separate result backend's up/down is
    ///     current within about one probe interval.
    public init(
        census: ResultCensus, redis: RedisConfiguration, backoff: ReconnectBackoff,
        sentinel: SentinelResolver? = nil, logger: Logger,
        health: ConnectionHealth? = nil, probeInterval: Double = 15
    ) {
        self.census = census
        self.sentinel = sentinel
        self.redis = redis
        self.backoff = backoff
        self.logger = logger
        self.health = health
        self.probeInterval = probeInterval
    }

    /// Starts the thread (once; later calls do nothing). Throws only when it cannot be created.
    public func start() throws {
        try thread.withLock { thread in
            guard thread == nil else { return }
            let census = self.census
            let configuration = self.redis
            let backoff = self.backoff
            let sentinel = self.sentinel
            let logger = self.logger
            let stop = self.stopSignal
            let cancellation = self.cancellation
            let health = self.health
            let probeInterval = self.probeInterval
            thread = try NativeThread.spawn(name: "census") {
                // Created on the thread that uses it: a RedisClient is confined to one thread.
                let client = RedisClient(
                    configuration: configuration, backoff: backoff, sentinel: sentinel, cancellation: cancellation,
                    logger: logger)
                if let health {
                    let recording = HealthRecordingExecutor(client, health: health)
                    census.run(
                        using: recording, clock: { wallClockNow() },
                        wait: { seconds in
                            if stop.isTriggered { return true }
                            recording.probeIfIdle(interval: probeInterval)
                            return stop.wait(seconds: seconds)
                        })
                } else {
                    census.run(using: client, clock: { wallClockNow() }, wait: { stop.wait(seconds: $0) })
                }
                client.close()
            }
        }
    }

    /// Whether the thread was started and not yet joined by ``stop()``.
    var isRunning: Bool { thread.withLock { $0 != nil } }

    /// Asks the loop to stop without waiting for it (``stop()`` waits).
    public func requestStop() {
        stopSignal.trigger()
        cancellation.cancel()
    }

    /// Stops the loop and waits for the thread: within a second while it sleeps between calls;
    /// a connect, Sentinel round or read in progress is cut at once. Idempotent.
    public func stop() {
        requestStop()
        let running = thread.withLock { thread -> NativeThread? in
            defer { thread = nil }
            return thread
        }
        if let running, !running.isCurrent { running.join() }
    }
}
