/// A server that cannot start because of its configuration. Binding failures are reported as
/// the `SocketError` that names the address instead.
public enum HTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The ``HTTPServerConfiguration`` property `setting` is out of range; `requirement` says
    /// what it must be (`must be at least 1`).
    case invalidConfiguration(setting: String, requirement: String)

    /// The message for the start-up error line.
    public var description: String {
        switch self {
        case .invalidConfiguration(let setting, let requirement):
            return "invalid HTTP server configuration: \(setting) \(requirement)"
        }
    }
}
