/// Failures the census raises itself (beyond what the executor throws); the pass is abandoned,
/// counted as a command error and logged at debug level.
enum ResultCensusError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `SCAN` answered with something other than `[cursor, [keys]]` (e.g. a NOPERM error reply).
    case malformedScanReply
    /// The cursor had not come back to 0 after `calls` calls, ten times those `DBSIZE` predicted
    /// (a server that is not Redis): the pass is abandoned rather than walked for ever.
    case scanDidNotEnd(calls: Int)

    /// One line for logs; never the reply itself (a server's text is outside text).
    var description: String {
        switch self {
        case .malformedScanReply: return "SCAN did not answer with [cursor, [keys]]"
        case .scanDidNotEnd(let calls): return "SCAN cursor did not return to 0 after \(calls) calls"
        }
    }
}
