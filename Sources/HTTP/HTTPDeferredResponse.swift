import Synchronization

/// A response a handler finishes later, from another thread, so slow work (a configuration
/// reload) never runs on the loop thread.
///
/// The handler returns ``HTTPResponse/deferred(_:)`` with one of these and hands it to whoever
/// does the work, which calls ``complete(_:)`` when done. Meanwhile the connection's later
/// pipelined requests are parsed and answered, their responses held back so every answer still
/// goes out in request order. A response not completed within
/// ``HTTPServerConfiguration/deferredResponseTimeout`` is answered with a 503 instead.
public final class HTTPDeferredResponse: Sendable {
    private enum State {
        case waiting(notify: (@Sendable () -> Void)?)
        case completed(HTTPResponse)
    }
    private let state = Mutex<State>(.waiting(notify: nil))

    /// A response still to be completed.
    public init() {}

    /// Supplies the response; the first call wins (a late one after the server's timeout
    /// answer is ignored). Safe from any thread. Returns whether this call was the first.
    @discardableResult
    public func complete(_ response: HTTPResponse) -> Bool {
        let notify: (@Sendable () -> Void)?? = state.withLock { state in
            guard case .waiting(let notify) = state else { return .none }
            state = .completed(response)
            return .some(notify)
        }
        guard let notify else { return false }
        notify?()
        return true
    }

    /// The response once completed.
    public var response: HTTPResponse? {
        state.withLock { state in
            if case .completed(let response) = state { return response }
            return nil
        }
    }

    /// Server side: runs `notify` (at once if already completed) when the response arrives.
    func onCompletion(_ notify: @escaping @Sendable () -> Void) {
        let done: Bool = state.withLock { state in
            guard case .waiting = state else { return true }
            state = .waiting(notify: notify)
            return false
        }
        if done { notify() }
    }
}
