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
    /// `--redis.url` and its user, password and TLS flags: the broker's connection
    /// (read and write `broker.url`, `broker.password`... directly).
    public var broker = RedisConnectionFlags(url: "redis://localhost:6379/0")
    /// `--celery.result-backend-url` and its user, password, Sentinel and TLS flags; nil: results live with
    /// the broker (same connection settings).
    public var resultBackend: RedisConnectionFlags?
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
    /// `--celery.queue-sample-limit`: waiting messages classified by task name per queue (0: off).
    public var celeryQueueSampleLimit = 200
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
    /// `--targets.file` as given (read into ``targets`` once every flag is applied).
    public var targetsFile: String?

    /// The default listen port. 9808 (celery-exporter) and 9121 (redis_exporter) are taken;
    /// Prometheus's allocation list for 9100-9999 is full, so collisions elsewhere are possible:
    /// override with --web.listen-address.
    public static let defaultPort: UInt16 = 9540

    public init() {}

    /// The flags this program understands, in the order `--help` lists them: the parse-level view
    /// of ``options``, where each flag is declared once.
    public static let optionSpecs: [OptionSpec] = options.map(\.spec)

    /// Interprets parsed options (the command line, then the environment); every problem names
    /// the flag and what was expected. With `--targets.file` the file is read last, its entries
    /// starting from everything else the flags and environment said.
    public init(options: ParsedOptions, environment: [String: String]) throws(ConfigurationError) {
        self.init()
        try apply(options, environment: environment)
        try checkConnections { "--" + $0 }
        try checkQueueCount { "--" + $0 }
        try refuseInertOptions(options)
        try checkRedisURLs(options)
        if let file = targetsFile {
            targets = try TargetsFileReader(file: file).read(defaults: self, environment: environment)
        }
    }

    /// Applies every option that was given, in table order, then the secrets the environment
    /// holds where no `*-file` option gave one.
    mutating func apply(_ options: ParsedOptions, environment: [String: String]) throws(ConfigurationError) {
        for option in Self.options {
            let name = option.spec.name
            let values = option.spec.repeatable ? options.all(name) : options.last(name).map { [$0] } ?? []
            guard !values.isEmpty else { continue }
            let variable = options.fromEnvironment.contains(name) ? option.spec.environmentName : nil
            try option.apply(&self, OptionInput(values: values, origin: .flag(name, variable: variable)))
        }
        applyEnvironmentSecrets(environment)
    }

    /// For each secret-file option, the secret from its environment variable where none is set.
    /// The value loses one trailing newline (`\n` or `\r\n`), as a secret file's does: a value
    /// taken from a file (a Kubernetes secret, `$(cat file)` in a shell keeps none, `env_file`
    /// does) often carries one, and Redis would answer WRONGPASS with no hint why.
    mutating func applyEnvironmentSecrets(_ environment: [String: String]) {
        for option in Self.options {
            guard let secret = option.environmentSecret, let value = environment[secret.variable] else { continue }
            secret.apply(&self, Self.withoutTrailingNewline(value))
        }
    }

    /// `text` without one trailing `\r\n` or `\n` (a secret file's or variable's line end).
    static func withoutTrailingNewline(_ text: String) -> String {
        var text = text
        // "\r\n" is one Character in Swift: hasSuffix("\n") alone would not see it.
        if text.hasSuffix("\r\n") { text.removeLast() } else if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// The checks that span several options of one connection (see ``RedisConnectionOptions/check``).
    func checkConnections(display: (String) -> String) throws(ConfigurationError) {
        for connection in Self.connections { try connection.check(self, display: display) }
    }

    static let hour = 3600.0
    static let day = 86_400.0
    static let year = 365 * day

    /// A rejected number or duration as the error shows it: short, one line, printable. (Only for
    /// flags that cannot carry a secret.)
    static func shown(_ text: String) -> String {
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
        guard printable else { return "(unprintable value)" }
        return text.count > 32 ? String(text.prefix(32)) + "…" : text
    }
}
