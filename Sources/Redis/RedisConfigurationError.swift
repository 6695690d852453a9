/// A Redis URL that could not be parsed. Shown to users at start-up, so it names what was
/// expected, and it quotes the URL only in redacted form (`redis://***@host`).
public struct RedisConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL as given, with any user information replaced by `***`.
    public let redactedURL: String
    /// What is wrong and what was expected.
    public let reason: String

    /// Creates an error; `redactedURL` must already be redacted.
    public init(redactedURL: String, reason: String) {
        self.redactedURL = redactedURL
        self.reason = reason
    }

    /// `invalid Redis URL "<redacted>": <reason>`.
    public var description: String { "invalid Redis URL \"\(redactedURL)\": \(reason)" }
}
