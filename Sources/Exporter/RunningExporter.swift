import Alerting
import Celery
import Exposition
import HTTP
import Logging
import Notify
import Redis
import Sockets
import Synchronization
import TLS

/// One exporter, started: the HTTP server, one ``TargetRuntime`` per Celery deployment, the poller
/// that composes them, alerting, silences and reloads. ``ExporterApp/main(arguments:environment:)``
/// starts one and stops it on SIGTERM; tests start one in-process with a configuration they build
/// (several ``TargetDefinition``s, port 0).
public final class RunningExporter: Sendable {
    /// The addresses the HTTP server listens on (the real port when the flag said `:0`).
    public let boundAddresses: [SocketAddress]
    /// The targets, in configuration order.
    public let targets: [TargetRuntime]

    private let server: HTTPServer
    private let reloads: ReloadCoordinator
    private let webSecurity: WebSecurity
    private let alerting: AlertingRuntime
    private let silences: SilenceStore
    private let apiReads: HTTPWorkThread
    private let stopSignal: StopSignal
    private let pollThread: NativeThread
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)

    /// Starts everything, in the order a failure is cheapest to report: web security, targets'
    /// settings, alerting, reloads, silences, the listening sockets, the targets' threads, the
    /// server, the poller. Throws the first problem (one line for standard error; exit 2); what was
    /// started before it is stopped again.
    public static func start(configuration: ExporterConfiguration) throws(ConfigurationError) -> RunningExporter {
        var undo: [() -> Void] = []
        do {
            return try start(configuration: configuration, undo: &undo)
        } catch {
            for step in undo.reversed() { step() }
            throw error
        }
    }

    private static func start(configuration: ExporterConfiguration, undo: inout [() -> Void]) throws(ConfigurationError)
        -> RunningExporter
    {
        let logger = Logger(label: "exporter")
        // Before anything logs: a bad file is one line on standard error and exit 2.
        let webSecurity = try WebSecurity(file: configuration.webConfigFile, logger: Logger(label: "web"))
        do {
            try webSecurity.access.start()
        } catch {
            throw .cannotStartThread(thread: "password-checking", target: nil, reason: "\(error)")
        }
        undo.append { webSecurity.access.stop() }

        // Also before anything logs: a silences file that is not one stops start-up untouched.
        let silences = try SilenceStore(
            file: configuration.silencesFile, limits: configuration.silenceLimits,
            logger: Logger(label: "silences"))
        let targets = try makeTargets(configuration)
        let alerting = try makeAlerting(configuration, logger: logger)
        undo.append { alerting.shutdown(deadline: Deadline(after: .seconds(1))) }

        // Served only to a scrape that waited for the first poll longer than it may: no
        // `celery_redis_up` series, since no poll has said anything about Redis yet.
        let initial = Poller.compose(
            targets.map { TargetPoll.initial(name: $0.name, families: $0.initialFamilies) }, process: .init()
        ).filter { $0.name != MetricDescriptor.up.name }
        let state = ExporterState(initial: RenderedMetrics(families: initial), pollInterval: configuration.pollInterval)
        // Reloads (SIGHUP, POST /-/reload) run on their own thread, never on the HTTP loop thread.
        let reloads = ReloadCoordinator(logger: Logger(label: "reload")) {
            // Both are tried; each keeps its previous configuration when its new one is bad.
            let failures = [webSecurity.reload(), alerting.reload()].compactMap { $0 }
            return failures.isEmpty ? nil : failures.joined(separator: "; ")
        }
        do {
            try reloads.start()
        } catch {
            throw .cannotStartThread(thread: "reload", target: nil, reason: "\(error)")
        }
        undo.append { reloads.stop() }
        let statusPage = StatusPage(
            telemetryPath: configuration.telemetryPath, pollInterval: configuration.pollInterval,
            censusEnabled: configuration.celeryConfiguration().censusEnabled,
            eventsEnabled: configuration.celeryEvents, logger: Logger(label: "status"))
        do {
            try silences.start()
        } catch {
            throw .cannotStartThread(thread: "silences writer", target: nil, reason: "\(error)")
        }
        undo.append { silences.stop() }
        alerting.attach(silences: silences)
        var routesWithAPI = Routes(
            state: state, telemetryPath: configuration.telemetryPath, alerting: alerting,
            reloads: reloads, enableLifecycle: configuration.enableLifecycle, statusPage: statusPage)
        let apiReads = HTTPWorkThread(name: "api-reads", capacity: AlertmanagerAPIGuard.maxWaitingReads)
        do {
            try apiReads.start()
        } catch {
            throw .cannotStartThread(thread: "api reads", target: nil, reason: "\(error)")
        }
        undo.append { apiReads.stop() }
        routesWithAPI.alertmanagerAPI = AlertmanagerAPI(
            silences: silences, alerting: alerting,
            enableWrites: configuration.enableSilences, startedAt: wallClockNow(), worker: apiReads)
        let routes = routesWithAPI
        let apiLimits = routesWithAPI.alertmanagerAPI?.limits
        let server: HTTPServer
        do {
            var httpConfiguration = HTTPServerConfiguration(listenAddresses: configuration.listenAddresses)
            httpConfiguration.maxConnections = configuration.maxConnections
            httpConfiguration.maxConnectionsPerClient = configuration.maxConnectionsPerClient
            httpConfiguration.tls = webSecurity.tls
            server = try HTTPServer(
                configuration: httpConfiguration, logger: Logger(label: "http"),
                handler: webSecurity.access.wrap { request in routes.handle(request) })
        } catch {
            throw .cannotListen(addresses: configuration.listenAddresses.map(\.description), reason: "\(error)")
        }

        for target in targets {
            try target.start()
            undo.append { target.stop() }
        }
        let stop = StopSignal()
        let poller = Poller(
            targets: targets, state: state, interval: configuration.pollInterval, stop: stop,
            logger: Logger(label: "poller"), alerting: alerting,
            processFamilies: {
                Poller.ProcessFamilies(
                    server: ServerMetrics.families(
                        http: server.statistics, reloads: reloads.statistics,
                        web: configuration.webConfigFile == nil ? nil : webSecurity.statistics)
                        + (apiLimits?.metricFamilies ?? []),
                    process: ProcessMetrics.families())
            }, statusPage: statusPage)

        apiLimits?.attach { server.statistics.queuedBytes }
        server.start()
        undo.append { server.shutdown(gracePeriod: .seconds(1)) }
        if configuration.webConfigFile != nil { logger.info("web configuration", metadata: webSecurity.summary) }
        logStart(configuration, targets: targets, server: server, logger: logger)
        let pollThread: NativeThread
        do {
            pollThread = try NativeThread.spawn(name: "poller") { poller.run() }
        } catch {
            throw .cannotStartThread(thread: "poller", target: nil, reason: "\(error)")
        }
        return RunningExporter(
            boundAddresses: server.boundAddresses, targets: targets, server: server, reloads: reloads,
            webSecurity: webSecurity, alerting: alerting, silences: silences, apiReads: apiReads, stopSignal: stop,
            pollThread: pollThread, logger: logger)
    }

    private init(
        boundAddresses: [SocketAddress], targets: [TargetRuntime], server: HTTPServer, reloads: ReloadCoordinator,
        webSecurity: WebSecurity, alerting: AlertingRuntime, silences: SilenceStore, apiReads: HTTPWorkThread,
        stopSignal: StopSignal,
        pollThread: NativeThread, logger: Logger
    ) {
        self.boundAddresses = boundAddresses
        self.targets = targets
        self.server = server
        self.reloads = reloads
        self.webSecurity = webSecurity
        self.alerting = alerting
        self.silences = silences
        self.apiReads = apiReads
        self.stopSignal = stopSignal
        self.pollThread = pollThread
        self.logger = logger
    }

    /// Asks for a reload of rules, alerting and web configuration (SIGHUP), on the reload thread.
    public func requestReload() {
        reloads.request(from: .signal)
    }

    /// Shuts down in order within the documented 10 s: the HTTP server (3 s grace), reloads, the
    /// poller (its current tick ends first), every target's threads (asked together, then waited
    /// for, each bounded by a Redis timeout), then pending notifications against one deadline.
    /// Idempotent: a second call returns at once.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // One deadline for the whole shutdown (the documented 10 s, inside Kubernetes' 30 s grace):
        // notifications drain against it whatever the receivers' `timeout:` settings.
        let shutdownDeadline = Deadline(after: .seconds(8))
        server.shutdown(gracePeriod: .seconds(3))
        reloads.stop()
        webSecurity.access.stop()
        apiReads.stop()
        stopSignal.trigger()
        // Asked before the poller is joined: its tick waits for every target's poll, which the
        // stop cuts (a connect or Sentinel round to silent servers would otherwise run out its timeouts).
        for target in targets { target.requestStop() }
        if !pollThread.isCurrent { pollThread.join() }
        for target in targets { target.stop() }
        // Pending notifications get a delivery deadline; what misses it is logged, never dropped silently.
        alerting.shutdown(deadline: shutdownDeadline)
        silences.stop()
    }

    // MARK: Start-up pieces

    /// The most targets one process watches. Each costs three Redis connections (poll, census,
    /// Pub/Sub; four with a separate result backend), a thread for each of them, and its
    /// status-page history; past this, shard the targets across replicas (one file each).
    public static let maximumTargets = 64

    /// One runtime per `--targets.file` entry, or one from the flags (no `target` label).
    static func makeTargets(_ configuration: ExporterConfiguration) throws(ConfigurationError) -> [TargetRuntime] {
        guard !configuration.targets.isEmpty else {
            return [try TargetRuntime(name: nil, configuration: configuration)]
        }
        guard configuration.targets.count <= maximumTargets else {
            throw .tooManyTargets(count: configuration.targets.count, limit: maximumTargets)
        }
        var seen: Set<String> = []
        var targets: [TargetRuntime] = []
        for definition in configuration.targets {
            guard seen.insert(definition.name).inserted else {
                throw .duplicateTarget(name: definition.name)
            }
            targets.append(try TargetRuntime(name: definition.name, configuration: definition.configuration))
        }
        return targets
    }

    static func makeAlerting(_ configuration: ExporterConfiguration, logger: Logger) throws(ConfigurationError)
        -> AlertingRuntime
    {
        do {
            let loaded: LoadedAlertingConfig
            do {
                loaded = try LoadedAlertingConfig.load(
                    rulePatterns: configuration.ruleFiles,
                    alertingConfigFile: configuration.alertingConfigFile)
            } catch {
                throw ConfigurationError.alerting(reason: "\(error)")
            }
            for warning in loaded.warnings { logger.warning("\(warning)") }
            let alertmanager = try configuration.alertmanagerURL.map { url in
                do {
                    return try AlertmanagerPusher.Configuration(baseURL: url)
                } catch {
                    // Not the URL itself: it may carry user:password@.
                    throw ConfigurationError.alertmanagerURL(reason: "\(error)")
                }
            }
            if configuration.alertmanagerURL?.hasPrefix("http://") == true {
                logger.warning("--alertmanager.url is plain http://: alerts travel unencrypted")
            }
            let alerting = try AlertingRuntime(
                initial: loaded, rulePatterns: configuration.ruleFiles,
                alertingConfigFile: configuration.alertingConfigFile,
                alertmanager: alertmanager,
                options: NotifierOptions(
                    externalURL: configuration.externalURL,
                    userAgent: "\(ExporterVersion.name)/\(ExporterVersion.version)",
                    storagePath: configuration.storagePath),
                logger: Logger(label: "alerting"), historyByteLimit: configuration.ruleHistoryMaxBytes)
            logger.info(
                "alerting",
                metadata: [
                    "rules": "\(loaded.ruleCount)",
                    "receivers": "\(loaded.alerting?.receivers.count ?? 0)",
                ])
            return alerting
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .alerting(reason: "\(error)")
        }
    }

    /// The "starting" line (one per target when several), and the insecure-TLS warnings.
    static func logStart(
        _ configuration: ExporterConfiguration, targets: [TargetRuntime], server: HTTPServer, logger: Logger
    ) {
        let common: Logger.Metadata = [
            "version": "\(ExporterVersion.version)",
            "poll_interval": "\(DurationParser.format(configuration.pollInterval))",
            "metrics":
                "\(server.boundAddresses.map(\.description).joined(separator: ","))\(configuration.telemetryPath)",
        ]
        for target in targets {
            var metadata = common
            metadata["redis"] = "\(target.startupDescription)"
            metadata["result_backend"] = "\(target.resultBackendDescription)"
            if let name = target.name { metadata["target"] = "\(name)" }
            logger.info("starting", metadata: metadata)
            let c = target.configuration
            let connections: [(String, RedisConnectionFlags?, RedisConfiguration?)] = [
                ("Redis", c.broker, try? c.redisConfiguration()),
                ("the result backend", c.resultBackend, (try? c.resultBackendConfiguration()) ?? nil),
            ]
            for (noun, flags, redis) in connections where redis?.tls?.insecureSkipVerify == true {
                // Named by what turned it off: the flag, or the URL's ssl_cert_reqs=none.
                let cause =
                    flags?.tlsInsecureSkipVerify == true
                    ? (noun == "Redis"
                        ? "--redis.tls.insecure-skip-verify" : "--celery.result-backend-tls.insecure-skip-verify")
                    : "by the URL: ssl_cert_reqs=none"
                logger.warning(
                    "TLS certificate verification for \(noun) is OFF (\(cause)): the connection can be intercepted",
                    metadata: target.name.map { ["target": "\($0)"] } ?? [:])
            }
        }
    }
}
