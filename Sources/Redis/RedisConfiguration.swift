import Sockets
import TLS

/// Where and how to connect to Redis: endpoint, database, credentials, TLS and limits.
///
/// Usually made from a URL with ``init(url:)``; every property can be changed afterwards (the
/// exporter sets ``password`` from a file or an environment variable when one is given).
/// ``description`` is redacted, so interpolating a configuration into a log line never leaks the
/// password.
public struct RedisConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The URL used when none is configured.
    public static let defaultURL = "redis://localhost:6379/0"
    /// Redis's standard port, for both `redis://` and `rediss://`.
    public static let defaultPort: UInt16 = 6379
    /// 64 MiB: far above any reply the exporter asks for (it never requests unbounded replies),
    /// small enough that a mistake cannot exhaust memory.
    public static let defaultMaximumReplyBytes = 64 * 1024 * 1024
    /// 1 Mi elements per reply: hundreds of times what the exporter's largest reply holds (a
    /// `SCAN … COUNT` page, a sampled `ZRANGE`, an `HMGET` chunk), and hiredis allocates about
    /// 60 bytes per element, so a forged header cannot cost more than some 64 MB either.
    public static let defaultMaximumAggregateElements = 1 << 20

    /// The TCP host and port, or the unix socket path.
    public var endpoint: SocketEndpoint
    /// The database selected after connecting (`SELECT` is sent only when it is not 0).
    public var database: Int
    /// The ACL user for `AUTH user password`; nil uses `AUTH password` (the default user).
    public var username: String?
    /// The password; nil sends no `AUTH` (unless ``username`` is set).
    public var password: String?
    /// TLS settings; nil for plain TCP or unix sockets. `rediss://` sets this to verifying
    /// defaults with the URL host as server name.
    public var tls: TLSClientConfiguration?
    /// Time allowed to establish a connection: TCP connect, TLS handshake, `AUTH` and `SELECT`.
    public var connectTimeout: Duration
    /// Time allowed for writing a pipeline, and for each of its replies from its first byte to its
    /// last (a server trickling bytes does not extend it).
    public var readTimeout: Duration
    /// The largest single reply kept. On a command connection a larger one is skipped as it
    /// streams past and its command is answered with ``RESPReader/discardedReplyError``; a
    /// Sentinel query refuses it and drops the connection (see ``RedisConnection``).
    public var maximumReplyBytes: Int
    /// The most elements one reply's array headers may announce, all levels together, before it
    /// is skipped (command connections, as above) or refused; nothing is allocated for them.
    public var maximumAggregateElements: Int
    /// The deepest nesting of arrays accepted, at most ``RESPReader/hiredisMaximumNestingDepth``.
    public var maximumNestingDepth: Int
    /// Sent as `CLIENT SETNAME` when connecting, so `CLIENT LIST` shows which connection is the
    /// exporter's and what for; nil sends nothing. Best effort: a refusal (an ACL without
    /// `+client|setname`, or `CLIENT` renamed or disabled as on managed Redis) is ignored. Must be
    /// printable ASCII without spaces (Redis's rule).
    public var clientName: String?

    /// Creates a configuration from its parts; 5 s timeouts, a 64 MiB and 1 Mi-element reply
    /// limit and hiredis's nesting limit by default.
    public init(
        endpoint: SocketEndpoint = .tcp(host: "localhost", port: RedisConfiguration.defaultPort),
        database: Int = 0,
        username: String? = nil,
        password: String? = nil,
        tls: TLSClientConfiguration? = nil,
        connectTimeout: Duration = .seconds(5),
        readTimeout: Duration = .seconds(5),
        maximumReplyBytes: Int = RedisConfiguration.defaultMaximumReplyBytes,
        maximumAggregateElements: Int = RedisConfiguration.defaultMaximumAggregateElements,
        maximumNestingDepth: Int = RESPReader.hiredisMaximumNestingDepth
    ) {
        self.endpoint = endpoint
        self.database = database
        self.username = username
        self.password = password
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maximumReplyBytes = maximumReplyBytes
        self.maximumAggregateElements = maximumAggregateElements
        self.maximumNestingDepth = maximumNestingDepth
    }

    /// The host name TLS verifies and sends as SNI: ``TLSClientConfiguration/serverName`` when
    /// set, otherwise the TCP host.
    public var tlsServerName: String? {
        if let name = tls?.serverName { return name }
        if case .tcp(let host, _) = endpoint { return host }
        return nil
    }

    /// The configuration as a URL with the whole user information replaced by `***`, for logs and
    /// metrics. The user name goes too: a password pasted without its ":" parses as a user name.
    public var redactedDescription: String {
        let userinfo = username != nil || password != nil ? "***@" : ""
        switch endpoint {
        case .tcp(let host, let port):
            let scheme = tls == nil ? "redis" : "rediss"
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(userinfo)\(shownHost):\(port)/\(database)"
        case .unix(let path):
            return "unix://\(userinfo)\(path)?db=\(database)"
        }
    }

    /// Same as ``redactedDescription``.
    public var description: String { redactedDescription }

    /// Same as ``redactedDescription``, so `debugPrint` and `\(reflecting:)` do not leak either.
    public var debugDescription: String { "RedisConfiguration(\(redactedDescription))" }
}

extension RedisConfiguration {
    /// This configuration with ``clientName`` set to `name`.
    public func named(_ name: String) -> RedisConfiguration {
        var copy = self
        copy.clientName = name
        return copy
    }
}
