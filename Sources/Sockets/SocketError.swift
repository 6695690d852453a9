#if canImport(Glibc)
    import Glibc
#endif

/// A failed socket operation, with the system call and `errno` captured where it happened.
public enum SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed; `errno` is kept so callers can tell `ECONNREFUSED` from `ETIMEDOUT`.
    case failed(call: String, errno: Int32)
    /// A host name could not be resolved (`getaddrinfo` said so).
    case resolution(host: String, reason: String)
    /// The operation did not finish within its deadline.
    case timedOut(operation: String)
    /// The peer closed the connection.
    case closed
    /// The wait was cut by a ``CancellationToken`` (shutdown), before its deadline.
    case cancelled
    /// An address string could not be parsed.
    case invalidAddress(String)

    public var description: String {
        switch self {
        case .failed(let call, let code): return "\(call): \(String(cString: strerror(code)))"
        case .resolution(let host, let reason): return "cannot resolve \(host): \(reason)"
        case .timedOut(let operation): return "\(operation) timed out"
        case .closed: return "connection closed by peer"
        case .cancelled: return "cancelled (shutting down)"
        case .invalidAddress(let text): return "invalid address \(text)"
        }
    }

    /// Builds `.failed` from the current `errno`.
    public static func lastError(_ call: String) -> SocketError {
        .failed(call: call, errno: errno)
    }
}
