extension ExporterConfiguration {
    /// `--redis.url`: the broker's URL (never logged: it may carry a password).
    public var redisURL: String {
        get { broker.url }
        set { broker.url = newValue }
    }
    /// Password from `--redis.password-file` or the environment; overrides one in the URL.
    public var redisPassword: String? {
        get { broker.password }
        set { broker.password = newValue }
    }
    /// ACL user name; overrides one in the URL.
    public var redisUser: String? {
        get { broker.user }
        set { broker.user = newValue }
    }
    /// `--redis.sentinel-master`: kombu's `master_name`, needed with a `sentinel://` URL.
    public var redisSentinelMaster: String? {
        get { broker.sentinelMaster }
        set { broker.sentinelMaster = newValue }
    }
    /// Sentinel password from `--redis.sentinel-password-file` or the environment (not Redis's).
    public var redisSentinelPassword: String? {
        get { broker.sentinelPassword }
        set { broker.sentinelPassword = newValue }
    }
    public var redisTLSCAFile: String? {
        get { broker.tlsCAFile }
        set { broker.tlsCAFile = newValue }
    }
    public var redisTLSCertFile: String? {
        get { broker.tlsCertFile }
        set { broker.tlsCertFile = newValue }
    }
    public var redisTLSKeyFile: String? {
        get { broker.tlsKeyFile }
        set { broker.tlsKeyFile = newValue }
    }
    public var redisTLSServerName: String? {
        get { broker.tlsServerName }
        set { broker.tlsServerName = newValue }
    }
    public var redisTLSInsecureSkipVerify: Bool {
        get { broker.tlsInsecureSkipVerify }
        set { broker.tlsInsecureSkipVerify = newValue }
    }
}
