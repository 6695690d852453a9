import Celery
import Redis
import TLS

extension ExporterConfiguration {
    /// The Redis connection settings: the URL, overridden by the separate user, password and TLS flags.
    /// Errors name the flag; the URL in them is redacted.
    public func redisConfiguration() throws -> RedisConfiguration {
        var redis: RedisConfiguration
        do {
            redis = try RedisConfiguration(url: redisURL)
        } catch {
            throw ConfigurationError("--redis.url=\(RedisConfiguration.redact(url: redisURL)): \(error)")
        }
        if let redisUser { redis.username = redisUser }
        if let redisPassword { redis.password = redisPassword }
        let tlsFlagsGiven = redisTLSCAFile != nil || redisTLSCertFile != nil || redisTLSServerName != nil
            || redisTLSInsecureSkipVerify
        if var tls = redis.tls {
            tls.caFile = redisTLSCAFile ?? tls.caFile
            tls.certificateFile = redisTLSCertFile ?? tls.certificateFile
            tls.keyFile = redisTLSKeyFile ?? tls.keyFile
            tls.serverName = redisTLSServerName ?? tls.serverName
            tls.insecureSkipVerify = redisTLSInsecureSkipVerify
            redis.tls = tls
        } else if tlsFlagsGiven {
            throw ConfigurationError("--redis.tls.* flags need a rediss:// URL (got \(RedisConfiguration.redact(url: redisURL)))")
        }
        redis.connectTimeout = .milliseconds(Int64(redisConnectTimeout * 1000))
        redis.readTimeout = .milliseconds(Int64(redisReadTimeout * 1000))
        return redis
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
        CeleryConfiguration(queues: celeryQueues, keyPrefix: celeryKeyPrefix, visibilityTimeout: celeryVisibilityTimeout,
                            discoveryInterval: celeryDiscoveryInterval, unackedSampleLimit: celeryUnackedSampleLimit,
                            maxKnownQueues: celeryMaxQueues,
                            taskNameLimit: celeryTaskNameLimit, resultExpires: celeryResultExpires,
                            censusEnabled: celeryCensus, censusInterval: effectiveCensusInterval)
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
