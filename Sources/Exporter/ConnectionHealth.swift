import Redis
import Synchronization

/// Whether one Redis connection of the exporter works, as its own traffic shows: the outcome of
/// its latest round trip. Written by the thread that owns the connection, read by the poller.
///
/// It exists for connections other than the poller's (whose health is `celery_redis_up`): the
/// census connection to a separate result backend, which must report its own up/down without
/// making the broker look down.
public final class ConnectionHealth: Sendable {
    /// The latest outcome.
    public struct Status: Sendable, Equatable {
        /// nil before the first round trip.
        public var isUp: Bool?
        /// Monotonic seconds of the latest round trip (nil before the first).
        public var lastRoundTrip: Double?
        /// The latest failure, redacted by ``RedisError``'s description; nil while up.
        public var lastError: String?
    }

    private let state = Mutex(Status())

    public init() {}

    /// The current status.
    public var status: Status { state.withLock { $0 } }

    /// Records a round trip that got its replies at `now` (monotonic seconds).
    public func recordSuccess(at now: Double) {
        state.withLock {
            $0.isUp = true
            $0.lastRoundTrip = now
            $0.lastError = nil
        }
    }

    /// Records a failed round trip (transport, connect, authentication) at `now`.
    public func recordFailure(_ error: any Error, at now: Double) {
        let text = RedisError.sanitizedServerText("\(error)")
        state.withLock {
            $0.isUp = false
            $0.lastRoundTrip = now
            $0.lastError = text
        }
    }
}

/// A ``RedisCommandExecuting`` that forwards to another and records each round trip's outcome in
/// a ``ConnectionHealth``; ``probeIfIdle(interval:)`` sends a `PING` when the connection has been
/// quiet for longer than `interval`, so the status stays current between census passes.
final class HealthRecordingExecutor: RedisCommandExecuting {
    private let base: any RedisCommandExecuting
    let health: ConnectionHealth

    init(_ base: any RedisCommandExecuting, health: ConnectionHealth) {
        self.base = base
        self.health = health
    }

    func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        do {
            let replies = try base.pipeline(commands)
            health.recordSuccess(at: monotonicNow())
            return replies
        } catch {
            health.recordFailure(error, at: monotonicNow())
            throw error
        }
    }

    /// `PING` when the last round trip is older than `interval` seconds (or there was none). An
    /// error reply (e.g. `NOPERM`) still proves the connection works; a thrown error is recorded.
    func probeIfIdle(interval: Double) {
        if let last = health.status.lastRoundTrip, monotonicNow() - last < interval { return }
        _ = try? pipeline([redisCommand("PING")])
    }
}
