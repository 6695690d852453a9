import CLinux
import Logging
import Sockets
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs configuration reloads on a thread of its own, coalescing requests: however many arrive
/// (SIGHUP, `POST /-/reload`, a hundred pipelined on one connection), at most one reload runs
/// at a time, reload starts are at least ``minimumInterval`` apart, and every request is
/// answered by the first reload that *started after it arrived* (so a client that edited a
/// file and then asked never gets the outcome of a read of the old file).
///
/// Reloading reads files and validates them, too slow for the HTTP loop thread, which would
/// stall every scrape meanwhile. `POST /-/reload` therefore answers through an
/// `HTTPDeferredResponse` completed from here.
public final class ReloadCoordinator: Sendable {
    /// Where a request came from (a label of `celery_redis_config_reload_requests_total`).
    public enum Source: String, Sendable, CaseIterable {
        case http, signal
    }

    /// Counters for the exporter's own metrics.
    public struct Statistics: Sendable, Equatable {
        /// Requests accepted, by source.
        public var requests: [Source: UInt64]
        /// Reloads started (counted as they start, so `reloads + coalesced` is the number of
        /// requests a reload has taken on).
        public var reloads: UInt64
        /// Requests answered by a reload that another request had already asked for.
        public var coalesced: UInt64
        /// Requests refused because ``maxWaiting`` were already waiting.
        public var refused: UInt64
    }

    /// A request's answer: nil when the reload succeeded, else why it failed.
    public typealias Completion = @Sendable (_ failure: String?) -> Void

    /// The shortest time between the starts of two reloads.
    public let minimumInterval: Duration
    /// The most requests waiting for an answer at once; more are refused (a 503 over HTTP).
    public let maxWaiting: Int

    private struct State {
        /// Generation of the newest request; a reload that starts covers all requests up to it.
        var requested: UInt64 = 0
        /// Generation covered by the last reload started.
        var covered: UInt64 = 0
        var waiters: [(generation: UInt64, completion: Completion)] = []
        var lastStart: Int64?
        var stopped = false
        var statistics = Statistics(
            requests: Dictionary(uniqueKeysWithValues: Source.allCases.map { ($0, 0) }),
            reloads: 0, coalesced: 0, refused: 0)
    }

    private let state = Mutex(State())
    private let reload: @Sendable () -> String?
    private let logger: Logger
    private let notices = RateLimitedLog(interval: .seconds(10))
    private let wakeFD: Int32
    private let thread = Mutex<NativeThread?>(nil)

    /// - Parameter reload: does the work; returns nil on success, else the reason it failed.
    public init(
        minimumInterval: Duration = .seconds(1), maxWaiting: Int = 1024, logger: Logger,
        reload: @escaping @Sendable () -> String?
    ) {
        self.minimumInterval = minimumInterval
        self.maxWaiting = maxWaiting
        self.logger = logger
        self.reload = reload
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        precondition(wakeFD >= 0, "eventfd failed")
    }

    deinit { close(wakeFD) }

    /// Starts the reload thread.
    public func start() throws {
        let spawned = try NativeThread.spawn(name: "reload") { [self] in run() }
        thread.withLock { $0 = spawned }
    }

    /// Asks for a reload; `completion` (run on the reload thread) gets its outcome. Returns
    /// false, without calling `completion`, when too many requests are waiting already or the
    /// coordinator has stopped.
    @discardableResult
    public func request(from source: Source, completion: Completion? = nil) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            if completion != nil && state.waiters.count >= maxWaiting {
                state.statistics.refused += 1
                return false
            }
            state.requested += 1
            state.statistics.requests[source, default: 0] += 1
            if let completion { state.waiters.append((state.requested, completion)) }
            return true
        }
        if accepted {
            wake()
        } else if let suppressed = notices.admit("refused") {
            logger.warning(
                "reload request refused: \(maxWaiting) requests are already waiting",
                metadata: ["suppressed": "\(suppressed)"])
        }
        return accepted
    }

    /// Counters since start.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Stops the thread after the reload in progress, if any; requests still waiting are
    /// answered "shutting down". Returns when the thread has ended.
    public func stop() {
        state.withLock { $0.stopped = true }
        wake()
        if let thread = thread.withLock({ value -> NativeThread? in
            defer { value = nil }
            return value
        }) {
            thread.join()
        }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// What the thread should do next.
    private enum Step {
        case stop([Completion])
        case wait(milliseconds: Int32)
        case reload(generation: UInt64, start: Int64)
    }

    private func run() {
        var timeout: Int32 = -1
        while true {
            var pfd = pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, timeout)
            var counter: UInt64 = 0
            _ = read(wakeFD, &counter, 8)  // reset; requests are in `state`, not in the counter
            switch nextStep() {
            case .stop(let waiting):
                for completion in waiting { completion("the exporter is shutting down") }
                return
            case .wait(let milliseconds):
                timeout = milliseconds
            case .reload(let generation, let start):
                let failure = reload()
                let answered = state.withLock { state -> [Completion] in
                    state.covered = generation
                    state.lastStart = start
                    let (done, rest) = state.waiters.partitioned { $0.generation <= generation }
                    state.waiters = rest
                    return done.map(\.completion)
                }
                if answered.count > 1, let suppressed = notices.admit("coalesced") {
                    logger.info(
                        "reload requests coalesced into one reload",
                        metadata: ["requests": "\(answered.count)", "suppressed": "\(suppressed)"])
                }
                for completion in answered { completion(failure) }
                timeout = 0  // look again: requests may have arrived during the reload
            }
        }
    }

    private func nextStep() -> Step {
        let now = Deadline.monotonicNow()
        return state.withLock { state -> Step in
            if state.stopped {
                defer { state.waiters = [] }
                return .stop(state.waiters.map(\.completion))
            }
            guard state.requested > state.covered else { return .wait(milliseconds: -1) }
            if let last = state.lastStart {
                let next = last + Self.nanoseconds(minimumInterval)
                if now < next { return .wait(milliseconds: Int32(clamping: (next - now + 999_999) / 1_000_000)) }
            }
            // Every request up to here is answered by this reload; those beyond the first coalesced.
            let generation = state.requested
            state.statistics.reloads += 1
            state.statistics.coalesced += generation - state.covered - 1
            state.covered = generation
            return .reload(generation: generation, start: now)
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension Array {
    /// The elements that satisfy `predicate` and those that do not, each in order.
    fileprivate func partitioned(_ predicate: (Element) -> Bool) -> ([Element], [Element]) {
        var yes: [Element] = []
        var no: [Element] = []
        for element in self {
            if predicate(element) { yes.append(element) } else { no.append(element) }
        }
        return (yes, no)
    }
}
