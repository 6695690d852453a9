import Logging
import Sockets
import Synchronization
import TLS

/// Finds the current Redis master through Sentinel, for every connection the exporter makes.
///
/// One resolver is shared by all clients of a target (poller, census, Pub/Sub listener); each asks
/// it on every (re)connect through ``connectToMaster(base:tlsContext:discardRepliesAbove:cancellation:logger:)``,
/// as the Redis Sentinel client guidelines describe:
///
/// 1. A round asks the sentinels in turn with `SENTINEL GET-MASTER-ADDR-BY-NAME`, each within its
///    own connect and read deadline and reply limit, the whole round within
///    ``SentinelConfiguration/roundTimeout``.
/// 2. Each plausible answer is connected with the Redis master's settings (credentials, database)
///    and must say `ROLE` master (`INFO replication` when an ACL refuses `ROLE`). A named server
///    that cannot be reached (`master_unreachable`) or is not master (`not_master`: a stale,
///    partitioned or lying sentinel naming a replica) is counted and the next sentinel asked, in
///    the same round: one bad sentinel never hides the others.
/// 3. The sentinel whose answer led to the master moves to the front of the list, so the next
///    round (a reconnect, a periodic check) asks it first and a dead or silent sentinel costs its
///    timeout once, not every round. A master other than the last one seen counts as a failover.
///
/// Clients re-ask after any connection failure, a `-READONLY` reply, or a periodic check that fails
/// (``SentinelConfiguration/roleCheckInterval``, ``confirmsMaster(_:cancellation:)``; command
/// clients only, Pub/Sub cannot send `ROLE`), and drop a connection to an address that is no
/// longer ``currentMaster`` (another client saw the failover first). Sentinel itself closes
/// clients of a demoted master (`CLIENT KILL TYPE normal/pubsub`), which starts the same path.
///
/// Trust: the master's password is sent to the server a sentinel names before its `ROLE` can be
/// checked (the check needs an authenticated connection), so the sentinels must be trusted as much
/// as Redis itself. Answers naming the unspecified address (which would connect to this machine)
/// or an implausible host are refused before any connection.
public final class SentinelResolver: Sendable {
    /// Why an answer from the sentinels was not used; the `reason` label of the failure counter.
    public enum FailureReason: String, Sendable, CaseIterable {
        /// The sentinel could not be reached, refused our credentials or did not answer in time.
        case unreachable
        /// The sentinel does not monitor a master of that name (nil reply or an error reply).
        case unknownMaster = "unknown_master"
        /// The answer was not two strings naming a plausible host and port.
        case badReply = "bad_reply"
        /// The named server could not be connected to or did not answer in time (refused,
        /// unresolvable, timed out, TLS or authentication failure).
        case masterUnreachable = "master_unreachable"
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
    /// The sentinels in the order the next round asks them (the one whose answer last led to a
    /// verified master first).
    let order: Mutex<[SocketEndpoint]>
    let logger: Logger
    private let warnings = RateLimitedLog(interval: .seconds(30))
    /// Monotonic nanoseconds when a round found no usable answer; nil after a success.
    let allFailedAt = Mutex<Int64?>(nil)
    /// After a round where no sentinel answered usefully, periodic checks skip the sentinels this
    /// long (each silent sentinel costs a connect timeout, and the working master connection is kept anyway).
    static let quietAfterAllFailed: Int64 = 60_000_000_000

    /// Creates a resolver; nothing connects until a client asks.
    public init(configuration: SentinelConfiguration, logger: Logger = Logger(label: "redis.sentinel")) {
        self.configuration = configuration
        self.order = Mutex(configuration.sentinels)
        self.logger = logger
    }

    /// A copy of the counts and the current master.
    public var statistics: Statistics { state.withLock { $0 } }

    /// The master the last resolution connected to (nil before the first).
    public var currentMaster: SocketEndpoint? { state.withLock { $0.master } }

    /// The sentinels in the order the next round asks them.
    public var sentinelOrder: [SocketEndpoint] { order.withLock { $0 } }

    /// Asks the sentinels in order and returns the first plausible master address (not checked
    /// with `ROLE`, and the order is left alone). Each failure is counted and logged (at most
    /// every 30 s per reason); throws when no sentinel gave one.
    public func askSentinels(cancellation: CancellationToken? = nil) throws -> SocketEndpoint {
        switch round(cancellation: cancellation, use: { address, _ in .success(address) }) {
        case .success(let found): return found.value
        case .failure(let failure): throw error(for: failure)
        }
    }

    /// Resolves the master and returns a connection to it that has confirmed it is the master;
    /// `base` supplies everything but the endpoint. `cancellation` (the caller's stop) cuts every
    /// wait, and the connection returned keeps it. Runs a second round only when the first met a
    /// server that was not (yet) master: during a failover a sentinel can name the new master
    /// before it is promoted; the client's backoff spaces out further tries.
    func connectToMaster(
        base: RedisConfiguration, tlsContext: TLSClientContext?, discardRepliesAbove: Int?,
        cancellation: CancellationToken? = nil, logger: Logger
    ) throws -> RedisConnection {
        var failure = RoundFailure()
        for _ in 0..<2 {
            let outcome = round(cancellation: cancellation) { address, deadline in
                self.verifiedMaster(
                    at: address, base: base, tlsContext: tlsContext, discardRepliesAbove: discardRepliesAbove,
                    cancellation: cancellation, deadline: deadline, logger: logger)
            }
            switch outcome {
            case .success(let found):
                adopt(found.value.configuration.endpoint)
                promote(found.sentinel)
                return found.value
            case .failure(let roundFailure):
                // A second round that only met silent sentinels says less than why the first
                // round's answers were refused.
                if roundFailure.cancelled || !roundFailure.refusals.isEmpty || failure.refusals.isEmpty {
                    failure = roundFailure
                }
            }
            guard !failure.cancelled, failure.refusals.contains(where: { $0.reason == .notMaster }) else { break }
        }
        throw error(for: failure)
    }

    /// True when `connection` still goes to the current master: its address is ``currentMaster``,
    /// it answers `ROLE` with master, and the sentinels do not name another server that is master
    /// (the old master keeps saying master for seconds after a failover, until Sentinel demotes
    /// it). One sentinel naming something else is not enough: its answer is checked like any
    /// other, and a stale sentinel naming a replica or an unreachable server is counted and the
    /// next one asked; an answer naming this master confirms it. When no sentinel answers usefully,
    /// the working master is kept. A failed check is counted and logged.
    /// `tlsContext` is the client's loaded one (a TLS master), so checking another server does not
    /// load the CA store again every check.
    func confirmsMaster(
        _ connection: RedisConnection, tlsContext: TLSClientContext? = nil, cancellation: CancellationToken? = nil
    ) -> Bool {
        let endpoint = connection.configuration.endpoint
        guard endpoint == currentMaster else { return false }
        do {
            let role = try self.role(of: connection)
            guard role == "master" else {
                record(
                    .notMaster, detail: "\(endpoint) now has ROLE \(RedisError.sanitizedServerText(role))",
                    sentinel: nil)
                return false
            }
        } catch {
            return false
        }
        let sentinelsQuiet = allFailedAt.withLock { failed in
            failed.map { Deadline.monotonicNow() - $0 < SentinelResolver.quietAfterAllFailed } ?? false
        }
        if sentinelsQuiet { return true }
        let base = connection.configuration
        let outcome = round(cancellation: cancellation) { address, deadline -> Result<SocketEndpoint?, Refusal> in
            if address == endpoint { return .success(nil) }
            // Another server: only one that says master moves us (the check's connection is closed;
            // the reconnect asks again and connects for good).
            return self.verifiedMaster(
                at: address, base: base, tlsContext: tlsContext, discardRepliesAbove: nil, cancellation: cancellation,
                deadline: deadline, logger: self.logger
            ).map { other -> SocketEndpoint? in
                other.close()
                return address
            }
        }
        switch outcome {
        case .success(let found):
            promote(found.sentinel)
            guard let other = found.value else { return true }
            logger.info(
                "Sentinel names another master; reconnecting",
                metadata: ["master_name": "\(configuration.masterName)", "from": "\(endpoint)", "to": "\(other)"])
            return false
        case .failure(let failure):
            return !failure.cancelled
        }
    }

    /// The server's role: `ROLE`'s first element, or `role:` from `INFO replication` when `ROLE`
    /// is refused (an ACL without `@admin`). Throws on transport failures; an unreadable answer
    /// is `"unknown"`.
    func role(of connection: RedisConnection, notAfter: Deadline? = nil) throws -> String {
        let reply = try connection.pipeline([redisCommand("ROLE")], notAfter: notAfter)[0]
        if let first = reply.array?.first?.bytes {
            return String(decoding: first.prefix(64), as: UTF8.self)
        }
        guard reply.errorMessage != nil else { return "unknown" }
        let info = try connection.pipeline([redisCommand("INFO", "replication")], notAfter: notAfter)[0]
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

    /// Counts an answer not used under `reason` and logs it (at most every 30 s per reason).
    func record(_ reason: FailureReason, detail: String, sentinel: SocketEndpoint?) {
        state.withLock { $0.failures[reason, default: 0] += 1 }
        guard let suppressed = warnings.admit(reason.rawValue) else { return }
        var metadata: Logger.Metadata = [
            "master_name": "\(configuration.masterName)", "reason": "\(reason.rawValue)", "detail": "\(detail)",
            "suppressed": "\(suppressed)",
        ]
        if let sentinel { metadata["sentinel"] = "\(sentinel)" }
        logger.warning("Sentinel answer not used", metadata: metadata)
    }

    /// One sentinel's answer, checked, before `deadline`.
    func ask(
        _ sentinel: SocketEndpoint, deadline: Deadline, cancellation: CancellationToken?
    ) -> Result<SocketEndpoint, SentinelAnswerError> {
        let reply: RESPValue
        do {
            let connection = try RedisConnection(
                configuration: configuration.connectionConfiguration(for: sentinel), tlsContext: nil,
                refusesOversizedReplies: true, cancellation: cancellation, notAfter: deadline, logger: logger)
            defer { connection.close() }
            reply = try connection.pipeline(
                [redisCommand("SENTINEL", "GET-MASTER-ADDR-BY-NAME", configuration.masterName)], notAfter: deadline)[0]
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
