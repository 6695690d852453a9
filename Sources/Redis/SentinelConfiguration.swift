import Sockets
import TLS

/// Where the Redis Sentinels are and which master to ask them for (kombu's `sentinel://` broker
/// URL plus its `master_name` transport option).
///
/// The Redis master's own credentials and database stay in the ``RedisConfiguration`` the clients
/// use; this holds only what the Sentinel connections need. ``description`` never shows the
/// password.
public struct SentinelConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Sentinel's standard port, the default for every `sentinel://` host without one (kombu's
    /// `SentinelTransport.default_port`).
    public static let defaultPort: UInt16 = 26379
    /// Most sentinels one URL may list: real deployments run 3 or 5.
    public static let maximumSentinels = 16
    /// Largest `SENTINEL GET-MASTER-ADDR-BY-NAME` reply accepted (two short bulk strings; a Sentinel
    /// sending more is broken or hostile and its connection is dropped).
    public static let maximumReplyBytes = 4096

    /// The sentinels, asked in this order.
    public var sentinels: [SocketEndpoint]
    /// The monitored master's name (`sentinel monitor <name> …`, kombu's `master_name`).
    public var masterName: String
    /// The Sentinel ACL user (`sentinel sentinel-user`); nil sends `AUTH password` only.
    public var username: String?
    /// The Sentinel password (`requirepass` on the sentinels); nil sends no `AUTH`. Separate from
    /// the Redis password, as kombu keeps it in `sentinel_kwargs`.
    public var password: String?
    /// Time allowed to connect to (and authenticate with) one sentinel.
    public var connectTimeout: Duration
    /// Time allowed for one sentinel's answer.
    public var readTimeout: Duration
    /// One deadline for a whole round (every sentinel asked in turn and each master it names
    /// checked): past it the sentinels not yet asked are skipped, so sixteen silent sentinels cost
    /// this, not sixteen connect timeouts.
    public var roundTimeout: Duration
    /// How often a client re-checks that its long-lived connection still goes to the master: it
    /// asks the sentinels again and sends `ROLE` (a demoted master keeps serving reads, and an old
    /// master keeps saying master until Sentinel reconfigures it, so nothing else would tell).
    public var roleCheckInterval: Duration
    /// TLS to the sentinels (kombu's `sentinel_kwargs={'ssl': True, 'ssl_ca_certs': ...}`); nil:
    /// plain TCP. Independent of the master's TLS, as in redis-py. The server name defaults to
    /// each sentinel's host.
    public var tls: TLSClientConfiguration?

    /// Creates a configuration; 5 s timeouts and a 10 s role check by default. `roundTimeout`
    /// defaults to twice `connectTimeout + readTimeout` (room for one silent sentinel and the next
    /// one's answer and master check).
    public init(
        sentinels: [SocketEndpoint], masterName: String, username: String? = nil, password: String? = nil,
        connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(5),
        roleCheckInterval: Duration = .seconds(10), roundTimeout: Duration? = nil, tls: TLSClientConfiguration? = nil
    ) {
        self.roundTimeout = roundTimeout ?? (connectTimeout + readTimeout) * 2
        self.tls = tls
        self.sentinels = sentinels
        self.masterName = masterName
        self.username = username
        self.password = password
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.roleCheckInterval = roleCheckInterval
    }

    /// The connection settings for one sentinel: its credentials, database 0, and small reply
    /// limits (its answers are a few dozen bytes).
    func connectionConfiguration(for sentinel: SocketEndpoint) -> RedisConfiguration {
        RedisConfiguration(
            endpoint: sentinel, database: 0, username: username, password: password, tls: tls,
            connectTimeout: connectTimeout, readTimeout: readTimeout,
            maximumReplyBytes: SentinelConfiguration.maximumReplyBytes, maximumAggregateElements: 16,
            maximumNestingDepth: 2)
    }

    /// `sentinel://host:26379;sentinel://host2:26379 master=NAME`, without credentials.
    public var description: String {
        sentinels.map { endpoint -> String in
            guard case .tcp(let host, let port) = endpoint else { return endpoint.description }
            return "sentinel://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }.joined(separator: ";") + " master=\(masterName)" + (tls == nil ? "" : " tls")
    }
}
