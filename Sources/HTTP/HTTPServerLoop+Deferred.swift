import Logging
import Synchronization

/// Set by a deferred response completing on another thread; the loop takes it after waking.
final class CompletionFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    /// True (and cleared) when a completion arrived since the last call.
    func take() -> Bool { flag.exchange(false, ordering: .acquiring) }
}

/// Deferred responses: moving completed ones (and the responses held behind them) to the
/// output, and answering those past their deadline with a 503.
extension HTTPServerLoop {
    /// Moves every completed deferred response, and what waits behind it, to its connection's
    /// output; then writes and resumes parsing.
    func releaseCompletedResponses() {
        for connection in Array(awaiting.values) where connections[connection.fd] === connection {
            guard releaseHeld(connection) else { continue }
            service(connection)
        }
    }

    /// Deferred responses past their deadline get their fallback, else a 503 (a later completion
    /// is ignored).
    func expireDeferredResponses() {
        for connection in Array(awaiting.values) where connections[connection.fd] === connection {
            var expired = false
            for case .deferred(let pending, request: let traits, since: let since) in connection.held {
                if let (fallback, after) = pending.fallbackPlan, now - since > min(after, deferredTimeout) {
                    if pending.complete(fallback) { expired = true }
                    continue
                }
                guard now - since > deferredTimeout else { continue }
                if pending.complete(.error(.serviceUnavailable, detail: "the response was not ready in time")) {
                    server.counters.deferredTimeouts.add(1, ordering: .relaxed)
                    if let suppressed = server.warnings.admit("deferred-timeout") {
                        logger.warning(
                            "a deferred response missed its deadline; answered 503",
                            metadata: ["path": "\(traits.path)", "suppressed": "\(suppressed)"])
                    }
                    expired = true
                }
            }
            if expired, releaseHeld(connection) { service(connection) }
        }
    }

    /// Moves the held responses up to the first deferred one still waiting into the output.
    /// Returns true when anything moved.
    private func releaseHeld(_ connection: HTTPConnection) -> Bool {
        var moved = false
        while let first = connection.held.first {
            switch first {
            case .bytes(let bytes):
                connection.held.removeFirst()
                connection.appendOutput(bytes)
            case .deferred(let pending, request: let traits, since: _):
                guard let response = pending.response else { return moved }
                connection.held.removeFirst()
                connection.deferredCount -= 1
                let (head, body) = encode(
                    response, for: traits, coalescing: connection.transport.coalescesSmallBodies)
                // Straight to the output: `enqueue` would hold them behind the responses still held.
                connection.appendOutput(head)
                if let body { connection.appendOutput(body) }
                if !keepAlive(response, traits) {
                    // Nothing may follow a response that closes the connection.
                    connection.held.removeAll()
                    connection.deferredCount = 0
                    connection.closeAfterWrite = true
                }
            }
            moved = true
        }
        awaiting[ObjectIdentifier(connection)] = nil
        return moved
    }
}
