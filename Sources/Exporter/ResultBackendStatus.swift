import Exposition
import Logging
import Redis
import Synchronization

/// Up/down of a result backend that is not the broker's database (`--celery.result-backend-url`),
/// as its own gauge: `celery_redis_up` stays the broker's poll, so a down result backend neither
/// makes the broker look down, nor fires the broker's alert, nor fails `/-/ready` (queues and
/// workers are still watched). It reads 1 when every exporter connection to it works: the census
/// connection (its latest round trip, probed with `PING` when idle) and the result-write
/// subscription. Changes are logged once each (warning down, info up).
final class ResultBackendStatus: Sendable {
    private let census: ConnectionHealth?
    private let subscriber: RedisSubscriber?
    private let logger: Logger
    private let lastReported = Mutex<Bool?>(nil)

    init(census: ConnectionHealth?, subscriber: RedisSubscriber?, logger: Logger) {
        self.census = census
        self.subscriber = subscriber
        self.logger = logger
    }

    /// Whether every connection to the result backend works right now, and why not.
    func evaluate() -> (up: Bool, reason: String?) {
        if let census {
            let status = census.status
            if status.isUp != true {
                return (
                    false,
                    status.lastError.map { "census connection: \($0)" } ?? "census connection not established yet"
                )
            }
        }
        if let subscriber {
            let status = subscriber.status
            if !status.isSubscribed {
                return (
                    false,
                    status.lastError.map { "result-write subscription: \($0)" }
                        ?? "result-write subscription not established yet"
                )
            }
        }
        return (true, nil)
    }

    /// `celery_redis_result_backend_up`; logs a change since the last one logged (a down state only
    /// once it has an error to show: at start-up the connections may simply not be made yet).
    func families() -> [MetricFamily] {
        let (up, reason) = evaluate()
        let failed = reason.map { !$0.hasSuffix("not established yet") } ?? false
        let log = lastReported.withLock { logged -> Bool in
            guard up ? logged != true : (logged != false && failed) else { return false }
            logged = up
            return true
        }
        if log {
            if up {
                logger.info("result backend reachable")
            } else {
                logger.warning(
                    "result backend unreachable; celery_redis_result_backend_up is 0 (the broker is still polled)",
                    metadata: ["err": "\(reason ?? "unknown")"])
            }
        }
        return [
            MetricFamily(.resultBackendUp, value: up ? 1 : 0)
        ]
    }
}
