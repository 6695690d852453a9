/// Why a signing secret file could not be used (never quotes the secret).
public struct WebhookSecretError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let reason: String
    /// The reason.
    public var description: String { reason }
}
