import Logging
import Sockets
import TLS

/// A Redis connection that (re)connects on demand, with capped exponential backoff between
/// failed attempts.
///
/// The first call connects. When a call fails on the transport, the connection is dropped and
/// the failure counted; the next call reconnects once the backoff delay has passed, and until then
/// throws ``RedisError/backingOff(retryAfter:lastError:)`` at once without touching the network,
/// so a poller keeps its schedule while Redis is down. A success resets the count.
///
/// Error replies (`.error` values) are not failures: the connection is fine.
///
/// Not `Sendable`: one client belongs to one poller thread. Copy ``consecutiveFailures``,
/// ``isConnected`` and ``lastError`` into the poll's snapshot to show them elsewhere.
public final class RedisClient: RedisCommandExecuting {
    /// Where and how to connect.
    public let configuration: RedisConfiguration
    /// The reconnect policy.
    public let backoff: ReconnectBackoff
    /// Finds the master through Sentinel on every (re)connect; nil connects to
    /// ``configuration``'s endpoint.
    public let sentinel: SentinelResolver?
    /// The owner's stop: once cancelled, a connect, a Sentinel round or a read in progress ends
    /// within milliseconds (``SocketError/cancelled``) instead of running out its timeout.
    public let cancellation: CancellationToken?

    /// Failed connection attempts and failed calls since the last success.
    public private(set) var consecutiveFailures = 0
    /// The most recent failure, kept until the next success.
    public private(set) var lastError: RedisError?

    private var connection: RedisConnection?
    private var tlsContext: TLSClientContext?
    /// Monotonic nanoseconds before which no connection attempt is made.
    private var nextAttemptNanoseconds: Int64 = 0
    /// Monotonic nanoseconds of the last confirmation that the connection goes to the master.
    private var roleConfirmedNanoseconds: Int64 = 0
    private let now: () -> Int64
    private let random: () -> Double
    private let logger: Logger

    /// Creates a client; it does not connect until the first call (or ``connect()``).
    /// - Parameters:
    ///   - now: the monotonic clock in nanoseconds (tests pass their own).
    ///   - random: uniform numbers in `0..<1` for backoff jitter (tests pass a constant).
    ///   - sentinel: resolves the master on every (re)connect; `configuration`'s endpoint is then
    ///     replaced by the master's address.
    ///   - cancellation: the owner's stop (``cancellation``).
    public init(
        configuration: RedisConfiguration,
        backoff: ReconnectBackoff = ReconnectBackoff(),
        sentinel: SentinelResolver? = nil,
        cancellation: CancellationToken? = nil,
        logger: Logger = Logger(label: "redis"),
        now: @escaping () -> Int64 = Deadline.monotonicNow,
        random: @escaping () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.configuration = configuration
        self.backoff = backoff
        self.sentinel = sentinel
        self.cancellation = cancellation
        self.logger = logger
        self.now = now
        self.random = random
    }

    /// True while a connection is open and not known to be broken.
    public var isConnected: Bool {
        guard let connection else { return false }
        return !connection.isBroken
    }

    /// How long until the next connection attempt is allowed; zero when it is allowed now.
    public var retryAfter: Duration {
        .nanoseconds(max(0, nextAttemptNanoseconds - now()))
    }

    /// Connects now unless already connected; throws the connection error, or
    /// ``RedisError/backingOff(retryAfter:lastError:)`` while waiting out the backoff.
    public func connect() throws {
        _ = try connected()
    }

    /// Runs `commands` as one pipeline on the current connection, connecting first if needed.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        let connection = try connected()
        do {
            let replies = try connection.pipeline(commands)
            recordSuccess()
            if sentinel != nil, replies.contains(where: { $0.errorMessage?.hasPrefix("READONLY") == true }) {
                // The server was demoted under us: the next call asks Sentinel for the new master.
                logger.warning(
                    "Redis answered READONLY: it is no longer the master; asking Sentinel again",
                    metadata: ["redis": "\(connection.configuration)"])
                close()
            }
            return replies
        } catch {
            let mapped = error as? RedisError ?? .io(reason: "\(error)")
            recordFailure(mapped)
            throw mapped
        }
    }

    /// Closes the connection (the next call reconnects). The failure count is kept.
    public func close() {
        connection?.close()
        connection = nil
    }

    private func connected() throws -> RedisConnection {
        if let connection, !connection.isBroken {
            guard let sentinel, !stillMaster(connection, sentinel) else { return connection }
            connection.close()
        }
        connection = nil
        let wait = nextAttemptNanoseconds - now()
        if wait > 0, let lastError {
            throw RedisError.backingOff(retryAfter: .nanoseconds(wait), lastError: lastError)
        }
        do {
            if configuration.tls != nil && tlsContext == nil {
                // Loaded once: CA and key files are read at the first attempt, not every reconnect.
                do {
                    tlsContext = try TLSClientContext(configuration.tls!)
                } catch {
                    throw RedisError.tls(endpoint: configuration.endpoint.description, reason: "\(error)")
                }
            }
            let fresh =
                try sentinel?.connectToMaster(
                    base: configuration, tlsContext: tlsContext, discardRepliesAbove: nil, cancellation: cancellation,
                    logger: logger)
                ?? RedisConnection(
                    configuration: configuration, tlsContext: tlsContext, cancellation: cancellation, logger: logger)
            connection = fresh
            roleConfirmedNanoseconds = now()
            if consecutiveFailures > 0 {
                logger.info(
                    "reconnected to Redis",
                    metadata: ["redis": "\(fresh.configuration)", "after_failures": "\(consecutiveFailures)"])
            }
            recordSuccess()
            return fresh
        } catch {
            let mapped =
                error as? RedisError ?? .connect(endpoint: configuration.endpoint.description, reason: "\(error)")
            recordFailure(mapped)
            throw mapped
        }
    }

    /// False when a connection resolved through Sentinel no longer goes to the master: another
    /// client followed a failover, or the periodic `ROLE` check says it was demoted.
    private func stillMaster(_ connection: RedisConnection, _ sentinel: SentinelResolver) -> Bool {
        if connection.configuration.endpoint != sentinel.currentMaster {
            logger.info(
                "the Redis master moved; reconnecting through Sentinel",
                metadata: ["from": "\(connection.configuration.endpoint)"])
            return false
        }
        let interval = sentinel.configuration.roleCheckInterval.components
        let intervalNanoseconds = interval.seconds * 1_000_000_000 + interval.attoseconds / 1_000_000_000
        guard now() - roleConfirmedNanoseconds >= intervalNanoseconds else { return true }
        guard sentinel.confirmsMaster(connection, tlsContext: tlsContext, cancellation: cancellation) else {
            return false
        }
        roleConfirmedNanoseconds = now()
        return true
    }

    private func recordSuccess() {
        consecutiveFailures = 0
        lastError = nil
        nextAttemptNanoseconds = 0
    }

    private func recordFailure(_ error: RedisError) {
        connection?.close()
        connection = nil
        consecutiveFailures += 1
        let delay = backoff.delay(afterFailures: consecutiveFailures, random: random())
        let (seconds, attoseconds) = delay.components
        nextAttemptNanoseconds = now() + seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        // Warn when something changes, not on every retry of the same outage; a stop is no news.
        let level: Logger.Level =
            cancellation?.isCancelled == true
            ? .debug : (consecutiveFailures == 1 || error != lastError) ? .warning : .debug
        lastError = error
        logger.log(
            level: level, "Redis call failed",
            metadata: [
                "redis": "\(sentinel.map { "\($0.configuration)" } ?? "\(configuration)")", "error": "\(error)",
                "consecutive_failures": "\(consecutiveFailures)",
                "retry_in_ms": "\(RedisError.milliseconds(delay))",
            ])
    }
}
