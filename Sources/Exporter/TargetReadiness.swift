/// One target's part of `/-/ready`: the outcome and time of its last poll.
public struct TargetReadiness: Sendable, Equatable {
    /// The target's name; nil for the single target from flags.
    public var name: String?
    /// Whether its last poll succeeded.
    public var lastPollSucceeded: Bool
    /// Monotonic time its last poll finished (nil before the first).
    public var lastPollMonotonic: Double?
    /// Why its last poll failed, safe to show (no secrets).
    public var lastFailure: String?

    public init(name: String?, lastPollSucceeded: Bool, lastPollMonotonic: Double?, lastFailure: String?) {
        self.name = name
        self.lastPollSucceeded = lastPollSucceeded
        self.lastPollMonotonic = lastPollMonotonic
        self.lastFailure = lastFailure
    }
}
