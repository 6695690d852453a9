import CLinux
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Host name lookups that honour a deadline and a ``CancellationToken``, although `getaddrinfo`
/// has neither.
///
/// Each lookup runs `getaddrinfo` on a short-lived detached thread; the caller waits (with
/// `poll`, on an eventfd the thread signals) until the answer, its deadline or its token,
/// whichever comes first. A caller that gives up simply leaves: the thread finishes on its own
/// and nobody blocks on it. So a resolver that takes 40 s costs an attempt its `timeout` and no
/// more, and a shutdown is never held by a lookup.
///
/// Bounds, so a stuck resolver cannot pile up threads:
/// - Lookups of the same host and port share one thread: a receiver retried every few seconds
///   against a 40 s resolver has one lookup running, not one per attempt.
/// - At most ``maxLookupsInFlight`` lookups run at once (abandoned ones included); past that a
///   lookup fails at once with ``SocketError/resolution(host:reason:)``, counted in
///   ``Statistics/lookupsRejected``.
/// - The answer of a lookup that every caller gave up on is kept for
///   ``abandonedResultLifetime``, so the next attempt uses it instead of starting another slow
///   lookup (with a resolver slower than the timeout, delivery then goes through on a retry).
///   Answers somebody received are not kept: there is no cache beyond the system's.
///
/// IP literals never reach a thread or `getaddrinfo` (``SocketAddress/numeric(host:port:)``).
///
/// Why not `getaddrinfo_a`: glibc runs it on its own helper threads, with no bound we control,
/// and `gai_cancel` cannot stop a lookup already running, so the caller would still need a
/// wait like this one; it is also glibc-only. Why not our own DNS client: `/etc/hosts`,
/// `nsswitch.conf` and search domains would each need reimplementing, and behave differently
/// from every other program on the machine.
public final class NameResolver: Sendable {
    /// The resolver everything uses unless a test passes its own.
    public static let shared = NameResolver()

    /// The blocking lookup (`SocketAddress.resolve`, i.e. `getaddrinfo`, unless a test injects one).
    public typealias Lookup = @Sendable (_ host: String, _ port: UInt16) throws -> [SocketAddress]

    /// Counters for metrics; they only grow, except ``lookupsInFlight``.
    public struct Statistics: Sendable, Equatable {
        /// Lookups running now on their threads, whether anyone still waits for them or not.
        public var lookupsInFlight = 0
        /// Lookups started on a thread since start-up (IP literals and kept answers not included).
        public var lookupsStarted: UInt64 = 0
        /// Waits that ended (deadline or cancellation) while their lookup was still running.
        public var waitsAbandoned: UInt64 = 0
        /// Lookups refused because ``NameResolver/maxLookupsInFlight`` were already running.
        public var lookupsRejected: UInt64 = 0

        public init() {}
    }

    /// The most lookups running at once.
    public let maxLookupsInFlight: Int
    /// How long the answer of an abandoned lookup is kept for the next caller.
    public let abandonedResultLifetime: Duration

    private let lookup: Lookup

    /// One running lookup: the thread stores the result, then makes `done` readable for good.
    private final class PendingLookup: Sendable {
        /// An eventfd; readable once `result` is set. Closed when the last reference (the
        /// thread's or a waiter's) goes, so a waiter never polls a reused descriptor.
        let done: Int32
        let result = Mutex<Result<[SocketAddress], SocketError>?>(nil)

        init(done: Int32) { self.done = done }
        deinit { _ = Glibc.close(done) }
    }

    private struct Kept {
        var result: Result<[SocketAddress], SocketError>
        var expires: Int64
    }

    private struct State {
        /// Running lookups by key, with how many callers wait for each.
        var running: [String: (lookup: PendingLookup, waiters: Int)] = [:]
        /// Answers nobody was waiting for when they came, by key.
        var kept: [String: Kept] = [:]
        var statistics = Statistics()
    }

    private let state = Mutex(State())
    /// The most answers kept (oldest expiry dropped first past it).
    private static let maxKept = 64

    /// A resolver.
    /// - Parameters:
    ///   - maxLookupsInFlight: the most `getaddrinfo` threads at once (16: far more distinct
    ///     receiver hosts than a deployment has, few enough that a dead resolver costs little).
    ///   - abandonedResultLifetime: how long an abandoned lookup's answer serves later callers.
    ///   - lookup: the blocking lookup; tests inject a slow one.
    public init(
        maxLookupsInFlight: Int = 16, abandonedResultLifetime: Duration = .seconds(30),
        lookup: @escaping Lookup = { try SocketAddress.resolve(host: $0, port: $1) }
    ) {
        self.maxLookupsInFlight = max(1, maxLookupsInFlight)
        self.abandonedResultLifetime = abandonedResultLifetime
        self.lookup = lookup
    }

    /// A snapshot of the counters.
    public var statistics: Statistics {
        state.withLock { s in
            var copy = s.statistics
            copy.lookupsInFlight = s.running.count
            return copy
        }
    }

    /// Resolves `host` (a name or an IP literal) and `port` to addresses, in `getaddrinfo` order.
    ///
    /// - Throws: ``SocketError/timedOut(operation:)`` when `deadline` passes first,
    ///   ``SocketError/cancelled`` when `cancellation` fires first, ``SocketError/resolution(host:reason:)``
    ///   when the name does not resolve or too many lookups are running.
    public func resolve(
        host: String, port: UInt16, deadline: Deadline, cancellation: CancellationToken? = nil
    ) throws(SocketError) -> [SocketAddress] {
        if let address = SocketAddress.numeric(host: host, port: port) { return [address] }
        if cancellation?.isCancelled == true { throw .cancelled }
        if deadline.hasPassed { throw .timedOut(operation: "resolving \(host)") }
        let key = "\(host)\u{0}\(port)"
        let pending: PendingLookup
        switch try join(key: key, host: host, port: port) {
        case .kept(let result): return try result.get()
        case .waitFor(let lookup): pending = lookup
        }
        let outcome: Readiness.Outcome
        do {
            outcome = try Readiness.wait(
                fd: pending.done, events: Int16(POLLIN), deadline: deadline, cancellation: cancellation)
        } catch {
            leave(key: key, pending, abandoned: true)
            throw error
        }
        switch outcome {
        case .ready:
            leave(key: key, pending, abandoned: false)
            guard let result = pending.result.withLock({ $0 }) else {
                throw .resolution(host: host, reason: "lookup ended without an answer")
            }
            return try result.get()
        case .timedOut:
            leave(key: key, pending, abandoned: true)
            throw .timedOut(operation: "resolving \(host)")
        case .cancelled:
            leave(key: key, pending, abandoned: true)
            throw .cancelled
        }
    }

    private enum Joined {
        case kept(Result<[SocketAddress], SocketError>)
        case waitFor(PendingLookup)
    }

    /// A kept answer, the running lookup for `key`, or a new one on its own thread.
    private func join(key: String, host: String, port: UInt16) throws(SocketError) -> Joined {
        let now = Deadline.monotonicNow()
        let joined = state.withLock { s -> Result<(Joined, isNew: Bool), SocketError> in
            if let kept = s.kept[key] {
                if kept.expires > now { return .success((.kept(kept.result), false)) }
                s.kept[key] = nil
            }
            if let running = s.running[key] {
                s.running[key]!.waiters = running.waiters + 1
                return .success((.waitFor(running.lookup), false))
            }
            guard s.running.count < maxLookupsInFlight else {
                s.statistics.lookupsRejected += 1
                return .failure(
                    .resolution(
                        host: host,
                        reason: "\(maxLookupsInFlight) name lookups are already running (the resolver is not answering)"
                    ))
            }
            let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
            guard fd >= 0 else { return .failure(.lastError("eventfd")) }
            let pending = PendingLookup(done: fd)
            s.running[key] = (pending, 1)
            s.statistics.lookupsStarted += 1
            return .success((.waitFor(pending), true))
        }
        let (result, isNew) = try joined.get()
        // The thread is started outside the lock; until then waiters who join simply wait.
        if isNew, case .waitFor(let pending) = result { start(key: key, host: host, port: port, pending) }
        return result
    }

    private func start(key: String, host: String, port: UInt16, _ pending: PendingLookup) {
        let lookup = self.lookup
        do {
            let thread = try NativeThread.spawn(name: "name-lookup") { [self] in
                let result: Result<[SocketAddress], SocketError>
                do {
                    result = .success(try lookup(host, port))
                } catch let error as SocketError {
                    result = .failure(error)
                } catch {
                    result = .failure(.resolution(host: host, reason: "\(error)"))
                }
                finish(key: key, pending, result)
            }
            _ = pthread_detach(thread.handle)
        } catch {
            let failure = error as? SocketError ?? .failed(call: "pthread_create", errno: EAGAIN)
            finish(key: key, pending, .failure(failure))
        }
    }

    /// Stores the answer, retires the entry (keeping the answer if nobody waits any more), and
    /// wakes every waiter.
    private func finish(key: String, _ pending: PendingLookup, _ result: Result<[SocketAddress], SocketError>) {
        pending.result.withLock { $0 = result }
        state.withLock { s in
            guard let entry = s.running[key], entry.lookup === pending else { return }
            s.running[key] = nil
            guard entry.waiters == 0 else { return }
            let now = Deadline.monotonicNow()
            s.kept = s.kept.filter { $0.value.expires > now }
            if s.kept.count >= Self.maxKept, let soonest = s.kept.min(by: { $0.value.expires < $1.value.expires }) {
                s.kept[soonest.key] = nil
            }
            let (seconds, attoseconds) = abandonedResultLifetime.components
            s.kept[key] = Kept(result: result, expires: now + seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
        var one: UInt64 = 1
        _ = Glibc.write(pending.done, &one, MemoryLayout<UInt64>.size)
    }

    /// One waiter of `pending` is done; `abandoned` when it gave up before the answer.
    private func leave(key: String, _ pending: PendingLookup, abandoned: Bool) {
        state.withLock { s in
            guard let entry = s.running[key], entry.lookup === pending else { return }
            s.running[key]!.waiters = entry.waiters - 1
            if abandoned { s.statistics.waitsAbandoned += 1 }
        }
    }
}
