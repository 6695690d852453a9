import Logging
import Sockets
import Synchronization
import TLS

/// Finds the current Redis master through Sentinel, for every connection the exporter makes.
///
/// One resolver is shared by all clients of a target (poller, census, Pub/Sub listener); each asks
/// it on every (re)connect through ``connectToMaster(base:tlsContext:discardRepliesAbove:logger:)``:
///
/// 1. The sentinels are asked in order with `SENTINEL GET-MASTER-ADDR-BY-NAME`, each within its own
///    connect and read deadline and reply limit; the first plausible answer wins.
/// 2. The named address is connected with the Redis master's settings (credentials, database) and
///    must say `ROLE` master (`INFO replication` when an ACL refuses `ROLE`): a sentinel that names
///    a replica (stale, partitioned, or lying) is not trusted, and the sentinels are asked again.
/// 3. A master other than the last one seen counts as a failover.
///
/// Clients re-ask after any connection failure, a `-READONLY` reply, or a periodic check that fails
/// (``SentinelConfiguration/roleCheckInterval``: the sentinels name another master, or `ROLE` is
/// not master; command clients only, Pub/Sub cannot send `ROLE`), and drop a connection to an address that is
/// no longer ``currentMaster`` (another client saw the failover first). Sentinel itself closes
/// clients of a demoted master (`CLIENT KILL TYPE normal/pubsub`), which starts the same path.
public final class SentinelResolver: Sendable {
    /// Why an answer from the sentinels was not used; the `reason` label of the failure counter.
    public enum FailureReason: String, Sendable, CaseIterable {
        /// The sentinel could not be reached, refused our credentials or did not answer in time.
        case unreachable
        /// The sentinel does not monitor a master of that name (nil reply or an error reply).
        case unknownMaster = "unknown_master"
        /// The answer was not two strings naming a plausible host and port.
        case badReply = "bad_reply"
        /// The named server is up but not a master (a replica, or a sentinel).
        case notMaster = "not_master"
    }

    /// Counts and the current master, for metrics.
    public struct Statistics: Sendable, Equatable {
        /// The master the last successful resolution connected to; nil before the first.
        public var master: SocketEndpoint?
        /// Times the master changed after the first resolution.
        public var failovers: UInt64 = 0
        /// Sentinel answers not used, by reason.
        public var failures: [FailureReason: UInt64] = [:]
    }

    /// Where the sentinels are and which master to ask for.
    public let configuration: SentinelConfiguration
    private let state = Mutex(Statistics())
    private let logger: Logger
    private let warnings = RateLimitedLog(interval: .seconds(30))
    /// Monotonic nanoseconds when a round found no sentinel answering usefully; nil after a success.
    private let allFailedAt = Mutex<Int64?>(nil)
    /// After a round where no sentinel answered, periodic checks skip the sentinels this long (each
    /// silent sentinel costs a connect timeout, and the working master connection is kept anyway).
    static let quietAfterAllFailed: Int64 = 60_000_000_000

    /// Creates a resolver; nothing connects until a client asks.
    public init(configuration: SentinelConfiguration, logger: Logger = Logger(label: "redis.sentinel")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// A copy of the counts and the current master.
    public var statistics: Statistics { state.withLock { $0 } }

    /// The master the last resolution connected to (nil before the first).
    public var currentMaster: SocketEndpoint? { state.withLock { $0.master } }

    /// Asks the sentinels in order and returns the first plausible master address. Each failure is
    /// counted and logged (at most every 30 s per reason); throws when no sentinel gave one.
    public func askSentinels() throws -> SocketEndpoint {
        var problems: [String] = []
        for sentinel in configuration.sentinels {
            switch ask(sentinel) {
            case .success(let address):
                allFailedAt.withLock { $0 = nil }
                return address
            case .failure(let failure):
                record(failure.reason, detail: failure.description, sentinel: sentinel)
                problems.append("\(sentinel): \(failure)")
            }
        }
        allFailedAt.withLock { $0 = Deadline.monotonicNow() }
        throw RedisError.connect(
            endpoint: "Sentinel master \"\(configuration.masterName)\"",
            reason: "no sentinel named a usable master (\(problems.joined(separator: "; ")))")
    }

    /// Resolves the master and returns a connection to it that has confirmed it is the master;
    /// `base` supplies everything but the endpoint. Asks the sentinels at most twice: during a
    /// failover a sentinel can name the old master after it was demoted; the client's backoff
    /// spaces out further tries.
    func connectToMaster(
        base: RedisConfiguration, tlsContext: TLSClientContext?, discardRepliesAbove: Int?, logger: Logger
    ) throws -> RedisConnection {
        var lastError: RedisError?
        for _ in 0..<2 {
            let address: SocketEndpoint
            do {
                address = try askSentinels()
            } catch {
                // A second round that fails says less than why the first answer was refused.
                throw lastError ?? error
            }
            var settings = base
            settings.endpoint = address
            let connection = try RedisConnection(
                configuration: settings, tlsContext: tlsContext, discardRepliesAbove: discardRepliesAbove,
                logger: logger)
            let role: String
            do {
                role = try self.role(of: connection)
            } catch {
                connection.close()
                throw error
            }
            if role == "master" {
                adopt(address)
                return connection
            }
            connection.close()
            let detail =
                "the sentinels named \(address), whose ROLE is \(RedisError.sanitizedServerText(role)), not master"
            record(.notMaster, detail: detail, sentinel: nil)
            lastError = .server(command: "ROLE", message: detail)
        }
        throw lastError ?? .closed
    }

    /// True when `connection` still goes to the current master: its address is ``currentMaster``,
    /// the sentinels name no other (the old master keeps saying master for seconds after a
    /// failover, until Sentinel demotes it), and it answers `ROLE` with master. When no sentinel
    /// answers, a working master is kept. A failed check is counted and logged.
    func confirmsMaster(_ connection: RedisConnection) -> Bool {
        let endpoint = connection.configuration.endpoint
        guard endpoint == currentMaster else { return false }
        let sentinelsQuiet = allFailedAt.withLock { failed in
            failed.map { Deadline.monotonicNow() - $0 < SentinelResolver.quietAfterAllFailed } ?? false
        }
        if !sentinelsQuiet, let named = try? askSentinels(), named != endpoint {
            logger.info(
                "Sentinel names another master; reconnecting",
                metadata: ["master_name": "\(configuration.masterName)", "from": "\(endpoint)", "to": "\(named)"])
            return false
        }
        do {
            let role = try self.role(of: connection)
            if role == "master" { return true }
            record(
                .notMaster,
                detail: "\(connection.configuration.endpoint) now has ROLE \(RedisError.sanitizedServerText(role))",
                sentinel: nil)
            return false
        } catch {
            return false
        }
    }

    /// The server's role: `ROLE`'s first element, or `role:` from `INFO replication` when `ROLE`
    /// is refused (an ACL without `@admin`). Throws on transport failures; an unreadable answer
    /// is `"unknown"`.
    func role(of connection: RedisConnection) throws -> String {
        let reply = try connection.pipeline([redisCommand("ROLE")])[0]
        if let first = reply.array?.first?.bytes {
            return String(decoding: first.prefix(64), as: UTF8.self)
        }
        guard reply.errorMessage != nil else { return "unknown" }
        let info = try connection.pipeline([redisCommand("INFO", "replication")])[0]
        guard let text = info.bytes else { return "unknown" }
        for line in String(decoding: text.prefix(65_536), as: UTF8.self).split(whereSeparator: \.isNewline)
        where line.hasPrefix("role:") {
            return String(line.dropFirst(5).prefix(64))
        }
        return "unknown"
    }

    /// Makes `address` the current master, counting a change as a failover.
    private func adopt(_ address: SocketEndpoint) {
        let previous = state.withLock { state -> SocketEndpoint? in
            let previous = state.master
            if previous != nil && previous != address { state.failovers += 1 }
            state.master = address
            return previous
        }
        if previous == nil {
            logger.info(
                "Redis master found through Sentinel",
                metadata: ["master_name": "\(configuration.masterName)", "address": "\(address)"])
        } else if previous != address {
            logger.warning(
                "Redis master changed (failover); following it",
                metadata: [
                    "master_name": "\(configuration.masterName)", "from": "\(previous!)", "to": "\(address)",
                ])
        }
    }

    private func record(_ reason: FailureReason, detail: String, sentinel: SocketEndpoint?) {
        state.withLock { $0.failures[reason, default: 0] += 1 }
        guard let suppressed = warnings.admit(reason.rawValue) else { return }
        var metadata: Logger.Metadata = [
            "master_name": "\(configuration.masterName)", "reason": "\(reason.rawValue)", "detail": "\(detail)",
            "suppressed": "\(suppressed)",
        ]
        if let sentinel { metadata["sentinel"] = "\(sentinel)" }
        logger.warning("Sentinel answer not used", metadata: metadata)
    }

    /// One sentinel's answer, checked.
    private func ask(_ sentinel: SocketEndpoint) -> Result<SocketEndpoint, SentinelAnswerError> {
        let reply: RESPValue
        do {
            let connection = try RedisConnection(
                configuration: configuration.connectionConfiguration(for: sentinel), tlsContext: nil,
                refusesOversizedReplies: true, logger: logger)
            defer { connection.close() }
            reply = try connection.pipeline([
                redisCommand("SENTINEL", "GET-MASTER-ADDR-BY-NAME", configuration.masterName)
            ])[0]
        } catch RedisError.replyTooLarge(let limit) {
            return .failure(.replyTooLarge(limit: limit))
        } catch RedisError.protocol(let message) {
            return .failure(.notRESP(message: message))
        } catch let error as RedisError {
            return .failure(.unreachable(error))
        } catch {
            // RedisConnection throws only RedisError; anything else still counts as unreachable.
            return .failure(.unreachable(.io(reason: "\(error)")))
        }
        return SentinelResolver.masterAddress(in: reply, masterName: configuration.masterName)
    }
}
