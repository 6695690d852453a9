#if canImport(Glibc)
import Glibc
#endif
import Alerting
import Sockets

/// Everything the exporter was told at start-up, validated. Secrets (the Redis password) are
/// held here but never printed: ``redactedSummary`` is what the start-up log shows.
public struct ExporterConfiguration: Sendable {
    /// Log verbosity.
    public enum LogLevel: String, Sendable, CaseIterable { case debug, info, warn, error }
    /// Log line encoding.
    public enum LogFormat: String, Sendable, CaseIterable { case logfmt, json }

    public var listenAddresses: [SocketEndpoint] = [.tcp(host: "", port: ExporterConfiguration.defaultPort)]
    public var telemetryPath = "/metrics"
    public var maxConnections = 1024
    /// `--web.max-connections-per-client`; nil: half of ``maxConnections``.
    public var maxConnectionsPerClient: Int?
    public var redisURL = "redis://localhost:6379/0"
    /// Password from `--redis.password-file` or the environment; overrides one in the URL.
    public var redisPassword: String?
    /// ACL user name; overrides one in the URL.
    public var redisUser: String?
    public var redisTLSCAFile: String?
    public var redisTLSCertFile: String?
    public var redisTLSKeyFile: String?
    public var redisTLSServerName: String?
    public var redisTLSInsecureSkipVerify = false
    /// `--celery.result-backend-url` and its user, password and TLS flags; nil: results live with
    /// the broker (same connection settings).
    public var resultBackend: RedisConnectionFlags?
    /// `--redis.sentinel-master`: kombu's `master_name`, needed with a `sentinel://` URL.
    public var redisSentinelMaster: String?
    /// Sentinel password from `--redis.sentinel-password-file` or the environment (not Redis's).
    public var redisSentinelPassword: String?
    public var redisConnectTimeout = 5.0
    public var redisReadTimeout = 5.0
    public var pollInterval = 15.0
    public var celeryQueues: [String] = []
    public var celeryKeyPrefix = ""
    public var celeryVisibilityTimeout = 3600.0
    public var celeryUnackedSampleLimit = 100_000
    public var celeryDiscoveryInterval = 60.0
    public var celeryEvents = true
    public var celeryWorkerForgetAfter = 3600.0
    public var celeryMaxWorkers = 1000
    public var celeryMaxQueues = 10_000
    public var celeryTaskNameLimit = 0
    public var celeryResultExpires = 86_400.0
    public var celeryCensus = true
    /// `--celery.census-interval`; nil: 5 m with the Pub/Sub listener, 45 s without.
    public var celeryCensusInterval: Double?
    public var ruleFiles: [String] = []
    /// `--rules.history-max-bytes`: bound of the samples kept for the rules' range selectors.
    public var ruleHistoryMaxBytes = AlertEvaluator.defaultHistoryByteLimit
    public var alertingConfigFile: String?
    public var alertmanagerURL: String?
    public var externalURL = ""
    /// `--web.enable-lifecycle`: off by default, as in Prometheus (anyone who can reach the port could otherwise make it reload).
    public var enableLifecycle = false
    /// `--web.config.file`: TLS, basic authentication and headers for the exporter's endpoint.
    public var webConfigFile: String?
    /// `--storage.path`: directory for the notification delivery record (nil: none).
    public var storagePath: String?
    /// `--silences.file`: where silences persist (nil: memory only).
    public var silencesFile: String?
    /// `--silences.*` bounds.
    public var silenceLimits = SilenceLimits()
    /// `--web.enable-silences`: allow POST /api/v2/silences and DELETE /api/v2/silence/{id}.
    public var enableSilences = false
    public var logLevel = LogLevel.info
    public var logFormat = LogFormat.logfmt
    /// `--targets.file`: the Celery deployments to watch, each with its own runtime and a `target`
    /// label. Empty (no file): one target from the flags, and no `target` label.
    public var targets: [TargetDefinition] = []

    /// The default listen port. 9808 (celery-exporter) and 9121 (redis_exporter) are taken;
    /// Prometheus's allocation list for 9100-9999 is full, so collisions elsewhere are possible:
    /// override with --web.listen-address.
    public static let defaultPort: UInt16 = 9540

    public init() {}

    /// The flags this program understands, in the order `--help` lists them.
    public static let optionSpecs: [OptionSpec] = [
        OptionSpec(name: "web.listen-address", valueName: "[HOST]:PORT", defaultText: ":\(defaultPort)",
                   help: "Address to serve HTTP on; ':PORT' is every interface (IPv6 and IPv4), '[::1]:PORT' IPv6.",
                   repeatable: true),
        OptionSpec(name: "web.telemetry-path", valueName: "PATH", defaultText: "/metrics",
                   help: "Path under which metrics are served.", repeatable: false),
        OptionSpec(name: "web.max-connections", valueName: "N", defaultText: "1024",
                   help: "Open HTTP connections allowed at once; at the cap the longest-idle one, else the oldest request head still arriving, is closed to admit a new one (503 when none can be).",
                   repeatable: false),
        OptionSpec(name: "web.max-connections-per-client", valueName: "N", defaultText: "half of --web.max-connections",
                   help: "Open HTTP connections allowed from one client IP address; past it the address's own idle connection or partial request head is closed, else 503.",
                   repeatable: false),
        OptionSpec(name: "web.external-url", valueName: "URL", defaultText: nil,
                   help: "URL under which users reach this exporter; used as generatorURL/externalURL in notifications.",
                   repeatable: false),
        OptionSpec(name: "web.config.file", valueName: "FILE", defaultText: nil,
                   help: "exporter-toolkit web configuration (as Prometheus's): tls_server_config, basic_auth_users (bcrypt), http_server_config.headers. Protects every endpoint; re-read on reload.",
                   repeatable: false),
        OptionSpec(name: "web.enable-lifecycle", valueName: nil, defaultText: "false",
                   help: "Allow POST /-/reload (as in Prometheus, off by default: anyone who can reach the port could trigger reloads); SIGHUP always works.",
                   repeatable: false),
        OptionSpec(name: "rules.file", valueName: "FILE|GLOB", defaultText: nil,
                   help: "Prometheus alerting-rule file(s) to evaluate after every poll (e.g. deploy/prometheus/celery-redis-rules.yml).",
                   repeatable: true),
        OptionSpec(name: "rules.history-max-bytes", valueName: "BYTES", defaultText: "16777216",
                   help: "Memory for the samples that range selectors in rules (rate(x[5m]), at most 1h) need; past it the least recently seen series are dropped (counted).",
                   repeatable: false),
        OptionSpec(name: "alerting.config", valueName: "FILE", defaultText: nil,
                   help: "Alertmanager-style routing and receivers (webhook, Slack, PagerDuty) for the alerts; without it alerts are only exposed.",
                   repeatable: false),
        OptionSpec(name: "alertmanager.url", valueName: "URL", defaultText: nil,
                   help: "Also push alerts to this Alertmanager (POST /api/v2/alerts), e.g. http://alertmanager:9093.",
                   repeatable: false),
        OptionSpec(name: "storage.path", valueName: "DIR", defaultText: nil,
                   help: "Directory (writable) to keep the notification delivery record in, so a restart keeps startsAt, owed resolves and what receivers were told.",
                   repeatable: false),
        OptionSpec(name: "web.enable-silences", valueName: nil, defaultText: "false",
                   help: "Allow creating and expiring silences (POST /api/v2/silences, DELETE /api/v2/silence/{id}, what amtool silence add|expire use); off by default, as anyone who can reach the port could mute every alert.",
                   repeatable: false),
        OptionSpec(name: "silences.file", valueName: "FILE", defaultText: nil,
                   help: "File to keep silences in across restarts (written atomically; a corrupt file is logged and ignored). Without it silences live in memory only.",
                   repeatable: false),
        OptionSpec(name: "silences.retention", valueName: "DURATION", defaultText: "120h",
                   help: "How long an expired silence is still listed before it is dropped.", repeatable: false),
        OptionSpec(name: "silences.max-silences", valueName: "N", defaultText: "1000",
                   help: "Active and pending silences allowed at once (a new one past it is refused); also the most expired ones kept.",
                   repeatable: false),
        OptionSpec(name: "silences.max-per-silence-bytes", valueName: "BYTES", defaultText: "8192",
                   help: "Largest silence (comment, createdBy and matcher names and values together); larger ones are refused.",
                   repeatable: false),
        OptionSpec(name: "redis.url", valueName: "URL", defaultText: "redis://localhost:6379/0",
                   help: "Redis of the Celery broker: redis://[user[:password]@]host[:port][/db], rediss://... for TLS, unix:///path/redis.sock?db=N, kombu's redis+socket:///path/redis.sock?virtual_host=N, or sentinel://[:password@]host:26379[;sentinel://host2:26379...][/db] with --redis.sentinel-master.",
                   repeatable: false),
        OptionSpec(name: "redis.sentinel-master", valueName: "NAME", defaultText: nil,
                   help: "With a sentinel://host:26379[;sentinel://host2:26379...][/db] URL: the master to ask the sentinels for (kombu's master_name).",
                   repeatable: false),
        OptionSpec(name: "redis.sentinel-password-file", valueName: "FILE", defaultText: nil,
                   help: "File holding the Sentinel password (not Redis's; the URL's or --redis.password-file's goes to the master). CELERY_REDIS_EXPORTER_REDIS_SENTINEL_PASSWORD works too.",
                   repeatable: false),
        OptionSpec(name: "redis.user", valueName: "NAME", defaultText: nil,
                   help: "Redis ACL user name (overrides one in the URL).", repeatable: false),
        OptionSpec(name: "redis.password-file", valueName: "FILE", defaultText: nil,
                   help: "File holding the Redis password (trailing newline ignored). The environment variable CELERY_REDIS_EXPORTER_REDIS_PASSWORD works too.",
                   repeatable: false),
        OptionSpec(name: "redis.tls.ca-file", valueName: "FILE", defaultText: "system trust store",
                   help: "CA certificates to verify the Redis server with (rediss:// only).", repeatable: false),
        OptionSpec(name: "redis.tls.cert-file", valueName: "FILE", defaultText: nil,
                   help: "Client certificate for mutual TLS to Redis.", repeatable: false),
        OptionSpec(name: "redis.tls.key-file", valueName: "FILE", defaultText: nil,
                   help: "Private key of the client certificate.", repeatable: false),
        OptionSpec(name: "redis.tls.server-name", valueName: "NAME", defaultText: "the URL's host",
                   help: "Name to send as SNI and to verify the server certificate against.", repeatable: false),
        OptionSpec(name: "redis.tls.insecure-skip-verify", valueName: nil, defaultText: "false",
                   help: "Do not verify the Redis server certificate. Only for tests: anyone on the path can read and change the traffic.",
                   repeatable: false),
        OptionSpec(name: "redis.connect-timeout", valueName: "DURATION", defaultText: "5s",
                   help: "Timeout for connecting (and the TLS handshake) to Redis.", repeatable: false),
        OptionSpec(name: "redis.read-timeout", valueName: "DURATION", defaultText: "5s",
                   help: "Timeout for each Redis reply.", repeatable: false),
    ] + resultBackendOptionSpecs + [
        OptionSpec(name: "poll.interval", valueName: "DURATION", defaultText: "15s",
                   help: "How often Redis is sampled. /metrics serves the latest sample; a scrape never touches Redis.",
                   repeatable: false),
        OptionSpec(name: "celery.queues", valueName: "NAMES", defaultText: "discovered from kombu bindings",
                   help: "Comma-separated queues to always report, besides those discovered from _kombu.binding.* sets.",
                   repeatable: true),
        OptionSpec(name: "celery.key-prefix", valueName: "PREFIX", defaultText: "\"\"",
                   help: "kombu's global_keyprefix (broker_transport_options), e.g. 'prod:'.", repeatable: false),
        OptionSpec(name: "celery.visibility-timeout", valueName: "DURATION", defaultText: "1h",
                   help: "kombu's visibility_timeout: unacked tasks delivered longer ago count as stranded.",
                   repeatable: false),
        OptionSpec(name: "celery.unacked-sample-limit", valueName: "N", defaultText: "100000",
                   help: "Most tasks in flight attributed to their queue (oldest first; each tag's queue is read once and remembered, about 100 bytes a tag); totals stay exact past it.",
                   repeatable: false),
        OptionSpec(name: "celery.discovery-interval", valueName: "DURATION", defaultText: "1m",
                   help: "How often queues are rediscovered from _kombu.binding.* (a full SCAN of the keyspace, so not every poll).",
                   repeatable: false),
        OptionSpec(name: "celery.events", valueName: nil, defaultText: "true",
                   help: "Subscribe to Celery's result and worker-heartbeat Pub/Sub channels (one extra Redis connection); --no-celery.events turns it off.",
                   repeatable: false),
        OptionSpec(name: "celery.worker-forget-after", valueName: "DURATION", defaultText: "1h",
                   help: "Workers down for longer than this are dropped from the output.", repeatable: false),
        OptionSpec(name: "celery.max-workers", valueName: "N", defaultText: "1000",
                   help: "Most workers tracked (each is a label value); a new one makes the longest-silent worker give way (counted).",
                   repeatable: false),
        OptionSpec(name: "celery.max-queues", valueName: "N", defaultText: "10000",
                   help: "Most queues discovered from bindings that are reported (each is a label value); past it the least recently seen give way and the rest are counted.",
                   repeatable: false),
        OptionSpec(name: "celery.task-name-limit", valueName: "N", defaultText: "0 (off)",
                   help: "Add a task label (task names from result_extended metas and messages), for at most N names; the rest are 'other'.",
                   repeatable: false),
        OptionSpec(name: "celery.result-expires", valueName: "DURATION", defaultText: "1d",
                   help: "Celery's result_expires, used to estimate when a STARTED task began from its meta key's TTL.",
                   repeatable: false),
        OptionSpec(name: "celery.census", valueName: nil, defaultText: "true",
                   help: "Count celery-task-meta-* keys by state (on its own thread and connection: live result writes, predicted expiries, periodic reconciliation SCAN); --no-celery.census turns it off.",
                   repeatable: false),
        OptionSpec(name: "celery.census-interval", valueName: "DURATION", defaultText: "5m with --celery.events, 45s without",
                   help: "How often the census reconciles with a full SCAN (paced over at most 45s); catches forget() deletions and writes missed while the subscriber was down.",
                   repeatable: false),
        OptionSpec(name: "log.level", valueName: "LEVEL", defaultText: "info",
                   help: "One of debug, info, warn, error.", repeatable: false),
        OptionSpec(name: "log.format", valueName: "FORMAT", defaultText: "logfmt",
                   help: "One of logfmt, json.", repeatable: false),
    ]

    /// Interprets parsed options; every problem names the flag and what was expected.
    public init(options: ParsedOptions, environment: [String: String]) throws {
        self.init()
        if !options.all("web.listen-address").isEmpty {
            listenAddresses = try options.all("web.listen-address").map { text in
                guard let endpoint = SocketEndpoint.parseHostPort(text) else {
                    throw ConfigurationError("--web.listen-address=\(text): expected [HOST]:PORT such as :9540, 127.0.0.1:9540 or [::1]:9540")
                }
                return endpoint
            }
        }
        if let path = options.last("web.telemetry-path") {
            guard path.hasPrefix("/"), path.count > 1, !path.contains(" "), !path.contains("?") else {
                throw ConfigurationError("--web.telemetry-path=\(path): expected an absolute path such as /metrics")
            }
            guard !["/", "/-/healthy", "/-/ready"].contains(path) else {
                throw ConfigurationError("--web.telemetry-path=\(path): that path is taken by another endpoint")
            }
            telemetryPath = path
        }
        maxConnections = try Self.integer(options, "web.max-connections", range: 1...100_000) ?? maxConnections
        maxConnectionsPerClient = try Self.integer(options, "web.max-connections-per-client", range: 1...100_000)
        if let url = options.last("redis.url") { redisURL = url }
        redisUser = options.last("redis.user")
        if let file = options.last("redis.password-file") {
            redisPassword = try Self.readSecretFile(file, flag: "redis.password-file")
        } else if let password = environment["CELERY_REDIS_EXPORTER_REDIS_PASSWORD"] {
            redisPassword = password
        }
        redisSentinelMaster = options.last("redis.sentinel-master")
        if let file = options.last("redis.sentinel-password-file") {
            redisSentinelPassword = try Self.readSecretFile(file, flag: "redis.sentinel-password-file")
        } else if let password = environment["CELERY_REDIS_EXPORTER_REDIS_SENTINEL_PASSWORD"] {
            redisSentinelPassword = password
        }
        redisTLSCAFile = try options.last("redis.tls.ca-file").map { try Self.readableFile($0, flag: "redis.tls.ca-file") }
        redisTLSCertFile = try options.last("redis.tls.cert-file").map { try Self.readableFile($0, flag: "redis.tls.cert-file") }
        redisTLSKeyFile = try options.last("redis.tls.key-file").map { try Self.readableFile($0, flag: "redis.tls.key-file") }
        if (redisTLSCertFile == nil) != (redisTLSKeyFile == nil) {
            throw ConfigurationError("--redis.tls.cert-file and --redis.tls.key-file go together: give both or neither")
        }
        redisTLSServerName = options.last("redis.tls.server-name")
        redisTLSInsecureSkipVerify = options.last("redis.tls.insecure-skip-verify") == "true"
        redisConnectTimeout = try Self.duration(options, "redis.connect-timeout", range: 0.01...Self.hour) ?? redisConnectTimeout
        redisReadTimeout = try Self.duration(options, "redis.read-timeout", range: 0.01...Self.hour) ?? redisReadTimeout
        resultBackend = try Self.resultBackendFlags(options, environment: environment)
        pollInterval = try Self.duration(options, "poll.interval", range: 0.1...Self.day) ?? pollInterval
        celeryQueues = options.all("celery.queues").flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        if let prefix = options.last("celery.key-prefix") { celeryKeyPrefix = prefix }
        celeryVisibilityTimeout = try Self.duration(options, "celery.visibility-timeout", range: 1...Self.year) ?? celeryVisibilityTimeout
        celeryUnackedSampleLimit = try Self.integer(options, "celery.unacked-sample-limit", range: 1...10_000_000)
            ?? celeryUnackedSampleLimit
        celeryDiscoveryInterval = try Self.duration(options, "celery.discovery-interval", range: 1...Self.day) ?? celeryDiscoveryInterval
        if let events = options.last("celery.events") { celeryEvents = events == "true" }
        if let census = options.last("celery.census") { celeryCensus = census == "true" }
        celeryCensusInterval = try Self.duration(options, "celery.census-interval", range: 1...Self.day)
        celeryWorkerForgetAfter = try Self.duration(options, "celery.worker-forget-after", range: 1...Self.year) ?? celeryWorkerForgetAfter
        celeryMaxWorkers = try Self.integer(options, "celery.max-workers", range: 1...100_000) ?? celeryMaxWorkers
        celeryMaxQueues = try Self.integer(options, "celery.max-queues", range: 1...100_000) ?? celeryMaxQueues
        celeryTaskNameLimit = try Self.integer(options, "celery.task-name-limit", range: 0...10_000) ?? celeryTaskNameLimit
        celeryResultExpires = try Self.duration(options, "celery.result-expires", range: 1...(10 * Self.year)) ?? celeryResultExpires
        ruleFiles = options.all("rules.file")
        ruleHistoryMaxBytes = try Self.integer(options, "rules.history-max-bytes", range: 65_536...(1 << 34))
            ?? ruleHistoryMaxBytes
        alertingConfigFile = try options.last("alerting.config").map { try Self.readableFile($0, flag: "alerting.config") }
        if let url = options.last("alertmanager.url") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                // Not echoed: the URL may carry credentials.
                throw ConfigurationError("--alertmanager.url: expected an http:// or https:// URL")
            }
            alertmanagerURL = url
        }
        if let url = options.last("web.external-url") { externalURL = url }
        if let dir = options.last("storage.path") {
            guard access(dir, W_OK | X_OK) == 0 else {
                throw ConfigurationError("--storage.path=\(dir): not a writable directory (\(String(cString: strerror(errno))))")
            }
            storagePath = dir
        }
        webConfigFile = try options.last("web.config.file").map { try Self.readableFile($0, flag: "web.config.file") }
        if let lifecycle = options.last("web.enable-lifecycle") { enableLifecycle = lifecycle == "true" }
        if let enable = options.last("web.enable-silences") { enableSilences = enable == "true" }
        if let file = options.last("silences.file") {
            let dir = file.contains("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
            guard access(dir.isEmpty ? "/" : dir, W_OK | X_OK) == 0 else {
                throw ConfigurationError("--silences.file=\(file): its directory is not writable (\(String(cString: strerror(errno))))")
            }
            silencesFile = file
        }
        silenceLimits.retention = try Self.duration(options, "silences.retention", range: 60...(10 * Self.year))
            ?? silenceLimits.retention
        silenceLimits.maxSilences = try Self.integer(options, "silences.max-silences", range: 1...100_000)
            ?? silenceLimits.maxSilences
        silenceLimits.maxSilenceBytes = try Self.integer(options, "silences.max-per-silence-bytes", range: 256...65_536)
            ?? silenceLimits.maxSilenceBytes
        if let level = options.last("log.level") {
            guard let parsed = LogLevel(rawValue: level.lowercased()) ?? (level.lowercased() == "warning" ? .warn : nil) else {
                throw ConfigurationError("--log.level=\(level): expected one of debug, info, warn, error")
            }
            logLevel = parsed
        }
        if let format = options.last("log.format") {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError("--log.format=\(format): expected logfmt or json")
            }
            logFormat = parsed
        }
    }

    private static let hour = 3600.0
    private static let day = 86_400.0
    private static let year = 365 * day

    /// A duration flag within `range`. Every duration flag has an upper bound: past it a value means
    /// nothing useful, and unbounded ones overflowed later conversions to whole milliseconds.
    private static func duration(_ options: ParsedOptions, _ flag: String, range: ClosedRange<Double>) throws -> Double? {
        guard let text = options.last(flag) else { return nil }
        guard let seconds = DurationParser.seconds(text), range.contains(seconds) else {
            throw ConfigurationError(
                "--\(flag)=\(shown(text)): expected a duration from \(DurationParser.format(range.lowerBound)) to "
                    + "\(DurationParser.format(range.upperBound)) such as 15s, 1m or 1h")
        }
        return seconds
    }

    private static func integer(_ options: ParsedOptions, _ flag: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = options.last(flag) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(
                "--\(flag)=\(shown(text)): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A rejected number or duration as the error shows it: short, one line, printable. (Only for
    /// flags that cannot carry a secret.)
    static func shown(_ text: String) -> String {
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
        guard printable else { return "(unprintable value)" }
        return text.count > 32 ? String(text.prefix(32)) + "…" : text
    }

    /// Checks that `path` names a readable regular file; returns it. (A FIFO would hang whoever
    /// opens it later: OpenSSL for the TLS files, the alerting loader.)
    static func readableFile(_ path: String, flag: String) throws -> String {
        var info = stat()
        guard access(path, R_OK) == 0, stat(path, &info) == 0 else {
            throw ConfigurationError("--\(flag)=\(path): cannot read the file (\(String(cString: strerror(errno))))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationError("--\(flag)=\(path): cannot read the file (not a regular file)")
        }
        return path
    }

    /// Reads a secret from a file: the whole content without one trailing newline. Empty is an error.
    static func readSecretFile(_ path: String, flag: String) throws -> String {
        let bytes: [UInt8]
        switch RegularFile.read(path) {
        case .success(let content): bytes = content
        case .failure(let error): throw ConfigurationError("--\(flag)=\(path): cannot read the file (\(error.reason))")
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { throw ConfigurationError("--\(flag)=\(path): the file is empty, expected the secret") }
        return text
    }
}
