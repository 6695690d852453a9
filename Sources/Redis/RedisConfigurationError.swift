/// A Redis URL that could not be parsed. Shown to users at start-up, so it names what was
/// expected, and it quotes the URL only in redacted form (`redis://***@host`).
public enum RedisConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `redacted` is the URL as given with any user information replaced by `***` (redacted by the
    /// thrower); `reason` says what is wrong and what was expected.
    case invalidURL(redacted: String, reason: String)

    /// The URL as given, with any user information replaced by `***`.
    public var redactedURL: String {
        switch self {
        case .invalidURL(let redacted, _): return redacted
        }
    }

    /// `invalid Redis URL "<redacted>": <reason>`.
    public var description: String {
        switch self {
        case .invalidURL(let redacted, let reason): return "invalid Redis URL \"\(redacted)\": \(reason)"
        }
    }
}
