import Synchronization

/// Counters of what an ``HTTPServer`` did under load, for the exporter's own metrics.
/// Monotonic since start, except ``openConnections``.
public struct HTTPServerStatistics: Sendable, Equatable {
    /// Connections open now, over all loops.
    public var openConnections: Int
    /// Connections accepted and served (not counting those refused at once).
    public var connectionsAccepted: UInt64
    /// Idle keep-alive connections closed to make room for a new one at the connection cap or
    /// when the process was out of file descriptors.
    public var connectionsEvicted: UInt64
    /// Connections answered `503` and closed at once: the cap was reached and nothing was idle.
    public var connectionsRejectedAtCap: UInt64
    /// Connections accepted on a reserved descriptor while the process was out of descriptors
    /// (`EMFILE`), answered `503` and closed so the client does not wait for a timeout.
    public var connectionsShed: UInt64
    /// `accept()` failures by reason: `emfile` (process out of descriptors), `enfile` (system out
    /// of descriptors), `enomem` (out of memory or socket buffers).
    public var acceptErrors: [String: UInt64]
    /// Requests that did not arrive whole within the request timeout (`408`).
    public var requestTimeouts: UInt64
    /// Deferred responses not completed within their deadline (`503`).
    public var deferredResponseTimeouts: UInt64
    /// TLS handshakes that failed, by reason: `error` (no common version or cipher, a missing or
    /// rejected client certificate, garbage), `http_on_tls` (plain HTTP sent to the TLS port,
    /// answered 400), `timeout` (not finished within the request timeout).
    public var tlsHandshakeFailures: [String: UInt64] = [:]

    /// The reasons ``tlsHandshakeFailures`` knows, each reported from the start.
    public static let tlsHandshakeFailureReasons = ["error", "http_on_tls", "timeout"]

    /// The reasons ``acceptErrors`` knows, each reported from the start.
    public static let acceptErrorReasons = ["emfile", "enfile", "enomem"]
}

/// The server's counters, bumped by loop threads, read by anyone.
final class HTTPServerCounters: Sendable {
    let accepted = Atomic<UInt64>(0)
    let evicted = Atomic<UInt64>(0)
    let rejectedAtCap = Atomic<UInt64>(0)
    let shed = Atomic<UInt64>(0)
    let acceptEMFILE = Atomic<UInt64>(0)
    let acceptENFILE = Atomic<UInt64>(0)
    let acceptENOMEM = Atomic<UInt64>(0)
    let requestTimeouts = Atomic<UInt64>(0)
    let deferredTimeouts = Atomic<UInt64>(0)
    let tlsHandshakeErrors = Atomic<UInt64>(0)
    let tlsPlainHTTP = Atomic<UInt64>(0)
    let tlsHandshakeTimeouts = Atomic<UInt64>(0)

    func snapshot(openConnections: Int) -> HTTPServerStatistics {
        HTTPServerStatistics(
            openConnections: openConnections, connectionsAccepted: accepted.load(ordering: .relaxed),
            connectionsEvicted: evicted.load(ordering: .relaxed),
            connectionsRejectedAtCap: rejectedAtCap.load(ordering: .relaxed), connectionsShed: shed.load(ordering: .relaxed),
            acceptErrors: [
                "emfile": acceptEMFILE.load(ordering: .relaxed), "enfile": acceptENFILE.load(ordering: .relaxed),
                "enomem": acceptENOMEM.load(ordering: .relaxed),
            ],
            requestTimeouts: requestTimeouts.load(ordering: .relaxed),
            deferredResponseTimeouts: deferredTimeouts.load(ordering: .relaxed),
            tlsHandshakeFailures: [
                "error": tlsHandshakeErrors.load(ordering: .relaxed), "http_on_tls": tlsPlainHTTP.load(ordering: .relaxed),
                "timeout": tlsHandshakeTimeouts.load(ordering: .relaxed),
            ])
    }
}
