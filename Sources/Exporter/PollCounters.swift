import Celery

/// The exporter's own counters that outlive a single poll (owned by the poller thread).
public struct PollCounters: Sendable, Equatable {
    /// Failed polls per stage; every stage is present from the start so the series exist at 0.
    public var errorsByStage: [PollStage: UInt64] = Dictionary(uniqueKeysWithValues: PollStage.allCases.map { ($0, 0) })
    /// Redis error replies (WRONGTYPE and the like) per stage, summed over polls.
    public var commandErrorsByStage: [PollStage: UInt64] = Dictionary(
        uniqueKeysWithValues: PollStage.allCases.map { ($0, 0) })
    /// Unix time the last poll finished, whatever its outcome.
    public var lastPollTimestamp: Double?
    /// Unix time the last successful poll finished.
    public var lastSuccessTimestamp: Double?

    public init() {}
}
