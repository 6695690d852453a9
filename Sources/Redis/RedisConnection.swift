import Logging
import Sockets
import TLS

/// One connection to Redis speaking RESP2 over our own transport (TCP, unix socket or TLS).
///
/// Initialisation connects, authenticates (`AUTH [user] password`), selects the database when it
/// is not 0 and checks with `PING`, all in one round trip. ``pipeline(_:)`` then writes a batch in
/// a single write and reads the replies in order. Error replies are values; a transport or
/// protocol failure throws a ``RedisError`` and leaves the connection broken for good (RESP has
/// no way to resynchronise a half-read stream), so callers reconnect; ``RedisClient`` does that.
///
/// Not `Sendable`: one connection is used by one thread at a time.
///
/// Replies are parsed by a ``RESPReader`` owned by the connection and fed from
/// ``readReply(deadline:)``. A later Pub/Sub listener can switch a connection into subscribe mode
/// by sending `SUBSCRIBE` through ``send(_:)`` and then calling ``readReply(deadline:)`` in a loop.
public final class RedisConnection: RedisCommandExecuting {
    /// The configuration this connection was made with.
    public let configuration: RedisConfiguration
    /// True once a failure has closed the connection; every later call throws ``RedisError/closed``.
    public private(set) var isBroken = false

    private let stream: any ByteStream
    private let reader: RESPReader
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private let endpointDescription: String
    private let logger: Logger

    /// Connects, authenticates and selects the database within `configuration.connectTimeout`.
    /// Throws ``RedisError`` (`.connect`, `.tls`, `.timedOut`, `.authentication`, `.server`).
    /// A reply past `configuration.maximumReplyBytes` or `maximumAggregateElements` is skipped
    /// and its command answered with ``RESPReader/discardedReplyError`` (see below).
    public convenience init(configuration: RedisConfiguration, logger: Logger = Logger(label: "redis")) throws {
        try self.init(configuration: configuration, tlsContext: nil, discardRepliesAbove: nil, logger: logger)
    }

    /// As the public initialiser, reusing `tlsContext` (loading CA files once per client, not
    /// once per connection) when given. `discardRepliesAbove` makes replies larger than that many
    /// bytes be skipped and counted (``discardedReplyCount``) instead of breaking the connection
    /// (a subscriber's). Without it, a command's reply past `configuration.maximumReplyBytes` or
    /// `maximumAggregateElements` is skipped as it streams past and answered by an error reply in
    /// its place (``RESPReader/discardedReplyError``): one hostile value (a 70 MB member of
    /// `unacked_index`, a huge binding table) costs its command, not the connection and the poll.
    /// `refusesOversizedReplies` keeps the strict reader instead (a Sentinel's short answer: an
    /// oversized one is a bad answer, refused from its header). `cancellation` cuts the name
    /// lookup, the connect and every later read and write of this connection when cancelled (a
    /// shutdown); `notAfter` caps the connect deadline (a Sentinel round's overall deadline).
    init(
        configuration: RedisConfiguration, tlsContext: TLSClientContext?, discardRepliesAbove: Int? = nil,
        refusesOversizedReplies: Bool = false, cancellation: CancellationToken? = nil, notAfter: Deadline? = nil,
        logger: Logger
    ) throws {
        let deadline = min(Deadline(after: configuration.connectTimeout), notAfter ?? .distantFuture)
        self.configuration = configuration
        self.endpointDescription = configuration.endpoint.description
        self.logger = logger
        self.reader = RESPReader(
            maximumReplyBytes: configuration.maximumReplyBytes,
            maximumAggregateElements: configuration.maximumAggregateElements,
            maximumNestingDepth: configuration.maximumNestingDepth,
            discardRepliesAbove: refusesOversizedReplies ? nil : discardRepliesAbove ?? configuration.maximumReplyBytes,
            answerDiscardedWithError: !refusesOversizedReplies && discardRepliesAbove == nil)
        self.stream = try RedisConnection.openStream(
            configuration, tlsContext: tlsContext, deadline: deadline, cancellation: cancellation)
        do {
            try handshake(deadline: deadline)
        } catch {
            markBroken()
            throw transportError(error, phase: "connect")
        }
        logger.debug(
            "connected to Redis",
            metadata: ["redis": "\(configuration.redactedDescription)", "tls": "\(configuration.tls != nil)"])
    }

    deinit { stream.close() }

    /// Replies skipped because they were larger than the connection's discard threshold.
    var discardedReplyCount: Int { reader.discardedReplyCount }

    /// True while part of a reply has arrived but not yet its end.
    var hasPartialReply: Bool { reader.hasPartialReply }

    /// Closes the connection; later calls throw ``RedisError/closed``.
    public func close() { markBroken() }

    /// Sends every command in one write, then reads one reply per command, in order.
    /// Each reply must arrive whole within `configuration.readTimeout` of the previous one.
    public func pipeline(_ commands: [RedisCommand]) throws -> [RESPValue] {
        try pipeline(commands, notAfter: nil)
    }

    /// As ``pipeline(_:)``, with no wait going past `notAfter` (a Sentinel round's deadline).
    func pipeline(_ commands: [RedisCommand], notAfter: Deadline?) throws -> [RESPValue] {
        guard !isBroken else { throw RedisError.closed }
        if commands.isEmpty { return [] }
        let cap = notAfter ?? .distantFuture
        do {
            try send(commands, deadline: min(Deadline(after: configuration.readTimeout), cap))
            var replies: [RESPValue] = []
            replies.reserveCapacity(commands.count)
            while replies.count < commands.count {
                replies.append(try readReply(deadline: min(Deadline(after: configuration.readTimeout), cap)))
            }
            return replies
        } catch {
            markBroken()
            throw transportError(error, phase: "read")
        }
    }

    /// Writes `commands` in one write without reading replies (for Pub/Sub and the handshake).
    /// The caller must read exactly as many replies as the commands produce.
    func send(_ commands: [RedisCommand], deadline: Deadline? = nil) throws {
        var wire: [UInt8] = []
        for command in commands { RESPCommandEncoder.encode(command, into: &wire) }
        try stream.writeAll(wire, deadline: deadline ?? Deadline(after: configuration.readTimeout))
    }

    /// Returns the next reply, reading from the transport until one is complete or `deadline`
    /// passes. Throws raw transport errors; callers map them and mark the connection broken.
    func readReply(deadline: Deadline) throws -> RESPValue {
        while true {
            if let reply = try reader.next() { return reply }
            let count = try readBuffer.withUnsafeMutableBytes { try stream.read(into: $0, deadline: deadline) }
            if count == 0 { throw RedisError.closed }
            try readBuffer.withUnsafeBytes { try reader.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// `AUTH` (if credentials are set), `SELECT` (if the database is not 0), `CLIENT SETNAME` (if a
    /// name is set; a refusal is ignored) and `PING`, pipelined.
    /// `PING` makes a missing password fail here with `NOAUTH` rather than at the first poll.
    private func handshake(deadline: Deadline) throws {
        var commands: [RedisCommand] = []
        let authenticates = configuration.password != nil || configuration.username != nil
        if authenticates {
            var auth: RedisCommand = [Array("AUTH".utf8)]
            if let user = configuration.username { auth.append(Array(user.utf8)) }
            auth.append(Array((configuration.password ?? "").utf8))
            commands.append(auth)
        }
        if configuration.database != 0 { commands.append(redisCommand("SELECT", String(configuration.database))) }
        if let name = configuration.clientName { commands.append(redisCommand("CLIENT", "SETNAME", name)) }
        commands.append(redisCommand("PING"))

        try send(commands, deadline: deadline)
        var replies: [RESPValue] = []
        do {
            for _ in commands { replies.append(try readReply(deadline: deadline)) }
        } catch {
            // A server refusing the client outright (`-ERR max number of clients reached`) answers
            // once and closes: its words say more than "connection closed".
            if let message = replies.first?.errorMessage {
                throw handshakeError(message, command: authenticates ? "AUTH" : "handshake")
            }
            throw error
        }

        var index = 0
        if authenticates {
            if let message = replies[0].errorMessage { throw handshakeError(message, command: "AUTH") }
            index += 1
        }
        if configuration.database != 0 {
            if let message = replies[index].errorMessage {
                throw handshakeError(message, command: "SELECT \(configuration.database)")
            }
            index += 1
        }
        if configuration.clientName != nil {
            // Only a name for CLIENT LIST: refused (NOPERM, CLIENT renamed or disabled) changes nothing.
            if let message = replies[index].errorMessage, !message.hasPrefix("NOAUTH") {
                logger.debug(
                    "CLIENT SETNAME refused; the connection stays unnamed",
                    metadata: ["reply": "\(RedisError.sanitizedServerText(redact(message)))"])
            }
            index += 1
        }
        if let message = replies[index].errorMessage { throw handshakeError(message, command: "PING") }
    }

    /// An error reply during the handshake. Only a credentials problem reads as an authentication
    /// failure (``isAuthenticationFailure(_:)``); anything else (`-ERR max number of clients
    /// reached`, `-LOADING`, a proxy's complaint) is the server's own words under the command's
    /// name, password removed and cut to a bound (descriptions sanitise it further).
    private func handshakeError(_ message: String, command: String) -> RedisError {
        let text = String(redact(message).prefix(RedisConnection.maximumHandshakeErrorCharacters))
        if RedisConnection.isAuthenticationFailure(message) { return .authentication(message: text) }
        return .server(command: command, message: text)
    }

    /// Longest server text kept from a handshake error reply.
    static let maximumHandshakeErrorCharacters = 1024

    /// True for the replies Redis gives to wrong or missing credentials: `WRONGPASS …`,
    /// `NOAUTH …`, `ERR invalid password` (before 6.0), `ERR Client sent AUTH, but no password is
    /// set` (before 6.0) and `ERR AUTH <password> called without any password configured …` (6.0+).
    static func isAuthenticationFailure(_ message: String) -> Bool {
        let head = message.prefix(256).uppercased()
        if head.hasPrefix("WRONGPASS") || head.hasPrefix("NOAUTH") { return true }
        return ["INVALID PASSWORD", "INVALID USERNAME-PASSWORD PAIR", "NO PASSWORD IS SET", "WITHOUT ANY PASSWORD"]
            .contains { head.contains($0) }
    }

    /// The server's text with the password removed, in case a server or proxy echoes it.
    private func redact(_ message: String) -> String {
        guard let password = configuration.password, !password.isEmpty else { return message }
        return message.replacing(password, with: "***")
    }

    private func markBroken() {
        isBroken = true
        stream.close()
    }

    /// Maps a transport failure to a ``RedisError`` naming the endpoint.
    private func transportError(_ error: any Error, phase: String) -> RedisError {
        switch error {
        case let error as RedisError:
            return error
        case let error as SocketError:
            switch error {
            case .timedOut(let operation): return .timedOut(operation: "\(operation) from \(endpointDescription)")
            case .closed: return .closed
            default: return .io(reason: "\(phase) \(endpointDescription): \(error)")
            }
        case let error as TLSError:
            switch error.kind {
            case .timedOut: return .timedOut(operation: "TLS \(phase) from \(endpointDescription)")
            case .closed: return .closed
            default: return .io(reason: "TLS \(phase) \(endpointDescription): \(error)")
            }
        default:
            return .io(reason: "\(phase) \(endpointDescription): \(error)")
        }
    }

    /// Opens the transport: a socket, wrapped in TLS when configured.
    private static func openStream(
        _ configuration: RedisConfiguration, tlsContext: TLSClientContext?, deadline: Deadline,
        cancellation: CancellationToken?
    ) throws -> any ByteStream {
        let endpoint = configuration.endpoint
        let socket: Socket
        do {
            socket = try Socket.connect(to: endpoint, deadline: deadline, cancellation: cancellation)
        } catch let error as SocketError {
            switch error {
            case .timedOut: throw RedisError.timedOut(operation: "connect to \(endpoint)")
            case .failed(let call, let code) where call == "connect":
                throw RedisError.connect(
                    endpoint: endpoint.description, reason: SocketError.failed(call: call, errno: code).reasonText)
            default: throw RedisError.connect(endpoint: endpoint.description, reason: error.description)
            }
        }
        guard let tls = configuration.tls else { return socket }
        return try openTLS(
            over: socket, configuration: configuration, tls: tls, context: tlsContext, deadline: deadline)
    }
}

extension SocketError {
    /// The reason without the system call name (`Connection refused`), for connect errors.
    fileprivate var reasonText: String {
        let text = description
        if let colon = text.firstRange(of: ": ") { return String(text[colon.upperBound...]) }
        return text
    }
}
