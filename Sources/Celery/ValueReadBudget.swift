/// Byte budgets for values read from Redis (kombu messages in queue lists and in `unacked`).
///
/// Celery task arguments of many megabytes are ordinary, and Redis values can reach 512 MB; the
/// reply cap of the Redis connection (64 MiB) must never be what decides whether a poll succeeds.
/// So no pipelined round asks for more than ``roundBytes`` of values, a value up to
/// ``wholeValueBytes`` is read whole, and a larger one only as its first and last ``sliceBytes``
/// (a server-side script, see ``SliceScript``): kombu's JSON puts the base64 `body` first and
/// `headers`/`properties` (task name, ETA, routing key) after it, so the tail holds what the
/// exporter needs.
public struct ValueReadBudget: Sendable, Equatable {
    /// Values up to this size are read whole (`HMGET`, or the script's whole-value answer).
    public var wholeValueBytes: Int
    /// Bytes read from each end of a larger value.
    public var sliceBytes: Int
    /// Upper bound on the value bytes one pipelined round may return.
    public var roundBytes: Int

    /// Creates a budget; the defaults keep a round at 4 MiB and an oversized value at 32 KiB.
    public init(wholeValueBytes: Int = 64 * 1024, sliceBytes: Int = 16 * 1024, roundBytes: Int = 4 * 1024 * 1024) {
        precondition(
            sliceBytes > 0 && wholeValueBytes >= 2 * sliceBytes && roundBytes >= wholeValueBytes,
            "need 0 < 2 × sliceBytes ≤ wholeValueBytes ≤ roundBytes")
        self.wholeValueBytes = wholeValueBytes
        self.sliceBytes = sliceBytes
        self.roundBytes = roundBytes
    }

    /// The largest reply one script call can produce (whole value, or two slices plus framing).
    var maximumScriptReplyBytes: Int { max(wholeValueBytes, 2 * sliceBytes) + 64 }

    /// Script calls per pipelined round so that their replies together stay within ``roundBytes``.
    var scriptCallsPerRound: Int { max(1, roundBytes / maximumScriptReplyBytes) }
}

/// Why a value's fields were not read.
public enum UnreadReason: String, Sendable, CaseIterable, Hashable {
    /// Redis refused the slicing script (ACL without `EVALSHA_RO`/`EVALSHA`/`SCRIPT LOAD`, or
    /// scripting renamed away): an `unacked` value over the whole-value budget (its size is known
    /// from `HSTRLEN`), or any queue tail (a list element's size cannot be asked for).
    case scriptingUnavailable = "scripting_unavailable"
    /// The head and tail slices were read, but the fields needed were not in them.
    case beyondSlice = "beyond_slice"
    /// A queue tail that may be huge (``HugeTailCache``) waits for its turn: at most one huge tail
    /// is read per poll.
    case deferred = "deferred"
}
