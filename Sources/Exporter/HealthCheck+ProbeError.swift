extension HealthCheck {
    /// The probed port answered, but not HTTP. (Connecting and TLS fail with their own errors.)
    enum ProbeError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The first `bytesRead` bytes of the reply hold no `HTTP/x.y NNN` status line.
        case noStatusLine(bytesRead: Int)

        /// `no HTTP status line in the first 12 bytes of the reply` (the reply itself is not shown).
        var description: String {
            switch self {
            case .noStatusLine(let count): return "no HTTP status line in the first \(count) bytes of the reply"
            }
        }
    }
}
