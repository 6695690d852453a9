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
    /// An address cannot be used: `address` as given, `problem` why.
    case invalidAddress(address: String, problem: AddressProblem)

    public var description: String {
        switch self {
        case .failed(let call, let code): return "\(call): \(String(cString: strerror(code)))"
        case .resolution(let host, let reason): return "cannot resolve \(host): \(reason)"
        case .timedOut(let operation): return "\(operation) timed out"
        case .closed: return "connection closed by peer"
        case .cancelled: return "cancelled (shutting down)"
        case .invalidAddress(let address, .unixPathTooLong): return "invalid address \(address)"
        case .invalidAddress(let address, .notTCP):
            return "invalid address \(address) (only TCP listeners are supported)"
        }
    }

    /// Why an address cannot be used.
    public enum AddressProblem: Equatable, Sendable {
        /// A unix-socket path of `bytes` bytes does not fit `sockaddr_un` (at most `limit`).
        case unixPathTooLong(bytes: Int, limit: Int)
        /// A listener was asked for a unix-socket endpoint; only TCP listeners are supported.
        case notTCP
    }

    /// Builds `.failed` from the current `errno`.
    public static func lastError(_ call: String) -> SocketError {
        .failed(call: call, errno: errno)
    }
}
