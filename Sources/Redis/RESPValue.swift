/// One RESP2 reply, copied out of hiredis's reply tree so the C memory can be freed at once.
/// Strings are bytes: keys and values are binary-safe (kombu's priority lists contain `\x06\x16`).
public enum RESPValue: Equatable, Sendable {
    /// A bulk string.
    case bulk([UInt8])
    /// A status reply such as `OK` or `PONG`.
    case status(String)
    /// An error reply (`-ERR ...`, `-WRONGTYPE ...`): a value, not a thrown error, so one bad
    /// command in a pipeline does not lose the other replies.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A nil bulk or nil array.
    case null
    /// A multi-bulk reply.
    indirect case array([RESPValue])
}

extension RESPValue {
    /// The integer value, also parsing a bulk string of digits (as `ZSCORE` returns); nil otherwise.
    public var integer: Int64? {
        switch self {
        case .integer(let v): return v
        case .bulk(let b): return Int64(String(decoding: b, as: UTF8.self))
        default: return nil
        }
    }

    /// The bytes of a bulk or status reply; nil otherwise.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let b): return b
        case .status(let s): return Array(s.utf8)
        default: return nil
        }
    }

    /// The elements of an array reply; nil otherwise.
    public var array: [RESPValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The text of an error reply; nil otherwise.
    public var errorMessage: String? {
        if case .error(let e) = self { return e }
        return nil
    }
}
