import Logging
import Sockets
import Synchronization
import TLS

#if canImport(Glibc)
    import Glibc
#endif

/// A dedicated Redis connection in RESP2 Pub/Sub mode: `PSUBSCRIBE` to a set of patterns, then
/// deliver every `pmessage` push to a handler, reconnecting and re-subscribing after any failure.
///
/// Why a connection of its own: once subscribed, RESP2 allows only (P)SUBSCRIBE, UNSUBSCRIBE and
/// PING on the connection, so it cannot share the poller's. Celery publishes every result write
/// and every worker heartbeat over Pub/Sub, and Pub/Sub keeps no
/// history: whatever is published while the connection is down is lost, so the handler is told
/// (``Event/disconnected(_:)``, ``Event/subscribed``) to reason about the gap.
///
/// - Connects with the same ``RedisConfiguration`` as the poller (TCP, unix socket or TLS; `AUTH`
///   as configured). `SELECT` is harmless and irrelevant: channels are global across databases
///   (kombu puts the database number into the channel name instead, `/<db>.celeryev/...`).
/// - Never sends `HELLO 3`: RESP2 pushes are plain arrays, which the hiredis 0.14 reader parses.
/// - Reads wait at most ``idleTimeout``; a quiet channel is not an error, the timeout only lets
///   the loop notice ``stop()``. After ``keepaliveInterval`` without any traffic it sends `PING`
///   (allowed in subscribe mode, answered with `["pong", ""]`), and a missing answer within the
///   configuration's `readTimeout` is treated as a dead connection, so a silently dropped
///   connection (NAT timeout, failover) is noticed even when nobody publishes.
/// - Failures back off with ``ReconnectBackoff`` (the same policy as the poller's client).
/// - Anyone who can publish can send anything: a push larger than ``maximumMessageBytes`` is
///   skipped as it streams past (never buffered), counted in ``Status/droppedMessages`` and
///   logged at most once a minute; the subscription stays up. Once a push has started to arrive
///   it must be complete within the configuration's `readTimeout` (give or take ``idleTimeout``),
///   so a publisher or proxy trickling bytes cannot hold the connection in a half-read reply.
///
/// ``run(_:)`` blocks the calling thread; run it on a dedicated thread, never in a Swift
/// concurrency task (blocking I/O runs on threads of its own). ``stop()`` and ``status`` are safe from any thread.
public final class RedisSubscriber: Sendable {
    /// Where and how to connect.
    public let configuration: RedisConfiguration
    /// The `PSUBSCRIBE` patterns (glob syntax, binary-safe), sent in one command.
    public let patterns: [[UInt8]]
    /// The reconnect policy.
    public let backoff: ReconnectBackoff
    /// Finds the master through Sentinel on every (re)connect, so a failover re-subscribes on the
    /// new master; nil connects to ``configuration``'s endpoint.
    public let sentinel: SentinelResolver?
    /// Longest single wait for data; bounds how long ``stop()`` takes to be noticed.
    public let idleTimeout: Duration
    /// Quiet time after which a `PING` checks that the connection still works.
    public let keepaliveInterval: Duration
    /// The largest push delivered, in wire bytes (pattern, channel and payload with framing);
    /// larger ones are dropped and counted.
    public let maximumMessageBytes: Int

    /// Default of ``maximumMessageBytes``: 16 MiB, room for Celery results of megabytes.
    public static let defaultMaximumMessageBytes = 16 * 1024 * 1024
    /// Shortest time between two warnings about dropped messages.
    static let dropWarningInterval: Int64 = 60_000_000_000

    private let logger: Logger
    private let random: @Sendable () -> Double
    private let stopRequested = Atomic<Bool>(false)
    /// Cancelled by ``stop()``: cuts a connect or a Sentinel round in progress at once.
    private let cancellation = CancellationToken()
    private let state = Mutex(Status())

    /// Creates a subscriber; nothing happens until ``run(_:)``.
    /// - Parameters:
    ///   - patterns: at least one pattern.
    ///   - idleTimeout: read deadline used only to poll the stop flag (default 250 ms).
    ///   - keepaliveInterval: quiet time before a `PING` (default 30 s).
    ///   - maximumMessageBytes: larger pushes are dropped (default 16 MiB, and never more than
    ///     the configuration's `maximumReplyBytes`).
    ///   - random: uniform numbers in `0..<1` for backoff jitter (tests pass a constant).
    public init(
        configuration: RedisConfiguration,
        patterns: [[UInt8]],
        backoff: ReconnectBackoff = ReconnectBackoff(),
        sentinel: SentinelResolver? = nil,
        idleTimeout: Duration = .milliseconds(250),
        keepaliveInterval: Duration = .seconds(30),
        maximumMessageBytes: Int = RedisSubscriber.defaultMaximumMessageBytes,
        logger: Logger = Logger(label: "redis.subscriber"),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        precondition(!patterns.isEmpty, "RedisSubscriber needs at least one pattern")
        precondition(idleTimeout > .zero && keepaliveInterval > .zero, "RedisSubscriber timeouts must be positive")
        precondition(maximumMessageBytes > 0, "maximumMessageBytes must be positive")
        self.configuration = configuration
        self.patterns = patterns
        self.backoff = backoff
        self.sentinel = sentinel
        self.idleTimeout = idleTimeout
        self.keepaliveInterval = keepaliveInterval
        self.maximumMessageBytes = min(maximumMessageBytes, configuration.maximumReplyBytes)
        self.logger = logger
        self.random = random
    }

    /// What the log lines name: the configuration, or the sentinels and master name (the
    /// configuration's endpoint is then only a placeholder).
    private var target: String { sentinel.map { "\($0.configuration)" } ?? "\(configuration)" }

    /// Asks ``run(_:)`` to return; it does so within about ``idleTimeout`` (at once when it is
    /// waiting out a backoff delay, which it sleeps in short slices, or connecting or asking the
    /// sentinels, which the stop cuts). Idempotent.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        cancellation.cancel()
    }

    /// True once ``stop()`` was called.
    public var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }

    /// The current connection state and counts.
    public var status: Status { state.withLock { $0 } }

    /// Connects, subscribes and delivers events to `handler` until ``stop()``; then closes the
    /// connection and returns. Never throws: failures become ``Event/disconnected(_:)`` plus a
    /// backoff wait. `handler` runs on the calling thread; a slow handler delays reading (Redis
    /// buffers up to its `client-output-buffer-limit pubsub`, then drops the connection, which
    /// this loop survives by reconnecting).
    public func run(_ handler: (Event) -> Void) {
        var tlsContext: TLSClientContext?
        var consecutiveFailures = 0
        var drops = DropLog()
        while !isStopRequested {
            var connection: RedisConnection?
            do {
                if let tls = configuration.tls, tlsContext == nil {
                    // Loaded once: CA and key files are read at the first attempt, not every reconnect.
                    do {
                        tlsContext = try TLSClientContext(tls)
                    } catch {
                        throw RedisError.tls(endpoint: configuration.endpoint.description, reason: "\(error)")
                    }
                }
                let fresh =
                    try sentinel?.connectToMaster(
                        base: configuration, tlsContext: tlsContext, discardRepliesAbove: maximumMessageBytes,
                        cancellation: cancellation, logger: logger)
                    ?? RedisConnection(
                        configuration: configuration, tlsContext: tlsContext, discardRepliesAbove: maximumMessageBytes,
                        cancellation: cancellation, logger: logger)
                connection = fresh
                drops.connectionCounted = 0
                try listen(on: fresh, drops: &drops, handler: handler) {
                    if consecutiveFailures > 0 {
                        logger.info(
                            "Pub/Sub subscription restored",
                            metadata: ["redis": "\(target)", "after_failures": "\(consecutiveFailures)"])
                    }
                    consecutiveFailures = 0
                }
                fresh.close()
                return
            } catch {
                connection?.close()
                if isStopRequested {
                    // The stop cut a wait: not a failure.
                    state.withLock { $0.isSubscribed = false }
                    return
                }
                let mapped = RedisSubscriber.redisError(error, endpoint: configuration.endpoint.description)
                let wasSubscribed = state.withLock { status in
                    let was = status.isSubscribed
                    status.isSubscribed = false
                    status.failures += 1
                    status.lastError = mapped
                    return was
                }
                consecutiveFailures += 1
                let delay = backoff.delay(afterFailures: consecutiveFailures, random: random())
                let level: Logger.Level = (consecutiveFailures == 1 || wasSubscribed) ? .warning : .debug
                logger.log(
                    level: level, "Pub/Sub connection failed; re-subscribing after a backoff",
                    metadata: [
                        "redis": "\(target)", "error": "\(mapped)",
                        "consecutive_failures": "\(consecutiveFailures)",
                        "retry_in_ms": "\(RedisError.milliseconds(delay))",
                    ])
                handler(.disconnected(mapped))
                sleepUnlessStopped(delay)
            }
        }
    }

    /// Sends `PSUBSCRIBE`, then reads pushes until stop (returns) or a failure (throws).
    private func listen(
        on connection: RedisConnection, drops: inout DropLog, handler: (Event) -> Void, onSubscribed: () -> Void
    ) throws {
        let start = Deadline.monotonicNow()
        let readTimeout = RedisSubscriber.nanoseconds(configuration.readTimeout)
        let keepalive = RedisSubscriber.nanoseconds(keepaliveInterval)
        try connection.send([[Array("PSUBSCRIBE".utf8)] + patterns])
        var confirmed = 0
        var lastTraffic = start
        var pingSentAt: Int64?
        /// When the reply now half-read was first seen unfinished.
        var partialSince: Int64?

        while !isStopRequested {
            let reply: RESPValue
            do {
                defer { countDrops(connection, &drops) }
                reply = try connection.readReply(deadline: Deadline(after: idleTimeout))
            } catch let error where RedisSubscriber.isTimeout(error) {
                // Quiet channel: not an error. Only the confirmations, the keepalive and a reply
                // that has started to arrive have deadlines.
                let now = Deadline.monotonicNow()
                if let sentinel, sentinel.currentMaster != connection.configuration.endpoint {
                    // Another client followed a failover: subscribe on the new master.
                    throw RedisError.connect(
                        endpoint: "\(connection.configuration.endpoint)",
                        reason:
                            "no longer the master (Sentinel names \(sentinel.currentMaster.map { "\($0)" } ?? "none"))")
                }
                if connection.hasPartialReply {
                    let since = partialSince ?? now
                    partialSince = since
                    if now - since > readTimeout {
                        throw RedisError.timedOut(
                            operation: "reply on the Pub/Sub connection from \(configuration.endpoint)")
                    }
                } else {
                    partialSince = nil
                }
                if confirmed < patterns.count && now - start > readTimeout {
                    throw RedisError.timedOut(operation: "PSUBSCRIBE confirmation from \(configuration.endpoint)")
                }
                if let sent = pingSentAt {
                    if now - sent > readTimeout {
                        throw RedisError.timedOut(
                            operation: "PING on the Pub/Sub connection to \(configuration.endpoint)")
                    }
                } else if now - lastTraffic >= keepalive {
                    try connection.send([[Array("PING".utf8)]])
                    pingSentAt = now
                }
                continue
            }
            lastTraffic = Deadline.monotonicNow()
            pingSentAt = nil
            partialSince = connection.hasPartialReply ? lastTraffic : nil

            if let message = Message(push: reply) {
                state.withLock { $0.messages &+= 1 }
                handler(.message(message))
                continue
            }
            if let text = reply.errorMessage {
                // e.g. NOPERM when an ACL user may not subscribe to these channels.
                throw RedisError.server(command: "PSUBSCRIBE", message: text)
            }
            guard let items = reply.array, let kind = items.first?.bytes else {
                throw RedisError.protocol(message: "unexpected reply in subscribe mode: \(Self.shape(of: reply))")
            }
            switch String(decoding: kind, as: UTF8.self).lowercased() {
            case "psubscribe", "subscribe":
                confirmed += 1
                if confirmed == patterns.count {
                    state.withLock { status in
                        status.isSubscribed = true
                        status.subscriptions += 1
                        status.lastError = nil
                    }
                    onSubscribed()
                    logger.debug(
                        "subscribed", metadata: ["redis": "\(target)", "patterns": "\(patterns.count)"])
                    handler(.subscribed)
                }
            default:
                break  // "pong", or a push kind this version does not know: harmless.
            }
        }
        state.withLock { $0.isSubscribed = false }
    }

    /// Counts pushes the connection dropped since the last call; warns at most once a minute.
    private func countDrops(_ connection: RedisConnection, _ drops: inout DropLog) {
        let total = connection.discardedReplyCount
        guard total > drops.connectionCounted else { return }
        let new = total - drops.connectionCounted
        drops.connectionCounted = total
        drops.sinceWarning += new
        state.withLock { $0.droppedMessages &+= UInt64(new) }
        let now = Deadline.monotonicNow()
        if let last = drops.lastWarning, now - last < RedisSubscriber.dropWarningInterval { return }
        logger.warning(
            "dropped Pub/Sub messages larger than the limit",
            metadata: [
                "redis": "\(target)", "dropped": "\(drops.sinceWarning)",
                "limit_bytes": "\(maximumMessageBytes)",
            ])
        drops.lastWarning = now
        drops.sinceWarning = 0
    }

    /// Sleeps `duration` in slices of at most 50 ms, returning early once stop is requested.
    private func sleepUnlessStopped(_ duration: Duration) {
        let deadline = Deadline(after: duration)
        while !isStopRequested {
            let left = deadline.nanoseconds - Deadline.monotonicNow()
            if left <= 0 { return }
            var request = timespec(tv_sec: 0, tv_nsec: Int(min(left, 50_000_000)))
            _ = nanosleep(&request, nil)
        }
    }

    /// True for a read that merely ran out of time (socket or TLS): the stream is still usable.
    static func isTimeout(_ error: any Error) -> Bool {
        switch error {
        case SocketError.timedOut: return true
        case let error as TLSError: return error.kind == .timedOut
        default: return false
        }
    }

    /// Maps a transport, TLS or Redis failure to a ``RedisError`` naming the endpoint.
    static func redisError(_ error: any Error, endpoint: String) -> RedisError {
        switch error {
        case let error as RedisError: return error
        case let error as SocketError:
            switch error {
            case .timedOut(let operation): return .timedOut(operation: "\(operation) from \(endpoint)")
            case .closed: return .closed
            default: return .io(reason: "Pub/Sub \(endpoint): \(error)")
            }
        case let error as TLSError:
            switch error.kind {
            case .timedOut: return .timedOut(operation: "TLS read from \(endpoint)")
            case .closed: return .closed
            default: return .io(reason: "TLS Pub/Sub \(endpoint): \(error)")
            }
        default: return .io(reason: "Pub/Sub \(endpoint): \(error)")
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// An unexpected reply in a few bytes: its type and size, and a status line's first 64 bytes
    /// sanitized; never a bulk string's content. `String(describing:)` rendered the whole reply
    /// (a 16 MiB bulk string as 60 MB of decimal bytes) before cutting it.
    static func shape(of reply: RESPValue) -> String {
        switch reply {
        case .bulk(let bytes): return "bulk string of \(bytes.count) bytes"
        case .status(let text): return "status \(RedisError.sanitizedServerText(text, maximumBytes: 64))"
        case .error(let text): return "error \(RedisError.sanitizedServerText(text, maximumBytes: 64))"
        case .integer(let value): return "integer \(value)"
        case .null: return "null"
        case .array(let items):
            let first = items.first.map { ", first a \(shape(of: $0))" } ?? ""
            return "array of \(items.count) elements\(first)"
        }
    }
}
