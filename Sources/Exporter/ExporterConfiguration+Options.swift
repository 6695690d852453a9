import HTTP
import Sockets

#if canImport(Glibc)
    import Glibc
#endif

extension ExporterConfiguration {
    /// The broker's connection options (`--redis.*`).
    static let brokerConnection = RedisConnectionOptions(
        prefix: "redis.", noun: "the broker", read: { $0.broker }, update: { c, change in change(&c.broker) },
        isOptional: false, urlDefault: "redis://localhost:6379/0",
        urlHelp:
            "Redis of the Celery broker: redis://[user[:password]@]host[:port][/db], rediss://... for TLS, unix:///path/redis.sock?db=N, kombu's redis+socket:///path/redis.sock?virtual_host=N, or sentinel://[:password@]host:26379[;sentinel://host2:26379...][/db] with --redis.sentinel-master.",
        urlKey: "redis_url")

    /// A result backend that is not the broker's database (Celery's `result_backend` pointing at
    /// another database or another Redis): the census, the result-write subscription and orphan
    /// detection go there; queues, unacked messages and worker events stay on the broker. Its
    /// user, password and TLS come from its own options only, never from the broker's: Celery
    /// configures the two separately too (`broker_use_ssl`, `redis_backend_use_ssl`). Behind
    /// Sentinel (`sentinel://`, Celery's `result_backend_transport_options={'master_name': ...}`)
    /// the master name and the sentinels' password default to the broker's when the URL lists the
    /// same sentinels (the same processes, so the same password).
    static let resultBackendConnection = RedisConnectionOptions(
        prefix: "celery.result-backend-", noun: "the result backend", read: { $0.resultBackend },
        update: { c, change in
            var flags = c.resultBackend ?? RedisConnectionFlags(url: "")
            change(&flags)
            c.resultBackend = flags
        },
        isOptional: true, urlDefault: "the broker's (--redis.url)",
        urlHelp:
            "Redis of Celery's result_backend when it is not the broker's database, e.g. redis://host:6379/1 or another instance; same URL forms as --redis.url, sentinel:// with --celery.result-backend-sentinel-master.",
        urlKey: nil)

    static let connections = [brokerConnection, resultBackendConnection]

    /// Every option, in the order `--help` lists them. The one place a flag is declared.
    static let options: [ExporterOption] =
        webOptions + alertingOptions + targetsOptions + brokerConnection.options + timeoutOptions
        + resultBackendConnection.options + celeryOptions + logOptions

    private static let webOptions: [ExporterOption] = [
        ExporterOption(
            "web.listen-address", valueName: "[HOST]:PORT", default: ":\(defaultPort)",
            help: "Address to serve HTTP on; ':PORT' is every interface (IPv6 and IPv4), '[::1]:PORT' IPv6.",
            repeatable: true, scope: .process
        ) { c, input throws(ConfigurationError) in
            c.listenAddresses = try input.values.map { text throws(ConfigurationError) in
                guard let endpoint = SocketEndpoint.parseHostPort(text) else {
                    throw input.fail(.notAListenAddress, showing: text)
                }
                return endpoint
            }
        },
        ExporterOption(
            "web.telemetry-path", valueName: "PATH", default: "/metrics",
            help: "Path under which metrics are served.", scope: .process
        ) { c, input throws(ConfigurationError) in
            let path = input.last
            // Requests are matched on the raw path: a `%` escape would never match, `?` and `#`
            // end the path, and spaces or control characters cannot be sent at all.
            let usable = path.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value != 0x7F && !"%?#".unicodeScalars.contains($0)
            }
            guard path.hasPrefix("/"), path.count > 1, usable else {
                throw input.fail(.notAnAbsolutePath, showing: path)
            }
            guard !Routes.isReserved(path) else { throw input.fail(.pathTaken, showing: path) }
            c.telemetryPath = path
        },
        .integer(
            "web.max-connections", default: "1024", range: 1...100_000,
            help:
                "Open HTTP connections allowed at once; at the cap the longest-idle one, else the oldest request head still arriving, is closed to admit a new one (503 when none can be).",
            scope: .process
        ) { $0.maxConnections = $1 },
        .integer(
            "web.max-connections-per-client", default: "half of --web.max-connections", range: 1...100_000,
            help:
                "Open HTTP connections allowed from one client IP address; past it the address's own idle connection or partial request head is closed, else 503.",
            scope: .process
        ) { $0.maxConnectionsPerClient = $1 },
        ExporterOption(
            "web.external-url", valueName: "URL", default: nil,
            help:
                "Absolute http(s) URL under which users reach this exporter; used as generatorURL/externalURL in notifications.",
            scope: .process
        ) { c, input throws(ConfigurationError) in
            // It becomes a link in every notification: a relative or non-web URL, or a line break,
            // would go out as given.
            do throws(HTTPClientError) {
                _ = try HTTPClientURL(input.last)
            } catch {
                let reason: String
                switch error {
                case .invalidURL(let why): reason = why
                default: reason = "\(error)"
                }
                // Not quoted: a URL refused for holding user information would show its password.
                throw input.fail(.notAnExternalURL(reason: reason))
            }
            c.externalURL = input.last
        },
        .readableFile(
            "web.config.file", default: nil,
            help:
                "exporter-toolkit web configuration (as Prometheus's): tls_server_config, basic_auth_users (bcrypt), http_server_config.headers. Protects every endpoint; re-read on reload.",
            scope: .process
        ) { $0.webConfigFile = $1 },
        .toggle(
            "web.enable-lifecycle", default: false,
            help:
                "Allow POST /-/reload (as in Prometheus, off by default: anyone who can reach the port could trigger reloads); SIGHUP always works.",
            scope: .process
        ) { $0.enableLifecycle = $1 },
    ]

    private static let alertingOptions: [ExporterOption] = [
        ExporterOption(
            "rules.file", valueName: "FILE|GLOB", default: nil,
            help:
                "Prometheus alerting-rule file(s) to evaluate after every poll (e.g. deploy/prometheus/celery-redis-rules.yml).",
            repeatable: true, scope: .process
        ) { c, input in c.ruleFiles = input.values },
        .integer(
            "rules.history-max-bytes", valueName: "BYTES", default: "16777216", range: 65_536...(1 << 34),
            help:
                "Memory for the samples that range selectors in rules (rate(x[5m]), at most 1h) need; past it the least recently seen series are dropped (counted).",
            scope: .process
        ) { $0.ruleHistoryMaxBytes = $1 },
        .readableFile(
            "alerting.config", default: nil,
            help:
                "Alertmanager-style routing and receivers (webhook, Slack, PagerDuty) for the alerts; without it alerts are only exposed.",
            scope: .process
        ) { $0.alertingConfigFile = $1 },
        ExporterOption(
            "alertmanager.url", valueName: "URL", default: nil,
            help: "Also push alerts to this Alertmanager (POST /api/v2/alerts), e.g. http://alertmanager:9093.",
            scope: .process
        ) { c, input throws(ConfigurationError) in
            let url = input.last
            // Not echoed: the URL may carry credentials.
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw input.fail(.notAnHTTPURL)
            }
            c.alertmanagerURL = url
        },
        ExporterOption(
            "storage.path", valueName: "DIR", default: nil,
            help:
                "Directory (writable) to keep the notification delivery record in, so a restart keeps startsAt, owed resolves and what receivers were told.",
            scope: .process
        ) { c, input throws(ConfigurationError) in
            let dir = input.last
            guard !dir.isEmpty else { throw input.fail(.emptyPath) }
            var info = stat()
            guard stat(dir, &info) == 0 else { throw input.fail(.notAWritableDirectory(errno: errno), showing: dir) }
            // access() alone passes a writable executable file; every later write would fail.
            guard info.st_mode & S_IFMT == S_IFDIR else { throw input.fail(.notADirectory, showing: dir) }
            guard access(dir, W_OK | X_OK) == 0 else {
                throw input.fail(.notAWritableDirectory(errno: errno), showing: dir)
            }
            c.storagePath = dir
        },
        .toggle(
            "web.enable-silences", default: false,
            help:
                "Allow creating and expiring silences (POST /api/v2/silences, DELETE /api/v2/silence/{id}, what amtool silence add|expire use); off by default, as anyone who can reach the port could mute every alert.",
            scope: .process
        ) { $0.enableSilences = $1 },
        ExporterOption(
            "silences.file", valueName: "FILE", default: nil,
            help:
                "File to keep silences in across restarts (written atomically). One that exists but cannot be read as silences stops start-up, untouched. Without it silences live in memory only.",
            scope: .process
        ) { c, input throws(ConfigurationError) in
            let file = input.last
            guard !file.isEmpty else { throw input.fail(.emptyPath) }
            // Something that exists must be a regular file: a directory, FIFO or device
            // (/dev/null) would fail every write, or hang or lie on read.
            var info = stat()
            if stat(file, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
                throw input.fail(.notARegularFile, showing: file)
            }
            let dir = file.contains("/") ? String(file[..<file.lastIndex(of: "/")!]) : "."
            guard access(dir.isEmpty ? "/" : dir, W_OK | X_OK) == 0 else {
                throw input.fail(.directoryNotWritable(errno: errno), showing: file)
            }
            c.silencesFile = file
        },
        .duration(
            "silences.retention", default: "120h", range: 60...(10 * year),
            help: "How long an expired silence is still listed before it is dropped.",
            scope: .process
        ) { $0.silenceLimits.retention = $1 },
        .integer(
            "silences.max-silences", default: "1000", range: 1...100_000,
            help:
                "Active and pending silences allowed at once (a new one past it is refused); also the most expired ones kept.",
            scope: .process
        ) { $0.silenceLimits.maxSilences = $1 },
        .integer(
            "silences.max-per-silence-bytes", valueName: "BYTES", default: "8192", range: 256...65_536,
            help:
                "Largest silence (comment, createdBy and matcher names and values together); larger ones are refused.",
            scope: .process
        ) { $0.silenceLimits.maxSilenceBytes = $1 },
    ]

    private static let targetsOptions: [ExporterOption] = [
        .readableFile(
            "targets.file", default: nil,
            help:
                "YAML file listing several Celery deployments to watch (targets: [{name, redis_url, ...}]); every series then carries target=\"<name>\". Per-target flags given as well are every entry's defaults.",
            scope: .process
        ) { $0.targetsFile = $1 }
    ]

    private static let timeoutOptions: [ExporterOption] = [
        .duration(
            "redis.connect-timeout", default: "5s", range: 0.01...hour,
            help: "Timeout for connecting (and the TLS handshake) to Redis.", scope: .target()
        ) { $0.redisConnectTimeout = $1 },
        .duration(
            "redis.read-timeout", default: "5s", range: 0.01...hour,
            help: "Timeout for each Redis reply.", scope: .target()
        ) { $0.redisReadTimeout = $1 },
    ]

    private static let celeryOptions: [ExporterOption] = [
        // Process-wide: one poll loop drives the alert evaluation, the status page and readiness
        // for every target, and rules' rate() windows assume one cadence.
        .duration(
            "poll.interval", default: "15s", range: 0.1...day,
            help: "How often Redis is sampled. /metrics serves the latest sample; a scrape never touches Redis.",
            scope: .process
        ) { $0.pollInterval = $1 },
        ExporterOption(
            "celery.queues", valueName: "NAMES", default: "discovered from kombu bindings",
            help:
                "Comma-separated queues to always report, besides those discovered from _kombu.binding.* sets; at most --celery.max-queues of them.",
            repeatable: true, scope: .target()
        ) { c, input throws(ConfigurationError) in
            c.celeryQueues = input.values.flatMap { $0.split(separator: ",") }
                .map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
            // `--celery.queues=` names no queue: a mistake, not a request for the default.
            guard !c.celeryQueues.isEmpty else { throw input.fail(.blankList) }
        },
        .text(
            "celery.key-prefix", valueName: "PREFIX", default: "\"\"",
            help: "kombu's global_keyprefix (broker_transport_options), e.g. 'prod:'.", scope: .target()
        ) { $0.celeryKeyPrefix = $1 },
        .duration(
            "celery.visibility-timeout", default: "1h", range: 1...year,
            help: "kombu's visibility_timeout: unacked tasks delivered longer ago count as stranded.",
            scope: .target()
        ) { $0.celeryVisibilityTimeout = $1 },
        .integer(
            "celery.unacked-sample-limit", default: "100000", range: 1...10_000_000,
            help:
                "Most tasks in flight attributed to their queue (oldest first; each tag's queue is read once and remembered, about 100 bytes a tag); totals stay exact past it.",
            scope: .target()
        ) { $0.celeryUnackedSampleLimit = $1 },
        .duration(
            "celery.discovery-interval", default: "1m", range: 1...day,
            help:
                "How often queues are rediscovered from _kombu.binding.* (a full SCAN of the keyspace, so not every poll).",
            scope: .target()
        ) { $0.celeryDiscoveryInterval = $1 },
        .toggle(
            "celery.events", default: true,
            help:
                "Subscribe to Celery's result and worker-heartbeat Pub/Sub channels (one extra Redis connection); --no-celery.events turns it off.",
            scope: .target()
        ) { $0.celeryEvents = $1 },
        .duration(
            "celery.worker-forget-after", default: "1h", range: 1...year,
            help: "Workers down for longer than this are dropped from the output.",
            scope: .target()
        ) { $0.celeryWorkerForgetAfter = $1 },
        .integer(
            "celery.max-workers", default: "1000", range: 1...100_000,
            help:
                "Most workers tracked (each is a label value); a new one makes the longest-silent worker give way (counted).",
            scope: .target()
        ) { $0.celeryMaxWorkers = $1 },
        .integer(
            "celery.max-queues", default: "10000", range: 1...100_000,
            help:
                "Most queues discovered from bindings that are reported (each is a label value); past it the least recently seen give way and the rest are counted.",
            scope: .target()
        ) { $0.celeryMaxQueues = $1 },
        .integer(
            "celery.task-name-limit", default: "0 (off)", range: 0...10_000,
            help:
                "Add a task label (task names from result_extended metas and messages), for at most N names; the rest are 'other'.",
            scope: .target()
        ) { $0.celeryTaskNameLimit = $1 },
        .integer(
            "celery.queue-sample-limit", default: "200", range: 0...100_000,
            help:
                "Waiting messages of a queue counted by task name one by one (only the task header is read, each message once); larger queues are estimated from this many of their oldest and newest. Needs --celery.task-name-limit; 0 turns it off.",
            scope: .target()
        ) { $0.celeryQueueSampleLimit = $1 },
        .duration(
            "celery.result-expires", default: "1d", range: 1...(10 * year),
            help: "Celery's result_expires, used to estimate when a STARTED task began from its meta key's TTL.",
            scope: .target()
        ) { $0.celeryResultExpires = $1 },
        .toggle(
            "celery.census", default: true,
            help:
                "Count celery-task-meta-* keys by state (on its own thread and connection: live result writes, predicted expiries, periodic reconciliation SCAN); --no-celery.census turns it off.",
            scope: .target()
        ) { $0.celeryCensus = $1 },
        .duration(
            "celery.census-interval", default: "5m with --celery.events, 45s without", range: 1...day,
            help:
                "How often the census reconciles with a full SCAN (paced over at most 45s); catches forget() deletions and writes missed while the subscriber was down.",
            scope: .target()
        ) { $0.celeryCensusInterval = $1 },
    ]

    private static let logOptions: [ExporterOption] = [
        ExporterOption(
            "log.level", valueName: "LEVEL", default: "info", help: "One of debug, info, warn, error.",
            scope: .process
        ) { c, input throws(ConfigurationError) in
            let level = input.last.lowercased()
            guard let parsed = LogLevel(rawValue: level) ?? (level == "warning" ? .warn : nil) else {
                throw input.fail(.notOneOf(choices: ["debug", "info", "warn", "error"]), showing: input.last)
            }
            c.logLevel = parsed
        },
        ExporterOption(
            "log.format", valueName: "FORMAT", default: "logfmt", help: "One of logfmt, json.",
            scope: .process
        ) { c, input throws(ConfigurationError) in
            guard let parsed = LogFormat(rawValue: input.last.lowercased()) else {
                throw input.fail(.notOneOf(choices: ["logfmt", "json"]), showing: input.last)
            }
            c.logFormat = parsed
        },
    ]
}
