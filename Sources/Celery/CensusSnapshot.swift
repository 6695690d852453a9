/// The result-backend census: counts of `celery-task-meta-*` keys by state, published once the
/// first complete pass is done (never from a partial keyspace) and from then on kept current by
/// live result writes and predicted expiries between passes (see ``ResultCensus``), plus the live
/// index of STARTED metas.
public struct CensusSnapshot: Equatable, Sendable {
    /// Meta keys per state: the last complete pass plus live writes, predicted expiries and what the
    /// running pass has reconciled since; every state is present (0 when none).
    public var metaKeys: [TaskMetaState: Int]
    /// FAILURE metas whose exception is `WorkerLostError` (also counted under FAILURE).
    public var workerLostKeys: Int
    /// Seconds from the first `SCAN` of the last complete pass to its last one (spans polls).
    public var passDuration: Double
    /// Unix time the last complete pass ended.
    public var lastCompleteTimestamp: Double
    /// Seconds since the oldest known STARTED meta's task started (0 when none): the larger of
    /// `now − firstSeen` and the PTTL estimate `now − (result_expires − PTTL/1000)`; both are lower
    /// bounds of the true run time when `result_expires` is configured right.
    public var startedOldestAge: Double
    /// STARTED metas currently indexed (kept up to date by every pass, complete or not).
    public var startedTracked: Int
    /// Passes completed since the exporter started.
    public var passesCompleted: Int
    /// Keys tracked in memory (the compact hash table), for capacity planning.
    public var trackedKeys: Int
    /// Unix time as of which the counts include every change the exporter can observe: the census
    /// thread's last tick (≤ 1 s ago) while the Pub/Sub result stream has been up since before the
    /// last complete pass began; otherwise the end of the last complete pass. `forget()` deletions
    /// (no message is published) show only after the next complete pass.
    public var updatedTimestamp: Double = 0
    /// Live result writes applied since the start.
    public var liveWrites: UInt64 = 0
    /// Live writes of new keys not applied because the table was full (``ResultCensus/liveWriteCapacity(_:)``).
    public var liveWritesRefused: UInt64 = 0
    /// STARTED metas not tracked for age and orphans (``CensusTable/maximumStartedTracked``).
    public var startedRefused: UInt64 = 0
    /// Keys dropped at their predicted expiry since the start.
    public var predictedExpiries: UInt64 = 0
    /// Keys complete passes found gone that neither an event nor a predicted expiry had removed
    /// (`forget()`, missed writes, a wrong `--celery.result-expires`).
    public var vanishedInPasses: UInt64 = 0

    /// Creates a census snapshot.
    public init(
        metaKeys: [TaskMetaState: Int] = [:], workerLostKeys: Int = 0, passDuration: Double = 0,
        lastCompleteTimestamp: Double = 0, startedOldestAge: Double = 0, startedTracked: Int = 0,
        passesCompleted: Int = 0, trackedKeys: Int = 0
    ) {
        var filled: [TaskMetaState: Int] = [:]
        for state in TaskMetaState.allCases { filled[state] = metaKeys[state] ?? 0 }
        self.metaKeys = filled
        self.workerLostKeys = workerLostKeys
        self.passDuration = passDuration
        self.lastCompleteTimestamp = lastCompleteTimestamp
        self.startedOldestAge = startedOldestAge
        self.startedTracked = startedTracked
        self.passesCompleted = passesCompleted
        self.trackedKeys = trackedKeys
        self.updatedTimestamp = lastCompleteTimestamp
    }
}
