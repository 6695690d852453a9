/// The cost of the backlog stage since the sampler started, and what it remembers now.
public struct BacklogReadStats: Equatable, Sendable {
    /// Messages read from Redis to find their task name (remembered ones are not read again).
    public var messagesRead: UInt64 = 0
    /// Bytes Redis copied into the script for those reads (whole messages: `LINDEX` has no partial read).
    public var bytesCopied: UInt64 = 0
    /// Messages remembered between polls (about 40 bytes each, plus shared names).
    public var tracked = 0
    /// Most messages remembered (``BacklogTracker/maxTrackedMessages``).
    public var trackedLimit = 0

    /// No reads yet.
    public init() {}
}
