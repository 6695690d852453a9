extension RedisSubscriber {
    /// A snapshot of the subscriber's connection state and counts, safe to read from any thread.
    public struct Status: Equatable, Sendable {
        /// True between a confirmed subscription and the next failure.
        public var isSubscribed = false
        /// Subscriptions established so far (the first connection included).
        public var subscriptions = 0
        /// Subscriptions re-established after an earlier one was lost or failed: `subscriptions − 1`
        /// once there has been at least one.
        public var reconnects: Int { max(0, subscriptions - 1) }
        /// Failed connection attempts and lost connections since start.
        public var failures = 0
        /// Messages delivered to the handler since start.
        public var messages: UInt64 = 0
        /// Messages dropped unread because they were larger than
        /// ``RedisSubscriber/maximumMessageBytes`` (each also means a missed event).
        public var droppedMessages: UInt64 = 0
        /// The most recent failure; cleared when a subscription is established again.
        public var lastError: RedisError?

        /// An initial status: not subscribed, nothing counted.
        public init() {}
    }

    /// Bookkeeping for the rate-limited warning about dropped messages; lives on the run thread.
    struct DropLog {
        /// The current connection's discard count already added to ``Status/droppedMessages``.
        var connectionCounted = 0
        /// Drops not yet reported in a warning.
        var sinceWarning = 0
        /// When the last warning was logged (monotonic nanoseconds); nil before the first.
        var lastWarning: Int64?
    }
}
