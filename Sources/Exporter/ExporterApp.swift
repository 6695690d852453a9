#if canImport(Glibc)
import Glibc
#endif
import Alerting
import Celery
import Exposition
import HTTP
import Logging
import Notify
import Redis
import Sockets
import TLS

/// The program: parse flags, set up logging, start the HTTP server and the poller, wait for a
/// signal, shut down in order. `main.swift` only calls ``main(arguments:environment:)``.
public enum ExporterApp {
    /// Runs the exporter and returns the process exit status: 0 after a graceful stop,
    /// 2 for a configuration or start-up error (with one line on standard error naming it).
    public static func main(arguments: [String], environment: [String: String]) -> Int32 {
        // Before the parse: the probe exits 0 or 1 only (Docker reserves 2), whatever the environment holds.
        if arguments.dropFirst().contains("--healthcheck") {
            return HealthCheck.run(arguments: Array(arguments.dropFirst()), environment: environment,
                                   program: arguments.first ?? ExporterVersion.name)
        }
        do {
            return try run(arguments: arguments, environment: environment)
        } catch {
            // The one place a start-up error is shown: one line on standard error, then exit 2.
            printError("\(ExporterVersion.name): \(error)\n")
            return 2
        }
    }

    /// The exporter from the parse to the graceful stop. Every configuration or start-up error is
    /// thrown (never printed here): ``main(arguments:environment:)`` prints it once.
    static func run(arguments: [String], environment: [String: String]) throws -> Int32 {
        let parser = CommandLineParser(specs: ExporterConfiguration.optionSpecs)
        let options = try parser.parse(Array(arguments.dropFirst()), environment: environment)
        if options.helpRequested {
            printOut(parser.helpText(program: ExporterVersion.name,
                                     summary: "Prometheus exporter and alerter for Celery on Redis."))
            return 0
        }
        if options.versionRequested {
            printOut("\(ExporterVersion.name) \(ExporterVersion.version)\n")
            return 0
        }
        let configuration = try ExporterConfiguration(options: options, environment: environment)

        let level = configuration.logLevel.loggerLevel
        let format = configuration.logFormat
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "exporter")
        installSignalHandlers()
        raiseFileDescriptorLimit(maxConnections: configuration.maxConnections, logger: logger)

        // Before anything logs: a bad file is one line on standard error and exit 2.
        let webSecurity: WebSecurity
        do {
            webSecurity = try WebSecurity(file: configuration.webConfigFile, logger: Logger(label: "web"))
            try webSecurity.access.start()
        } catch {
            printError("\(ExporterVersion.name): \(error)\n")
            return 2
        }

        let redisConfiguration: RedisConfiguration
        let resultBackendConfiguration: RedisConfiguration?
        let sentinel: SentinelResolver?
        do {
            redisConfiguration = try configuration.redisConfiguration()
            resultBackendConfiguration = try configuration.resultBackendConfiguration()
            // One resolver for every broker connection (poller, census, Pub/Sub): one view of the master.
            sentinel = try configuration.sentinelConfiguration().map {
                SentinelResolver(configuration: $0, logger: Logger(label: "sentinel"))
            }
            // Load the CA, certificate and key now: a bad file is a start-up error, not a failing poll.
            for (tls, flags) in [(redisConfiguration.tls, "--redis.tls.*"),
                                 (resultBackendConfiguration?.tls, "--celery.result-backend-tls.*")] {
                guard let tls else { continue }
                do {
                    _ = try TLSClientContext(tls)
                } catch {
                    throw ConfigurationError("Redis TLS settings (\(flags)): \(error)")
                }
            }
        } catch {
            printError("\(ExporterVersion.name): \(error)\n")
            return 2
        }

        let alerting: AlertingRuntime
        do {
            let loaded: LoadedAlertingConfig
            do {
                loaded = try LoadedAlertingConfig.load(rulePatterns: configuration.ruleFiles,
                                                       alertingConfigFile: configuration.alertingConfigFile)
            } catch {
                throw ConfigurationError("\(error)")
            }
            for warning in loaded.alerting?.warnings ?? [] { logger.warning("alerting config: \(warning)") }
            let alertmanager = try configuration.alertmanagerURL.map { url in
                do {
                    return try AlertmanagerPusher.Configuration(baseURL: url)
                } catch {
                    // Not the URL itself: it may carry user:password@.
                    throw ConfigurationError("--alertmanager.url: \(error)")
                }
            }
            if configuration.alertmanagerURL?.hasPrefix("http://") == true {
                logger.warning("--alertmanager.url is plain http://: alerts travel unencrypted")
            }
            alerting = try AlertingRuntime(
                initial: loaded, rulePatterns: configuration.ruleFiles, alertingConfigFile: configuration.alertingConfigFile,
                alertmanager: alertmanager,
                options: NotifierOptions(externalURL: configuration.externalURL,
                                         userAgent: "\(ExporterVersion.name)/\(ExporterVersion.version)",
                                         storagePath: configuration.storagePath),
                logger: Logger(label: "alerting"), historyByteLimit: configuration.ruleHistoryMaxBytes)
            logger.info("alerting", metadata: ["rules": "\(loaded.ruleCount)",
                                               "receivers": "\(loaded.alerting?.receivers.count ?? 0)"])
        } catch {
            printError("\(ExporterVersion.name): \(error)\n")
            return 2
        }

        let state = ExporterState(initial: RenderedMetrics(families: MetricsBuilder.families(for: nil, counters: PollCounters())),
                                  pollInterval: configuration.pollInterval)
        // Reloads (SIGHUP, POST /-/reload) run on their own thread, never on the HTTP loop thread.
        let reloads = ReloadCoordinator(logger: Logger(label: "reload")) {
            // Both are tried; each keeps its previous configuration when its new one is bad.
            let failures = [webSecurity.reload(), alerting.reload()].compactMap { $0 }
            return failures.isEmpty ? nil : failures.joined(separator: "; ")
        }
        do {
            try reloads.start()
        } catch {
            printError("\(ExporterVersion.name): cannot start the reload thread: \(error)\n")
            return 2
        }
        let statusPage = StatusPage(telemetryPath: configuration.telemetryPath, pollInterval: configuration.pollInterval,
                                    censusEnabled: configuration.celeryConfiguration().censusEnabled,
                                    eventsEnabled: configuration.celeryEvents, logger: Logger(label: "status"))
        let silences = SilenceStore(file: configuration.silencesFile, limits: configuration.silenceLimits,
                                    logger: Logger(label: "silences"))
        do {
            try silences.start()
        } catch {
            printError("\(ExporterVersion.name): cannot start the silences writer thread: \(error)\n")
            return 2
        }
        alerting.attach(silences: silences)
        var routesWithAPI = Routes(state: state, telemetryPath: configuration.telemetryPath, alerting: alerting,
                            reloads: reloads, enableLifecycle: configuration.enableLifecycle, statusPage: statusPage)
        routesWithAPI.alertmanagerAPI = AlertmanagerAPI(silences: silences, alerting: alerting,
                                                        enableWrites: configuration.enableSilences, startedAt: wallClockNow())
        let routes = routesWithAPI
        let server: HTTPServer
        do {
            var httpConfiguration = HTTPServerConfiguration(listenAddresses: configuration.listenAddresses)
            httpConfiguration.maxConnections = configuration.maxConnections
            httpConfiguration.maxConnectionsPerClient = configuration.maxConnectionsPerClient
            httpConfiguration.tls = webSecurity.tls
            server = try HTTPServer(configuration: httpConfiguration, logger: Logger(label: "http"),
                                    handler: webSecurity.access.wrap { request in routes.handle(request) })
        } catch {
            printError("\(ExporterVersion.name): cannot listen on \(configuration.listenAddresses.map(\.description).joined(separator: ", ")): \(error)\n")
            return 2
        }

        // Each connection is named for CLIENT LIST (best effort: ignored where CLIENT is refused).
        let redis = RedisClient(configuration: redisConfiguration.named("celery-redis-exporter-poll"), backoff: configuration.redisBackoff,
                                sentinel: sentinel, logger: Logger(label: "redis"))
        let sampler = Sampler(configuration: configuration.celeryConfiguration(), logger: Logger(label: "sampler"))
        var eventListener: EventListenerThread?
        if configuration.celeryEvents {
            let listener = EventListenerThread(
                redis: redisConfiguration.named("celery-redis-exporter-events"),
                events: configuration.celeryEventConfiguration(database: redisConfiguration.database),
                backoff: configuration.redisBackoff, sentinel: sentinel, census: sampler.census,
                resultBackend: resultBackendConfiguration?.named("celery-redis-exporter-result-events"),
                logger: Logger(label: "events"))
            do {
                try listener.start()
            } catch {
                printError("\(ExporterVersion.name): cannot start the Pub/Sub listener thread: \(error)\n")
                return 2
            }
            eventListener = listener
        }
        // The census runs beside the poller on its own connection; the poll only reads its counts.
        var censusThread: CensusThread?
        if let census = sampler.census {
            // The census reads the result backend; its health is reported apart from the broker's.
            let thread = CensusThread(census: census,
                                      redis: (resultBackendConfiguration ?? redisConfiguration).named("celery-redis-exporter-census"),
                                      backoff: configuration.redisBackoff,
                                      sentinel: resultBackendConfiguration == nil ? sentinel : nil,
                                      logger: Logger(label: "census"),
                                      health: resultBackendConfiguration == nil ? nil : ConnectionHealth(),
                                      probeInterval: configuration.pollInterval)
            do {
                try thread.start()
            } catch {
                printError("\(ExporterVersion.name): cannot start the census thread: \(error)\n")
                return 2
            }
            censusThread = thread
        }
        var resultBackendStatus: ResultBackendStatus?
        if resultBackendConfiguration != nil {
            if censusThread == nil && eventListener?.resultSubscriber == nil {
                logger.warning("--celery.result-backend-url is set but unused: both --celery.census and --celery.events are off")
            } else {
                resultBackendStatus = ResultBackendStatus(census: censusThread?.health,
                                                          subscriber: eventListener?.resultSubscriber,
                                                          logger: Logger(label: "result-backend"))
            }
        }
        let poller = Poller(redis: redis, sampler: sampler, state: state, interval: configuration.pollInterval,
                            stop: processStopSignal, logger: Logger(label: "poller"), events: eventListener?.monitor,
                            alerting: alerting,
                            ownFamilies: { [eventListener, resultBackendStatus, sentinel] in
                                ServerMetrics.families(http: server.statistics, reloads: reloads.statistics,
                                                       web: configuration.webConfigFile == nil ? nil : webSecurity.statistics)
                                    + (eventListener?.subscriberFamilies() ?? [])
                                    + (resultBackendStatus?.families() ?? []) + ProcessMetrics.families()
                                    + (sentinel?.metricFamilies() ?? [])
                            }, statusPage: statusPage)

        server.start()
        if configuration.webConfigFile != nil { logger.info("web configuration", metadata: webSecurity.summary) }
        logger.info("starting", metadata: [
            "version": "\(ExporterVersion.version)", "redis": "\(sentinel.map { "\($0.configuration) db=\(redisConfiguration.database)" } ?? redisConfiguration.redactedDescription)",
            "result_backend": "\(resultBackendConfiguration?.redactedDescription ?? "broker")",
            "poll_interval": "\(DurationParser.format(configuration.pollInterval))",
            "metrics": "\(server.boundAddresses.map(\.description).joined(separator: ","))\(configuration.telemetryPath)",
        ])
        if configuration.resultBackend?.tlsInsecureSkipVerify == true {
            logger.warning("TLS certificate verification for the result backend is OFF (--celery.result-backend-tls.insecure-skip-verify)")
        }
        if configuration.redisTLSInsecureSkipVerify {
            logger.warning("TLS certificate verification for Redis is OFF (--redis.tls.insecure-skip-verify): the connection can be intercepted")
        }
        let pollThread: NativeThread
        do {
            pollThread = try NativeThread.spawn(name: "poller") { poller.run() }
        } catch {
            printError("\(ExporterVersion.name): cannot start the poller thread: \(error)\n")
            return 2
        }

        while !processStopSignal.wait(seconds: 1) {
            if reloadRequested.exchange(false, ordering: .relaxed) {
                logger.info("SIGHUP received: reloading rules, alerting and web configuration")
                reloads.request(from: .signal)
            }
        }
        logger.info("shutting down")
        // One deadline for the whole shutdown (the documented 10 s, inside Kubernetes' 30 s grace):
        // notifications drain against it whatever the receivers' `timeout:` settings.
        let shutdownDeadline = Deadline(after: .seconds(8))
        server.shutdown(gracePeriod: .seconds(3))
        reloads.stop()
        webSecurity.access.stop()
        pollThread.join()
        censusThread?.stop()
        eventListener?.stop()
        // Pending notifications get a delivery deadline; what misses it is logged, never dropped silently.
        alerting.shutdown(deadline: shutdownDeadline)
        logger.info("stopped")
        return 0
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit: the usual soft 1024 would run out
    /// before `--web.max-connections` (1024) plus the exporter's own descriptors. Warns when
    /// even the hard limit leaves no room for the connection cap (clients beyond are shed with 503).
    static func raiseFileDescriptorLimit(maxConnections: Int, logger: Logger) {
        let limit: UInt64
        do {
            let (before, after) = try FileDescriptorLimit.raiseSoftToHard()
            if after != before {
                logger.debug("raised the open file limit", metadata: ["from": "\(before)", "to": "\(after)"])
            }
            limit = after
        } catch {
            logger.warning("cannot raise the open file limit; connections may fail early with too many open files",
                           metadata: ["err": "\(error)"])
            guard let soft = FileDescriptorLimit.current().soft else { return }
            limit = soft
        }
        // Headroom for Redis connections, webhooks, rule files, epoll and the standard streams.
        let needed = UInt64(maxConnections) + 64
        if limit < needed {
            logger.warning(
                "the open file limit is below --web.max-connections plus headroom: past it, idle connections are closed and new clients answered 503",
                metadata: ["limit": "\(limit)", "max_connections": "\(maxConnections)", "wanted": "\(needed)"])
        }
    }

    static func printOut(_ text: String) {
        text.utf8CString.withUnsafeBufferPointer { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count - 1) }
    }

    static func printError(_ text: String) {
        text.utf8CString.withUnsafeBufferPointer { _ = write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
    }
}
