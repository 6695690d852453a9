import Redis

/// The replies of a poll's main round (``RoundPlan``), named by what they answer.
struct RoundReplies {
    /// One `LLEN` reply of one priority list.
    struct Length {
        /// The priority step (0–9).
        var step: Int
        /// The list's key (for the warning about a non-list key).
        var key: [UInt8]
        /// `LLEN`'s reply.
        var reply: RESPValue
    }

    /// Per queue, in the plan's (sorted) order: its ten `LLEN` replies.
    var lengths: [(queue: String, steps: [Length])]
    /// `ZCARD unacked_index`.
    var unackedCount: RESPValue
    /// `ZCOUNT unacked_index -inf (cutoff`.
    var strandedCount: RESPValue
    /// The replies of the index read (``UnackedIndexMirror/commands(_:key:limit:)``), in order;
    /// empty when the sample limit is 0.
    var unackedRead: [RESPValue]
}
