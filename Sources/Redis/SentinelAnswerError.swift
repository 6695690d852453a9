import Sockets

/// Why one sentinel's answer to `SENTINEL GET-MASTER-ADDR-BY-NAME` was not used. Never thrown to
/// a caller: each is counted under its ``reason`` and logged, and when no sentinel answered
/// usefully their descriptions are joined into one ``RedisError/connect(endpoint:reason:)``.
/// Nothing the sentinel sent is shown unescaped: its host only when it is one of the unspecified
/// addresses, its error reply and RESP complaints through ``RedisError/sanitizedServerText(_:maximumBytes:)``.
enum SentinelAnswerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The sentinel answered nil: it monitors no master of that name.
    case noSuchMaster(name: String)
    /// The sentinel answered with an error reply (its text, shown sanitised and cut).
    case errorReply(message: String)
    /// The answer was not two bulk strings; `shape` is ``SentinelResolver/shape(of:)``, never content.
    case notHostAndPort(shape: String)
    /// The host was empty, longer than ``SentinelResolver/maximumHostLength`` or had a character a
    /// host name cannot have; `bytes` is its length.
    case implausibleHost(bytes: Int)
    /// The host was the unspecified address in some spelling (`0.0.0.0`, `0`, `0x0`, `::`,
    /// `::ffff:0.0.0.0`, …), which names no server and would connect to this machine.
    case unspecifiedHost(String)
    /// The port was not a number from 1 to 65535.
    case implausiblePort
    /// The answer was larger than the sentinel reply limit (`limit` bytes).
    case replyTooLarge(limit: Int)
    /// The bytes were not RESP; `message` is the reader's complaint.
    case notRESP(message: String)
    /// The sentinel could not be reached, refused our credentials or did not answer in time.
    case unreachable(RedisError)

    /// The `reason` label this answer is counted under.
    var reason: SentinelResolver.FailureReason {
        switch self {
        case .noSuchMaster, .errorReply: return .unknownMaster
        case .notHostAndPort, .implausibleHost, .unspecifiedHost, .implausiblePort, .replyTooLarge, .notRESP:
            return .badReply
        case .unreachable: return .unreachable
        }
    }

    /// One line for the log and for the error naming every sentinel's problem.
    var description: String {
        switch self {
        case .noSuchMaster(let name): return "no master named \"\(name)\" is monitored"
        case .errorReply(let message):
            return "error reply: \(RedisError.sanitizedServerText(message, maximumBytes: 200))"
        case .notHostAndPort(let shape): return "expected [host, port], got \(shape)"
        case .implausibleHost(let bytes): return "implausible master host (\(bytes) bytes)"
        case .unspecifiedHost(let host): return "the unspecified address \(host) is not a master address"
        case .implausiblePort: return "implausible master port"
        case .replyTooLarge(let limit): return "answer larger than \(limit) bytes"
        case .notRESP(let message):
            // The first 120 characters as before, control characters escaped.
            return "not RESP: \(RedisError.sanitizedServerText(String(message.prefix(120)), maximumBytes: .max))"
        case .unreachable(let error): return "\(error)"
        }
    }
}
