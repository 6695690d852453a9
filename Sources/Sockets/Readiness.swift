#if canImport(Glibc)
    import Glibc
#endif

/// The one blocking wait of the module: `poll(2)` on a descriptor, bounded by a deadline and
/// interrupted by a ``CancellationToken``. Sockets, the TLS layer (through its socket) and name
/// lookups all wait here, so "every wait has a deadline and can be cancelled" holds in one place.
enum Readiness {
    /// How a wait ended.
    enum Outcome: Equatable {
        /// The descriptor is ready (or hung up, or in error: the next call reports which).
        case ready
        /// The deadline passed first.
        case timedOut
        /// The token was cancelled (checked before the descriptor, so a cancelled wait never
        /// reports ready).
        case cancelled
    }

    /// Waits until `fd` is ready for `events`, `deadline` passes or `cancellation` is cancelled.
    static func wait(
        fd: Int32, events: Int16, deadline: Deadline, cancellation: CancellationToken?
    ) throws(SocketError) -> Outcome {
        while true {
            if let cancellation, cancellation.isCancelled { return .cancelled }
            // A negative descriptor is ignored by poll(2): without a token only `fd` counts.
            var fds = (
                pollfd(fd: fd, events: events, revents: 0),
                pollfd(fd: cancellation?.fd ?? -1, events: Int16(POLLIN), revents: 0)
            )
            var timeout = deadline.remainingMilliseconds
            if let cancellation, cancellation.fd < 0 { timeout = min(timeout, CancellationToken.fallbackSlice) }
            let rc = withUnsafeMutablePointer(to: &fds) {
                $0.withMemoryRebound(to: pollfd.self, capacity: 2) { poll($0, 2, timeout) }
            }
            if rc > 0 {
                if fds.1.revents != 0 { continue }  // the token fired: reported at the top
                return .ready
            }
            if rc == 0 {
                if deadline.hasPassed { return .timedOut }
                continue  // a fallback slice ended, or poll woke a hair early
            }
            if errno == EINTR { continue }
            throw SocketError.lastError("poll")
        }
    }
}
