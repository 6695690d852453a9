import Celery
import Redis
import TLS

extension ExporterConfiguration {
    /// The broker's Redis connection settings: the URL, overridden by the separate user, password
    /// and TLS flags. Errors name the flag; the URL in them is redacted.
    public func redisConfiguration() throws(ConfigurationError) -> RedisConfiguration {
        try broker.redisConfiguration(
            urlFlag: "redis.url", tlsFlagPrefix: "redis.tls", connectTimeout: redisConnectTimeout,
            readTimeout: redisReadTimeout, parsed: try Self.sentinelPlaceholder(broker, urlFlag: "redis.url"))
    }

    /// The result backend's connection settings when `--celery.result-backend-url` names one
    /// (nil: results live in the broker's database and share its connection settings). Its user,
    /// password and TLS come from the `--celery.result-backend-*` flags only, never from the
    /// broker's: Celery configures the two separately too (`broker_use_ssl`, `redis_backend_use_ssl`).
    public func resultBackendConfiguration() throws(ConfigurationError) -> RedisConfiguration? {
        guard let resultBackend else { return nil }
        let urlFlag = "celery.result-backend-url"
        return try resultBackend.redisConfiguration(
            urlFlag: urlFlag, tlsFlagPrefix: "celery.result-backend-tls",
            connectTimeout: redisConnectTimeout, readTimeout: redisReadTimeout,
            parsed: try Self.sentinelPlaceholder(resultBackend, urlFlag: urlFlag))
    }

    /// The broker's Sentinel settings when `--redis.url` is a `sentinel://` URL, else nil (and then
    /// `--redis.sentinel-master` is an error). Needs the master name; timeouts are Redis's.
    public func sentinelConfiguration() throws(ConfigurationError) -> SentinelConfiguration? {
        guard let parsed = try Self.sentinelURL(broker, urlFlag: "redis.url") else {
            try Self.refuseSentinelOptions(broker, prefix: "redis.")
            return nil
        }
        return try sentinelConfiguration(
            parsed: parsed, master: broker.sentinelMaster, password: broker.sentinelPassword,
            tls: Self.sentinelTLS(broker), prefix: "redis.")
    }

    /// The result backend's Sentinel settings when `--celery.result-backend-url` is a
    /// `sentinel://` URL (Celery's `result_backend = 'sentinel://...'` with
    /// `result_backend_transport_options={'master_name': ...}`), else nil. When its sentinels are
    /// the broker's (the same list, as a set), the master name and the sentinels' password default
    /// to the broker's: the same processes, and most often one Sentinel-managed Redis with results
    /// in another database.
    public func resultBackendSentinelConfiguration() throws(ConfigurationError) -> SentinelConfiguration? {
        guard let resultBackend else { return nil }
        let prefix = "celery.result-backend-"
        guard let parsed = try Self.sentinelURL(resultBackend, urlFlag: prefix + "url") else {
            try Self.refuseSentinelOptions(resultBackend, prefix: prefix)
            return nil
        }
        let brokerSentinels = try Self.sentinelURL(broker, urlFlag: "redis.url")?.sentinels
        let sameSentinels =
            brokerSentinels.map { broker in
                broker.allSatisfy(parsed.sentinels.contains) && parsed.sentinels.allSatisfy(broker.contains)
            } ?? false
        return try sentinelConfiguration(
            parsed: parsed, master: resultBackend.sentinelMaster ?? (sameSentinels ? broker.sentinelMaster : nil),
            password: resultBackend.sentinelPassword ?? (sameSentinels ? broker.sentinelPassword : nil),
            tls: Self.sentinelTLS(resultBackend) ?? (sameSentinels ? Self.sentinelTLS(broker) : nil), prefix: prefix)
    }

    private func sentinelConfiguration(
        parsed: SentinelConfiguration.ParsedURL, master: String?, password: String?, tls: TLSClientConfiguration?,
        prefix: String
    ) throws(ConfigurationError) -> SentinelConfiguration {
        guard let master else {
            throw .conflict(.sentinelMasterMissing(prefix: prefix))
        }
        guard !master.isEmpty, master.utf8.count <= 256,
            master.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0.isASCII })
        else {
            throw .invalidValue(.flag(prefix + "sentinel-master"), shown: nil, problem: .invalidSentinelMasterName)
        }
        return SentinelConfiguration(
            sentinels: parsed.sentinels, masterName: master, password: password,
            connectTimeout: .milliseconds(Int64(redisConnectTimeout * 1000)),
            readTimeout: .milliseconds(Int64(redisReadTimeout * 1000)),
            roleCheckInterval: .milliseconds(Int64(min(10, max(1, pollInterval)) * 1000)), tls: tls)
    }

    /// TLS to the sentinels when `sentinel-tls` or its CA file is given.
    private static func sentinelTLS(_ flags: RedisConnectionFlags) -> TLSClientConfiguration? {
        flags.sentinelTLS || flags.sentinelTLSCAFile != nil
            ? TLSClientConfiguration(caFile: flags.sentinelTLSCAFile) : nil
    }

    /// Sentinel options next to a URL that is not `sentinel://` would silently do nothing.
    private static func refuseSentinelOptions(_ flags: RedisConnectionFlags, prefix: String) throws(ConfigurationError)
    {
        if flags.sentinelMaster != nil {
            throw .conflict(.needsSentinelURL(.master, prefix: prefix))
        }
        if flags.sentinelPassword != nil {
            throw .conflict(.needsSentinelURL(.password, prefix: prefix))
        }
        if flags.sentinelTLS || flags.sentinelTLSCAFile != nil {
            throw .conflict(.needsSentinelURL(.tls, prefix: prefix))
        }
    }

    /// With a sentinel:// URL the endpoint is a placeholder: every client asks the sentinels.
    private static func sentinelPlaceholder(_ flags: RedisConnectionFlags, urlFlag: String) throws(ConfigurationError)
        -> RedisConfiguration?
    {
        try sentinelURL(flags, urlFlag: urlFlag).map {
            RedisConfiguration(
                endpoint: $0.sentinels[0], database: $0.database, username: $0.username, password: $0.password)
        }
    }

    private static func sentinelURL(_ flags: RedisConnectionFlags, urlFlag: String) throws(ConfigurationError)
        -> SentinelConfiguration.ParsedURL?
    {
        guard SentinelConfiguration.isSentinelURL(flags.url) else { return nil }
        do {
            return try SentinelConfiguration.parse(url: flags.url)
        } catch {
            throw .redisURL(flag: urlFlag, redacted: SentinelConfiguration.redact(url: flags.url), error)
        }
    }

    /// Reconnect backoff capped below the poll interval, so every poll tries again once Redis is back
    /// (recovery within two polls) while a burst of calls inside one poll cannot hammer a dead server.
    public var redisBackoff: ReconnectBackoff {
        let cap = Duration.milliseconds(Int64(min(30, pollInterval / 2) * 1000))
        let initial = min(Duration.milliseconds(100), cap)
        return ReconnectBackoff(initialDelay: initial, maximumDelay: cap)
    }

    /// The sampler's settings.
    public func celeryConfiguration() -> CeleryConfiguration {
        var celery = CeleryConfiguration(
            queues: celeryQueues, keyPrefix: celeryKeyPrefix, visibilityTimeout: celeryVisibilityTimeout,
            discoveryInterval: celeryDiscoveryInterval, unackedSampleLimit: celeryUnackedSampleLimit,
            maxKnownQueues: celeryMaxQueues,
            taskNameLimit: celeryTaskNameLimit, resultExpires: celeryResultExpires,
            censusEnabled: celeryCensus, censusInterval: effectiveCensusInterval)
        celery.resultBackendSeparate = resultBackend != nil
        celery.queueSampleLimit = celeryQueueSampleLimit
        return celery
    }

    /// Seconds between census reconciliation passes: the flag, else 5 m when live result writes keep
    /// the counts current between passes, 45 s when passes are the only source (counts then stay
    /// within about a minute of the truth).
    public var effectiveCensusInterval: Double {
        celeryCensusInterval ?? (celeryEvents ? 300 : 45)
    }

    /// The Pub/Sub listener's settings; channels carry the Redis database number (`/<db>.celeryev/...`).
    public func celeryEventConfiguration(database: Int) -> CeleryEventConfiguration {
        CeleryEventConfiguration(
            keyPrefix: celeryKeyPrefix, database: database, taskNameLimit: celeryTaskNameLimit,
            workerForgetAfter: celeryWorkerForgetAfter, maxWorkers: celeryMaxWorkers)
    }
}
