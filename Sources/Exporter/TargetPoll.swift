import Celery
import Exposition

/// What one poll of one target produced: its snapshot and its families, unlabelled (the poller
/// adds `target="<name>"` when several targets are composed), grouped by where they sit in
/// `/metrics` so that one target's output keeps today's order byte for byte.
public struct TargetPoll: Sendable {
    /// The target's name; nil for the single target from flags.
    public var name: String?
    /// The poll, with its one reading of the event monitor (``Snapshot/events``).
    public var snapshot: Snapshot
    /// The families built from ``snapshot`` (the sampler's, then the event reading's; first in `/metrics`).
    public var families: [MetricFamily]
    /// The target's connection families served after the HTTP server's (dropped Pub/Sub messages,
    /// `celery_redis_result_backend_up`).
    public var connectionFamilies: [MetricFamily]
    /// The Sentinel resolver's families (served after the process's).
    public var sentinelFamilies: [MetricFamily]
    /// Unix time the last successful poll of this target finished.
    public var lastSuccessAt: Double?
    /// Unix time this poll finished.
    public var finishedAt: Double
    /// What `/-/ready` needs of it.
    public var readiness: TargetReadiness
}

extension TargetPoll {
    /// What a target serves before its first poll: `up 0` and its counters at zero. Only its
    /// families are read (the status page and readiness start from their own initial states).
    static func initial(name: String?, families: [MetricFamily]) -> TargetPoll {
        TargetPoll(
            name: name,
            snapshot: .failure(stage: .connect, timestamp: 0, pollDuration: 0, reason: "not polled yet"),
            families: families, connectionFamilies: [], sentinelFamilies: [],
            lastSuccessAt: nil, finishedAt: 0,
            readiness: TargetReadiness(name: name, lastPollSucceeded: false, lastPollMonotonic: nil, lastFailure: nil))
    }
}
