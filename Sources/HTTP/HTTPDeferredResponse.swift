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
    /// What the server answers by itself if the response is not completed within the delay, in
    /// nanoseconds after the request (never later than the server's deferred-response timeout);
    /// nil: a 503 after the server's deferred-response timeout. Settable after creation (see
    /// ``adoptFallback(of:transform:)``): a wrapper that learns its inner response later must
    /// still answer with the inner's fallback on the inner's schedule.
    private let plan: Mutex<(response: HTTPResponse, afterNanoseconds: Int64)?>

    /// A response still to be completed; answered 503 after the server's deferred-response timeout.
    public init() {
        plan = Mutex(nil)
    }

    /// A response still to be completed; if it is not completed `after` the request arrived, the
    /// server answers `fallback` instead (an expected outcome: not counted as a missed deadline).
    public init(fallback: HTTPResponse, after: Duration) {
        let (seconds, attoseconds) = after.components
        let nanoseconds = max(
            0, seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000)
        plan = Mutex((fallback, nanoseconds))
    }

    /// The fallback and its delay after the request, if any (server side).
    var fallbackPlan: (response: HTTPResponse, afterNanoseconds: Int64)? { plan.withLock { $0 } }

    /// Takes `inner`'s fallback (passed through `transform`, e.g. to add headers) and its delay,
    /// still measured from the request: for a response that wraps another deferred one, since
    /// the server only sees the outer one. Does nothing when `inner` has no fallback.
    public func adoptFallback(of inner: HTTPDeferredResponse, transform: (HTTPResponse) -> HTTPResponse) {
        guard let (response, after) = inner.fallbackPlan else { return }
        let adopted = transform(response)
        plan.withLock { $0 = (adopted, after) }
    }

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
