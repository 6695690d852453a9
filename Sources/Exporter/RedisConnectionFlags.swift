import Redis

/// One Redis connection as the flags describe it: a URL plus the separate user, password and TLS
/// flags that override it. The broker (`--redis.*`) and a separate result backend
/// (`--celery.result-backend-*`) are both described this way and turned into a
/// ``RedisConfiguration`` by one function, so the two cannot drift apart.
public struct RedisConnectionFlags: Sendable, Equatable {
    /// The URL (`redis://`, `rediss://`, `unix://`, `sentinel://`); may carry `user:password@`, never logged.
    public var url: String
    /// ACL user name; overrides one in the URL.
    public var user: String?
    /// Password from a file or the environment; overrides one in the URL.
    public var password: String?
    public var tlsCAFile: String?
    public var tlsCertFile: String?
    public var tlsKeyFile: String?
    public var tlsServerName: String?
    /// `--*.tls.insecure-skip-verify` when given; nil: the URL decides (`ssl_cert_reqs=none`
    /// turns verification off), verifying by default. A flag's default must not override the URL.
    public var tlsInsecureSkipVerify: Bool?
    /// With a `sentinel://` URL: the master to ask the sentinels for (kombu's `master_name`).
    public var sentinelMaster: String?
    /// The sentinels' own password (kombu's `sentinel_kwargs`), not the Redis master's.
    public var sentinelPassword: String?
    /// TLS to the sentinels (kombu's `sentinel_kwargs={'ssl': True}`); implied by ``sentinelTLSCAFile``.
    public var sentinelTLS = false
    /// CA certificates to verify the sentinels with (kombu's `sentinel_kwargs['ssl_ca_certs']`).
    public var sentinelTLSCAFile: String?

    public init(url: String) { self.url = url }

    /// The connection settings: the URL, overridden by the user, password and TLS flags, with the
    /// given timeouts. Errors name `urlFlag` and the TLS flags under `tlsFlagPrefix`; the URL in
    /// them is redacted.
    ///
    /// `parsed`: settings already made from the URL by another parser (a `sentinel://` URL, whose
    /// endpoint is a placeholder: the clients ask the sentinels for the master).
    func redisConfiguration(
        urlFlag: String, tlsFlagPrefix: String, connectTimeout: Double, readTimeout: Double,
        parsed: RedisConfiguration? = nil
    ) throws(ConfigurationError) -> RedisConfiguration {
        var redis: RedisConfiguration
        if let parsed {
            redis = parsed
        } else {
            do {
                redis = try RedisConfiguration(url: url)
            } catch {
                throw .redisURL(flag: urlFlag, redacted: RedisConfiguration.redact(url: url), error)
            }
        }
        if let user { redis.username = user }
        if let password { redis.password = password }
        let tlsFlagsGiven =
            tlsCAFile != nil || tlsCertFile != nil || tlsServerName != nil || tlsInsecureSkipVerify == true
        if var tls = redis.tls {
            tls.caFile = tlsCAFile ?? tls.caFile
            tls.certificateFile = tlsCertFile ?? tls.certificateFile
            tls.keyFile = tlsKeyFile ?? tls.keyFile
            tls.serverName = tlsServerName ?? tls.serverName
            tls.insecureSkipVerify = tlsInsecureSkipVerify ?? tls.insecureSkipVerify
            redis.tls = tls
        } else if tlsFlagsGiven {
            throw .conflict(
                .tlsOptionsNeedTLSURL(
                    tlsPrefix: tlsFlagPrefix, urlFlag: urlFlag, redactedURL: RedisConfiguration.redact(url: url)))
        }
        redis.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        redis.readTimeout = .milliseconds(Int64(readTimeout * 1000))
        return redis
    }
}
