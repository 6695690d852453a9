import Celery
import Redis
import TLS

extension ExporterConfiguration {
    /// The broker's Redis connection settings: the URL, overridden by the separate user, password
    /// and TLS flags. Errors name the flag; the URL in them is redacted.
    public func redisConfiguration() throws -> RedisConfiguration {
        // With a sentinel:// URL the endpoint is a placeholder: every client asks the sentinels.
        let sentinelPlaceholder = try sentinelURL().map {
            RedisConfiguration(endpoint: $0.sentinels[0], database: $0.database, username: $0.username, password: $0.password)
        }
        return try broker.redisConfiguration(
            urlFlag: "redis.url", tlsFlagPrefix: "redis.tls", connectTimeout: redisConnectTimeout,
            readTimeout: redisReadTimeout, parsed: sentinelPlaceholder)
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

    /// The Sentinel settings when `--redis.url` is a `sentinel://` URL, else nil (and then
    /// `--redis.sentinel-master` is an error). Needs the master name; timeouts are Redis's.
    public func sentinelConfiguration() throws -> SentinelConfiguration? {
        guard let parsed = try sentinelURL() else {
            if redisSentinelMaster != nil {
                throw ConfigurationError("--redis.sentinel-master needs a sentinel://host:26379 URL in --redis.url")
            }
            if redisSentinelPassword != nil {
                throw ConfigurationError("a Sentinel password (--redis.sentinel-password-file) needs a sentinel:// URL in --redis.url")
            }
            return nil
        }
        guard let master = redisSentinelMaster else {
            throw ConfigurationError("--redis.url is a sentinel:// URL: --redis.sentinel-master NAME is needed (kombu's master_name)")
        }
        guard !master.isEmpty, master.utf8.count <= 256,
              master.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0.isASCII }) else {
            throw ConfigurationError("--redis.sentinel-master: expected a name of 1 to 256 printable ASCII characters without spaces")
        }
        return SentinelConfiguration(
            sentinels: parsed.sentinels, masterName: master, password: redisSentinelPassword,
            connectTimeout: .milliseconds(Int64(redisConnectTimeout * 1000)),
            readTimeout: .milliseconds(Int64(redisReadTimeout * 1000)),
            roleCheckInterval: .milliseconds(Int64(min(10, max(1, pollInterval)) * 1000)))
    }

    private func sentinelURL() throws -> SentinelConfiguration.ParsedURL? {
        guard SentinelConfiguration.isSentinelURL(redisURL) else { return nil }
        do {
            return try SentinelConfiguration.parse(url: redisURL)
        } catch {
            throw ConfigurationError("--redis.url=\(SentinelConfiguration.redact(url: redisURL)): \(error)")
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
