import Logging
import Sockets
import Synchronization

/// Answers one request. Runs on a loop thread, so it must be fast and must not block: the
/// exporter's handlers return bytes rendered once per poll. Slow work returns
/// ``HTTPResponse/deferred(_:)`` and completes the response from another thread.
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse

/// An HTTP/1.1 server on raw sockets and epoll, with its own loop threads.
///
/// - `init` binds every listen address, so a port in use fails start-up with a clear
///   `SocketError` (`bind 0.0.0.0:9540: Address already in use`); ``boundAddresses`` then
///   tells the ports chosen for port 0.
/// - ``start()`` spawns ``HTTPServerConfiguration/loopThreads`` POSIX threads. They are not
///   Swift tasks, which would block the cooperative pool's two threads.
/// - ``shutdown(gracePeriod:)`` stops accepting, lets requests in progress finish within the
///   grace period, closes every connection and joins the threads.
///
/// All I/O is non-blocking, level-triggered epoll: a slow or silent client costs a dictionary
/// entry, never a thread. Keep-alive, pipelining (answered in order), HEAD, request and idle
/// timeouts and the connection cap are handled here so handlers only map requests to responses.
///
/// Under abuse: at the connection cap the longest-idle connection is closed to admit a new one;
/// when the process is out of descriptors (`EMFILE`) an idle connection is closed too, or else
/// a reserved descriptor accepts the client just to answer `503`, so clients never wait out a
/// timeout in the backlog; such warnings are rate-limited and counted in ``statistics``.
public final class HTTPServer: Sendable {
    /// The configuration the server was created with.
    public let configuration: HTTPServerConfiguration
    let logger: Logger
    let handler: HTTPHandler
    let listeners: [Listener]
    let loops: [EventLoop]

    private enum Lifecycle {
        case created
        case running([NativeThread])
        case stopped
    }
    private let lifecycle = Mutex<Lifecycle>(.created)

    /// Set once by ``shutdown(gracePeriod:)``; loops check it after every wake-up.
    let stopping = Atomic<Bool>(false)
    /// Monotonic nanoseconds after which draining loops close whatever is left.
    let graceDeadline = Atomic<Int64>(Int64.max)
    /// Connections open over all loops: the cap is enforced on this shared count.
    let openConnections = Atomic<Int>(0)
    /// Connections open per client address over all loops (the per-client cap); an address
    /// leaves the table with its last connection, so the table is bounded by the open count.
    let clientConnections = Mutex<[HTTPPeerAddress: Int]>([:])
    /// What the loops counted (evictions, timeouts, accept errors).
    let counters = HTTPServerCounters()
    /// Repeated warnings (out of descriptors) are written at most once per 10 s each.
    let warnings = RateLimitedLog(interval: .seconds(10))

    /// Binds the listen addresses and prepares the loops; nothing is accepted until ``start()``.
    ///
    /// - Throws: ``HTTPServerError`` for out-of-range settings; `SocketError` when an address
    ///   cannot be resolved or bound (`EADDRINUSE`), naming the address.
    public init(configuration: HTTPServerConfiguration, logger: Logger, handler: @escaping HTTPHandler) throws {
        try Self.validate(configuration)
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
        var listeners: [Listener] = []
        for endpoint in configuration.listenAddresses {
            listeners += try Listener.bind(endpoint)
        }
        self.listeners = listeners
        self.loops = try (0..<configuration.loopThreads).map { _ in try EventLoop() }
    }

    private static func validate(_ configuration: HTTPServerConfiguration) throws(HTTPServerError) {
        func check(_ ok: Bool, _ setting: String, _ requirement: String) throws(HTTPServerError) {
            if !ok { throw .invalidConfiguration(setting: setting, requirement: requirement) }
        }
        try check(!configuration.listenAddresses.isEmpty, "listenAddresses", "must hold at least one address")
        try check(configuration.loopThreads >= 1, "loopThreads", "must be at least 1")
        try check(configuration.maxConnections >= 1, "maxConnections", "must be at least 1")
        try check((configuration.maxConnectionsPerClient ?? 1) >= 1, "maxConnectionsPerClient", "must be at least 1")
        try check(configuration.maxHeaderBytes >= 64, "maxHeaderBytes", "must be at least 64")
        try check(configuration.maxBodyBytes >= 0, "maxBodyBytes", "must not be negative")
        try check(configuration.requestTimeout > .zero, "requestTimeout", "must be positive")
        try check(configuration.idleTimeout > .zero, "idleTimeout", "must be positive")
        try check(configuration.deferredResponseTimeout > .zero, "deferredResponseTimeout", "must be positive")
    }

    /// The addresses actually bound, in configuration order (a name or `:port` may yield
    /// several); ports are real even when port 0 was asked for.
    public var boundAddresses: [SocketAddress] { listeners.map(\.address) }

    /// Counters of connections, evictions, timeouts and accept errors since start.
    public var statistics: HTTPServerStatistics {
        counters.snapshot(openConnections: openConnections.load(ordering: .relaxed))
    }

    /// Spawns the loop threads and starts accepting. Calling it again, or after shutdown, does
    /// nothing. Failing to create a thread at start-up is fatal (the process is out of
    /// resources before it has served anything).
    public func start() {
        lifecycle.withLock { state in
            guard case .created = state else { return }
            var threads: [NativeThread] = []
            for (index, events) in loops.enumerated() {
                do {
                    let thread = try NativeThread.spawn(name: "http-loop-\(index)") { [self] in
                        HTTPServerLoop(server: self, events: events, index: index).run()
                    }
                    threads.append(thread)
                } catch {
                    fatalError("HTTPServer: cannot start loop thread \(index): \(error)")
                }
            }
            state = .running(threads)
        }
        logger.info(
            "HTTP server listening",
            metadata: ["addresses": .string(boundAddresses.map(\.description).joined(separator: ", "))])
    }

    /// Stops the server: no new connections (the listeners stop listening at once), requests
    /// in progress finish and get their responses with `Connection: close` until
    /// `gracePeriod` ends, then every connection closes and the loop threads are joined.
    /// Returns when the threads have ended. Safe to call more than once, from any thread
    /// except a loop thread (a handler must not shut its own server down).
    public func shutdown(gracePeriod: Duration = .seconds(5)) {
        let threads: [NativeThread]? = lifecycle.withLock { state in
            switch state {
            case .created:
                state = .stopped
                return []
            case .running(let threads):
                state = .stopped
                return threads
            case .stopped:
                return nil
            }
        }
        guard let threads else { return }
        graceDeadline.store(Deadline(after: gracePeriod).nanoseconds, ordering: .relaxed)
        stopping.store(true, ordering: .releasing)
        for listener in listeners { listener.stopListening() }
        for loop in loops { loop.wake() }
        for thread in threads where !thread.isCurrent { thread.join() }
        if !threads.isEmpty { logger.info("HTTP server stopped") }
    }
}
