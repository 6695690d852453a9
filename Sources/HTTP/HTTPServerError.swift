/// A server that cannot start because of its configuration. Binding failures are reported as
/// the `SocketError` that names the address instead.
public enum HTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A setting is out of range; the text names the setting and what was expected.
    case invalidConfiguration(String)

    /// The message for the start-up error line.
    public var description: String {
        switch self {
        case .invalidConfiguration(let text): return "invalid HTTP server configuration: \(text)"
        }
    }
}
