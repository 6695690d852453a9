import Celery
import Exposition
import Logging
import Redis
import Sockets
import Synchronization
import TLS

/// Everything the exporter runs for one Celery deployment (one broker, its result backend):
/// its connections (the poll's ``RedisClient``, the census's, the Pub/Sub subscriptions and the
/// Sentinel resolver they share), its ``Sampler``, its ``ResultCensus``, its ``QueueDiscovery``,
/// its event listener and census threads, and the counters of its polls.
///
/// The census is created here and handed to the parts that share it: the sampler (reads its
/// counts every poll), the queue discovery (reads the binding tables its passes find), the census
/// thread (runs its passes) and the listener (feeds it live result writes). ``start()`` starts the
/// threads; ``poll(rulesSeconds:)`` (on the target's poll thread, one call at a time) samples Redis
/// and returns the target's families and snapshot; ``stop()`` ends the threads and closes every
/// connection promptly (connects, Sentinel rounds and reads in progress are cancelled).
///
/// The process composes one runtime per target (``ExporterConfiguration/targets``, or one from
/// the flags) and aggregates their polls into `/metrics`, `/-/ready`, the rules and the status page.
public final class TargetRuntime: @unchecked Sendable {
    // @unchecked: `redisClient`, `discovery`, `sampler`, `counters` and `lastOutcomeWasSuccess` are used only by the
    // thread calling `poll` (its poll thread, or the poller's while that is not running; one call at a
    // time); the rest is immutable or Sendable.

    /// The `target` label value; nil for the single target configured by flags (no label).
    public let name: String?
    /// This target's settings (broker, result backend, queues, timeouts).
    public let configuration: ExporterConfiguration
    /// The result census; nil when `--celery.census` is off.
    public let census: ResultCensus?
    /// The Pub/Sub listener; nil when `--celery.events` is off.
    public let eventListener: EventListenerThread?
    /// The census thread; nil when the census is off.
    let censusThread: CensusThread?
    /// Up/down of a separate result backend; nil when results live in the broker's database.
    let resultBackendStatus: ResultBackendStatus?
    /// The broker's Sentinel resolver (one view of the master for the poll, census and Pub/Sub).
    let sentinel: SentinelResolver?
    /// A `sentinel://` result backend's resolver (census and result-write subscription): the
    /// broker's when it asks the same sentinels for the same master, else its own; nil otherwise.
    let resultBackendSentinel: SentinelResolver?
    let redisConfiguration: RedisConfiguration
    let resultBackendConfiguration: RedisConfiguration?
    let logger: Logger

    let redisClient: RedisClient
    /// Cancelled by ``requestStop()``: cuts the poll's connect, Sentinel round or read in progress.
    private let pollCancellation = CancellationToken()
    /// The target's queues (configured and discovered); poller thread only, through the sampler.
    let discovery: QueueDiscovery
    let sampler: Sampler
    var counters = PollCounters()
    var lastOutcomeWasSuccess: Bool?
    /// Runs ``poll(rulesSeconds:)`` when the poller asks (``requestPoll(rulesSeconds:)``).
    let pollThread = TargetPollThread()
    private let phase = Mutex(Phase.created)

    private enum Phase { case created, started, stopped }

    /// Builds the target's parts from its configuration; nothing connects until ``start()``.
    /// Throws the configuration's first problem (bad URL, unreadable TLS file), prefixed with the
    /// target's name when it has one.
    public init(name: String?, configuration: ExporterConfiguration) throws(ConfigurationError) {
        self.name = name
        self.configuration = configuration
        func logger(_ label: String) -> Logger {
            var logger = Logger(label: label)
            if let name { logger[metadataKey: "target"] = "\(name)" }
            return logger
        }
        self.logger = logger("poller")
        do throws(ConfigurationError) {
            redisConfiguration = try configuration.redisConfiguration()
            resultBackendConfiguration = try configuration.resultBackendConfiguration()
            let brokerSentinel = try configuration.sentinelConfiguration().map {
                SentinelResolver(configuration: $0, logger: logger("sentinel"))
            }
            sentinel = brokerSentinel
            resultBackendSentinel = try configuration.resultBackendSentinelConfiguration().map { settings in
                // One resolver for one master: one view of it, a failover counted once.
                if let brokerSentinel, brokerSentinel.configuration == settings { return brokerSentinel }
                var sentinelLogger = logger("sentinel")
                sentinelLogger[metadataKey: "connection"] = "result_backend"
                return SentinelResolver(configuration: settings, logger: sentinelLogger)
            }
            // Load the CA, certificate and key now: a bad file is a start-up error, not a failing poll.
            for (tls, flags) in [
                (redisConfiguration.tls, "--redis.tls.*"),
                (resultBackendConfiguration?.tls, "--celery.result-backend-tls.*"),
                (sentinel?.configuration.tls, "--redis.sentinel-tls.*"),
                (resultBackendSentinel?.configuration.tls, "--celery.result-backend-sentinel-tls.*"),
            ] {
                guard let tls else { continue }
                do {
                    _ = try TLSClientContext(tls)
                } catch {
                    throw ConfigurationError.redisTLS(flags: flags, reason: "\(error)")
                }
            }
        } catch {
            throw name.map { .target(name: $0, error) } ?? error
        }
        let celery = configuration.celeryConfiguration()
        let census = ResultCensus.forTarget(celery, logger: logger("sampler"))
        self.census = census
        let discovery = QueueDiscovery(configuration: celery, census: census, logger: logger("sampler"))
        self.discovery = discovery
        self.sampler = Sampler(configuration: celery, census: census, discovery: discovery, logger: logger("sampler"))
        // Each connection is named for CLIENT LIST (best effort: ignored where CLIENT is refused).
        self.redisClient = RedisClient(
            configuration: redisConfiguration.named("celery-redis-exporter-poll"),
            backoff: configuration.redisBackoff, sentinel: sentinel, cancellation: pollCancellation,
            logger: logger("redis"))
        if configuration.celeryEvents {
            eventListener = EventListenerThread(
                redis: redisConfiguration.named("celery-redis-exporter-events"),
                events: configuration.celeryEventConfiguration(database: redisConfiguration.database),
                backoff: configuration.redisBackoff, sentinel: sentinel, census: census,
                resultBackend: resultBackendConfiguration?.named("celery-redis-exporter-result-events"),
                resultBackendSentinel: resultBackendSentinel,
                logger: logger("events"))
        } else {
            eventListener = nil
        }
        // The census runs beside the poller on its own connection to the result backend; its health
        // is reported apart from the broker's when that is another database or server.
        let resultBackend = resultBackendConfiguration
        let broker = redisConfiguration
        let censusSentinel = resultBackend == nil ? sentinel : resultBackendSentinel
        censusThread = census.map { census in
            CensusThread(
                census: census,
                redis: (resultBackend ?? broker).named("celery-redis-exporter-census"),
                backoff: configuration.redisBackoff,
                sentinel: censusSentinel,
                logger: logger("census"),
                health: resultBackend == nil ? nil : ConnectionHealth(),
                probeInterval: configuration.pollInterval)
        }
        if resultBackendConfiguration != nil {
            if censusThread == nil && eventListener?.resultSubscriber == nil {
                self.logger.warning(
                    "--celery.result-backend-url is set but unused: both --celery.census and --celery.events are off")
                resultBackendStatus = nil
            } else {
                resultBackendStatus = ResultBackendStatus(
                    census: censusThread?.health,
                    subscriber: eventListener?.resultSubscriber,
                    logger: logger("result-backend"))
            }
        } else {
            resultBackendStatus = nil
        }
    }

    /// Starts the listener and census threads (once; a stopped runtime does not restart). Throws
    /// when a thread cannot be created; what was started is stopped again first.
    public func start() throws(ConfigurationError) {
        let proceed = phase.withLock { phase -> Bool in
            guard phase == .created else { return false }
            phase = .started
            return true
        }
        guard proceed else { return }
        do {
            try eventListener?.start()
        } catch {
            stop()
            throw .cannotStartThread(thread: "Pub/Sub listener", target: name, reason: "\(error)")
        }
        do {
            try censusThread?.start()
        } catch {
            stop()
            throw .cannotStartThread(thread: "census", target: name, reason: "\(error)")
        }
        do {
            try pollThread.start(name: name) { [unowned self] in poll(rulesSeconds: $0) }
        } catch {
            stop()
            throw .cannotStartThread(thread: "poll", target: name, reason: "\(error)")
        }
    }

    /// Asks the threads to stop without waiting: lets several runtimes wind down together, so
    /// stopping N targets takes about as long as stopping one. A poll in progress ends within
    /// milliseconds (its connect, Sentinel round or read is cut) and fails.
    public func requestStop() {
        pollCancellation.cancel()
        censusThread?.requestStop()
        eventListener?.requestStop()
    }

    /// Stops the threads in order (census, then the subscriptions that feed it), waits for each,
    /// and closes the poll's connection. Call once the poller no longer calls ``poll(rulesSeconds:)``.
    /// Prompt: a connect, Sentinel round or read in progress is cancelled. Idempotent.
    public func stop() {
        phase.withLock { $0 = .stopped }
        requestStop()
        pollThread.stop()
        censusThread?.stop()
        eventListener?.stop()
        redisClient.close()
    }

    /// The target's threads started and not yet joined (poll, census, listener, result listener).
    var runningThreads: Int {
        (pollThread.isRunning ? 1 : 0) + (censusThread?.isRunning == true ? 1 : 0)
            + (eventListener?.runningThreads ?? 0)
    }

    /// One line for the start-up log.
    var startupDescription: String {
        sentinel.map { "\($0.configuration) db=\(redisConfiguration.database)" }
            ?? redisConfiguration.redactedDescription
    }

    /// The result backend for the start-up log: `broker`, its redacted URL, or its sentinels and master.
    var resultBackendDescription: String {
        guard let results = resultBackendConfiguration else { return "broker" }
        return resultBackendSentinel.map { "\($0.configuration) db=\(results.database)" } ?? results.redactedDescription
    }

    /// The Sentinel families: the broker's resolver (`connection="broker"`) and a result
    /// backend's own (`connection="result_backend"`); a resolver both share appears once, as the broker's.
    var sentinelFamilies: [MetricFamily] {
        var resolvers: [(SentinelResolver, String)] = []
        if let sentinel { resolvers.append((sentinel, "broker")) }
        if let resultBackendSentinel, resultBackendSentinel !== sentinel {
            resolvers.append((resultBackendSentinel, "result_backend"))
        }
        return SentinelResolver.metricFamilies(resolvers)
    }
}
