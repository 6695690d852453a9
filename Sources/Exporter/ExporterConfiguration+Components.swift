import Celery
import Redis
import TLS

extension ExporterConfiguration {
    /// The broker's Redis connection settings: the URL, overridden by the separate user, password
    /// and TLS flags. Errors name the flag; the URL in them is redacted.
    public func redisConfiguration() throws -> RedisConfiguration {
        var flags = RedisConnectionFlags(url: redisURL)
        flags.user = redisUser
        flags.password = redisPassword
        flags.tlsCAFile = redisTLSCAFile
        flags.tlsCertFile = redisTLSCertFile
        flags.tlsKeyFile = redisTLSKeyFile
        flags.tlsServerName = redisTLSServerName
        flags.tlsInsecureSkipVerify = redisTLSInsecureSkipVerify
        return try flags.redisConfiguration(
            urlFlag: "redis.url", tlsFlagPrefix: "redis.tls", connectTimeout: redisConnectTimeout,
            readTimeout: redisReadTimeout)
    }

    /// The result backend's connection settings when `--celery.result-backend-url` names one
    /// (nil: results live in the broker's database and share its connection settings). Its user,
    /// password and TLS come from the `--celery.result-backend-*` flags only, never from the
    /// broker's: Celery configures the two separately too (`broker_use_ssl`, `redis_backend_use_ssl`).
    public func resultBackendConfiguration() throws -> RedisConfiguration? {
        try resultBackend?.redisConfiguration(
            urlFlag: "celery.result-backend-url", tlsFlagPrefix: "celery.result-backend-tls",
            connectTimeout: redisConnectTimeout, readTimeout: redisReadTimeout)
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
        var celery = CeleryConfiguration(queues: celeryQueues, keyPrefix: celeryKeyPrefix, visibilityTimeout: celeryVisibilityTimeout,
                            discoveryInterval: celeryDiscoveryInterval, unackedSampleLimit: celeryUnackedSampleLimit,
                            maxKnownQueues: celeryMaxQueues,
                            taskNameLimit: celeryTaskNameLimit, resultExpires: celeryResultExpires,
                            censusEnabled: celeryCensus, censusInterval: effectiveCensusInterval)
        celery.resultBackendSeparate = resultBackend != nil
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
        CeleryEventConfiguration(keyPrefix: celeryKeyPrefix, database: database, taskNameLimit: celeryTaskNameLimit,
                                 workerForgetAfter: celeryWorkerForgetAfter, maxWorkers: celeryMaxWorkers)
    }
}
