/// A failed Redis operation, with the context captured where it happened (the house error style,
/// docs/error-style.md, in its reference form).
///
/// Error *replies* to ordinary commands are not thrown: they come back as ``RESPValue/error(_:)``
/// in their place in the pipeline. This type is for failures that lose the connection or make a
/// helper's result meaningless. No case ever carries a password: authentication messages are the
/// server's text with any occurrence of the secret replaced by `***`.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The transport could not be established (refused, unreachable, unresolvable, bad socket path).
    /// `endpoint` is the address without credentials.
    case connect(endpoint: String, reason: String)
    /// The TLS handshake or certificate verification failed; `reason` is the TLS layer's text.
    case tls(endpoint: String, reason: String)
    /// The server rejected our credentials or requires some (`WRONGPASS`, `NOAUTH`, ...).
    case authentication(message: String)
    /// The server answered a command the connection or a helper depends on with an error reply
    /// (`SELECT` out of range, `SCAN` on a server that refuses it, `LOADING` during start-up).
    case server(command: String, message: String)
    /// The bytes from the server are not valid RESP2, or a reply had an unexpected shape.
    case `protocol`(message: String)
    /// A single reply exceeded the configured maximum; the connection was dropped rather than
    /// buffering without bound.
    case replyTooLarge(limit: Int)
    /// An operation did not finish within its timeout.
    case timedOut(operation: String)
    /// The connection is closed: by the peer, or already broken by an earlier failure.
    case closed
    /// A read or write on an established connection failed (`reason` names the call and errno).
    case io(reason: String)
    /// The client is waiting out its reconnect backoff after `lastError`; it did not try to
    /// connect. `retryAfter` is how long until it will.
    indirect case backingOff(retryAfter: Duration, lastError: RedisError)

    /// One line for logs and start-up messages.
    public var description: String {
        switch self {
        case .connect(let endpoint, let reason): return "cannot connect to Redis at \(endpoint): \(reason)"
        case .tls(let endpoint, let reason): return "TLS with Redis at \(endpoint) failed: \(reason)"
        case .authentication(let message):
            return "Redis authentication failed: \(RedisError.sanitizedServerText(message))"
        case .server(let command, let message):
            return "Redis \(RedisError.sanitizedServerText(command)) failed: \(RedisError.sanitizedServerText(message))"
        case .protocol(let message): return "Redis protocol error: \(RedisError.sanitizedServerText(message))"
        case .replyTooLarge(let limit): return "Redis reply larger than the \(limit)-byte limit"
        case .timedOut(let operation): return "Redis \(operation) timed out"
        case .closed: return "Redis connection closed"
        case .io(let reason): return "Redis I/O error: \(reason)"
        case .backingOff(let retryAfter, let lastError):
            return "Redis unavailable (reconnecting in \(RedisError.milliseconds(retryAfter)) ms): \(lastError)"
        }
    }

    /// True for failures that configuration must fix (credentials, TLS trust) rather than waiting.
    /// The client still backs off and retries them; this is for log levels and readiness reasons.
    public var isConfigurationProblem: Bool {
        switch self {
        case .authentication, .tls: return true
        case .backingOff(_, let last): return last.isConfigurationProblem
        default: return false
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
