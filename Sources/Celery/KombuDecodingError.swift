import JSON

/// Why a kombu payload (a queue element or an `unacked` hash value) could not be decoded. The
/// description names what was expected, never the payload itself.
public enum KombuDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not JSON.
    case invalidJSON(JSONError)
    /// A queue message (or the first element of an `unacked` value) that is not a JSON object.
    case messageNotAnObject
    /// An `unacked` hash value that is not a 3-element array.
    case unackedNotATriple
    /// An `unacked` hash value whose exchange or routing key is not a string.
    case unackedRoutingNotStrings

    /// One line for logs.
    public var description: String {
        switch self {
        case .invalidJSON(let error): return "kombu payload is not JSON: \(error)"
        case .messageNotAnObject: return "message is not a JSON object"
        case .unackedNotATriple: return "unacked value is not a 3-element array"
        case .unackedRoutingNotStrings: return "unacked exchange or routing key is not a string"
        }
    }
}
