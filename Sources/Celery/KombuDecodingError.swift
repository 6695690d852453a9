import JSON

/// Why a kombu payload (a queue element or an `unacked` hash value) could not be decoded.
public enum KombuDecodingError: Error, Equatable, Sendable {
    /// The bytes are not JSON.
    case invalidJSON(JSONError)
    /// Valid JSON of the wrong shape; the text names what was expected (never the payload itself).
    case unexpectedShape(String)
}
