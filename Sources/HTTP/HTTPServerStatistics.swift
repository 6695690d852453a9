import Synchronization

/// Counters of what an ``HTTPServer`` did under load, for the exporter's own metrics.
/// Monotonic since start, except ``openConnections``.
public struct HTTPServerStatistics: Sendable, Equatable {
    /// Connections open now, over all loops.
    public var openConnections: Int
    /// Connections accepted and served (not counting those refused at once).
    public var connectionsAccepted: UInt64
    /// Connections closed to make room for a new one at the connection cap or when the process
    /// was out of file descriptors, all reasons together (see ``connectionsEvictedByReason``).
    public var connectionsEvicted: UInt64
    /// ``connectionsEvicted`` by ``EvictionReason``: `idle` (keep-alive, no request in
    /// progress) or `partial_head` (a request head still arriving, or no request sent yet:
    /// slowloris).
    public var connectionsEvictedByReason: [String: UInt64]
    /// Connections answered `503` and closed at once: the cap was reached and nothing was idle.
    public var connectionsRejectedAtCap: UInt64
    /// Connections answered `503` and closed at once: their address held its per-client share
    /// of connections and none of them could be closed.
    public var connectionsRejectedAtClientCap: UInt64
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
    /// Request bytes read and not yet answered plus response bytes not yet sent, over all
    /// connections now. Bounded per connection by the input and output caps (see
    /// ``HTTPServerLoop``), whatever clients pipeline.
    public var queuedBytes: Int
    /// The most bytes (as in ``queuedBytes``) any one connection has held at once since start.
    public var peakConnectionQueuedBytes: Int
    /// Times a connection's service was cut short to let others have the loop, by reason:
    /// `output_cap` (its unsent output passed the cap: it stops reading until the client reads),
    /// `turn_budget` (it used its share of requests or bytes written for one loop turn).
    public var connectionPauses: [String: UInt64]

    /// Why a connection was closed to admit another.
    public enum EvictionReason: String, CaseIterable, Sendable {
        /// A keep-alive connection with no request in progress.
        case idle
        /// A connection whose request head has not arrived whole, or that has sent no request
        /// yet (oldest first).
        case partialHead = "partial_head"
    }

    /// The reasons ``connectionPauses`` knows, each reported from the start.
    public static let pauseReasons = ["output_cap", "turn_budget"]
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
    let evictedIdle = Atomic<UInt64>(0)
    let evictedPartialHead = Atomic<UInt64>(0)
    let pausedOutputCap = Atomic<UInt64>(0)
    let pausedTurnBudget = Atomic<UInt64>(0)
    let queuedBytes = Atomic<Int>(0)
    let peakConnectionQueuedBytes = Atomic<Int>(0)
    let rejectedAtCap = Atomic<UInt64>(0)
    let rejectedAtClientCap = Atomic<UInt64>(0)
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
            connectionsEvicted: evictedIdle.load(ordering: .relaxed) + evictedPartialHead.load(ordering: .relaxed),
            connectionsEvictedByReason: [
                "idle": evictedIdle.load(ordering: .relaxed),
                "partial_head": evictedPartialHead.load(ordering: .relaxed),
            ],
            connectionsRejectedAtCap: rejectedAtCap.load(ordering: .relaxed),
            connectionsRejectedAtClientCap: rejectedAtClientCap.load(ordering: .relaxed),
            connectionsShed: shed.load(ordering: .relaxed),
            acceptErrors: [
                "emfile": acceptEMFILE.load(ordering: .relaxed), "enfile": acceptENFILE.load(ordering: .relaxed),
                "enomem": acceptENOMEM.load(ordering: .relaxed),
            ],
            requestTimeouts: requestTimeouts.load(ordering: .relaxed),
            deferredResponseTimeouts: deferredTimeouts.load(ordering: .relaxed),
            queuedBytes: queuedBytes.load(ordering: .relaxed),
            peakConnectionQueuedBytes: peakConnectionQueuedBytes.load(ordering: .relaxed),
            connectionPauses: [
                "output_cap": pausedOutputCap.load(ordering: .relaxed),
                "turn_budget": pausedTurnBudget.load(ordering: .relaxed),
            ],
            tlsHandshakeFailures: [
                "error": tlsHandshakeErrors.load(ordering: .relaxed),
                "http_on_tls": tlsPlainHTTP.load(ordering: .relaxed),
                "timeout": tlsHandshakeTimeouts.load(ordering: .relaxed),
            ])
    }

    /// Counts one eviction.
    func evicted(_ reason: HTTPServerStatistics.EvictionReason) {
        switch reason {
        case .idle: evictedIdle.add(1, ordering: .relaxed)
        case .partialHead: evictedPartialHead.add(1, ordering: .relaxed)
        }
    }

    /// Records a connection's queued bytes moving from `old` to `new`.
    func queued(from old: Int, to new: Int) {
        guard old != new else { return }
        queuedBytes.add(new - old, ordering: .relaxed)
        var peak = peakConnectionQueuedBytes.load(ordering: .relaxed)
        while new > peak {
            let (exchanged, original) = peakConnectionQueuedBytes.compareExchange(
                expected: peak, desired: new, ordering: .relaxed)
            if exchanged { break }
            peak = original
        }
    }
}
