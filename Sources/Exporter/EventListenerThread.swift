import Celery
import Logging
import Redis
import Sockets
import Synchronization

/// The Pub/Sub listener: one ``RedisSubscriber`` on its own thread feeding a ``CeleryEventMonitor``.
///
/// design.md: "each target keeps one long-lived Pub/Sub connection … a listener thread turns these
/// into counters and worker states". The subscriber blocks in reads, so it gets a native thread,
/// never a Swift concurrency task (``NativeThread`` says why). The poller reads ``monitor`` once per
/// poll; the listener thread writes it; the monitor's lock is the only shared state.
public final class EventListenerThread: Sendable {
    /// The state each poll reads once (``CeleryEventMonitor/read()``) into its snapshot.
    public let monitor: CeleryEventMonitor
    /// The subscription (its ``RedisSubscriber/status`` is readable from any thread).
    public let subscriber: RedisSubscriber

    /// The result census fed with every result write (nil when the census is off).
    public let census: ResultCensus?
    /// The subscription to result writes on a separate result backend (nil: result writes arrive
    /// on ``subscriber`` with the worker events, the backend being the broker's database).
    public let resultSubscriber: RedisSubscriber?

    private let thread = Mutex<NativeThread?>(nil)
    private let resultThread = Mutex<NativeThread?>(nil)
    private let logger: Logger

    /// Creates the listener; nothing connects until ``start()``.
    /// - Parameters:
    ///   - redis: the same configuration as the poller's client (endpoint, TLS, credentials).
    ///   - events: channel names, limits and liveness settings.
    ///   - backoff: the reconnect policy (the exporter's `--redis.backoff` settings).
    ///   - sentinel: resolves the master on every (re)connect, so a failover re-subscribes there.
    ///   - census: receives every message too (result writes keep its counts current) and the
    ///     subscription changes (a (re)subscription requests a reconciliation pass: writes published
    ///     while unsubscribed were missed).
    ///   - resultBackend: a result backend other than the broker's database: result writes are
    ///     published there (Celery's result backend publishes on its own connection), so they get a
    ///     subscription of their own; worker events stay on the broker's. Pub/Sub is per server, not
    ///     per database, so this costs one extra connection even when only the database differs.
    ///   - resultBackendSentinel: resolves a `sentinel://` result backend's master on every
    ///     (re)connect of that subscription (nil: `resultBackend` names the server itself).
    public init(
        redis: RedisConfiguration, events: CeleryEventConfiguration, backoff: ReconnectBackoff = ReconnectBackoff(),
        sentinel: SentinelResolver? = nil, census: ResultCensus? = nil, resultBackend: RedisConfiguration? = nil,
        resultBackendSentinel: SentinelResolver? = nil, logger: Logger = Logger(label: "events")
    ) {
        let monitor = CeleryEventMonitor(configuration: events, logger: logger)
        self.monitor = monitor
        if let resultBackend {
            self.subscriber = RedisSubscriber(
                configuration: redis, patterns: monitor.channels.eventPatterns, backoff: backoff, sentinel: sentinel,
                logger: logger)
            self.resultSubscriber = RedisSubscriber(
                configuration: resultBackend, patterns: [monitor.channels.resultPattern], backoff: backoff,
                sentinel: resultBackendSentinel, logger: logger)
        } else {
            self.subscriber = RedisSubscriber(
                configuration: redis, patterns: monitor.patterns, backoff: backoff, sentinel: sentinel, logger: logger)
            self.resultSubscriber = nil
        }
        self.census = census
        self.logger = logger
    }

    /// Starts the listener thread (once; later calls do nothing). Throws only when the thread
    /// cannot be created.
    public func start() throws {
        try thread.withLock { thread in
            guard thread == nil else { return }
            let subscriber = self.subscriber
            let monitor = self.monitor
            let census = self.census
            census?.attachEventStream()
            // The census follows the subscription that carries result writes.
            let brokerCensus = resultSubscriber == nil ? census : nil
            thread = try NativeThread.spawn(name: "events") {
                Self.listen(subscriber, monitor: monitor, census: brokerCensus, carriesWorkerEvents: true)
            }
            if let resultSubscriber {
                try resultThread.withLock { resultThread in
                    resultThread = try NativeThread.spawn(name: "result-events") {
                        Self.listen(resultSubscriber, monitor: monitor, census: census, carriesWorkerEvents: false)
                    }
                }
            }
            logger.debug("Pub/Sub listener started", metadata: ["patterns": "\(monitor.patterns.count)"])
        }
    }

    /// Runs `subscriber` on the calling thread until it stops, handing every message to `monitor`
    /// and `census`. Only the subscription that `carriesWorkerEvents` reports its (re)subscriptions
    /// and losses to `monitor`, whose subscription state is that of the worker events; a result-only
    /// subscription leaves it alone.
    private static func listen(
        _ subscriber: RedisSubscriber, monitor: CeleryEventMonitor, census: ResultCensus?, carriesWorkerEvents: Bool
    ) {
        subscriber.run { event in
            switch event {
            case .message(let message):
                monitor.handle(channel: message.channel, payload: message.payload)
                // Wall clock: the census predicts expiries in Unix time, like Redis TTLs.
                census?.record(channel: message.channel, payload: message.payload, at: wallClockNow())
            case .subscribed:
                if carriesWorkerEvents { monitor.subscriptionStarted() }
                census?.eventStreamUp(at: wallClockNow())
            case .disconnected:
                if carriesWorkerEvents { monitor.subscriptionLost() }
                census?.eventStreamDown(at: wallClockNow())
            }
        }
        if carriesWorkerEvents { monitor.subscriptionLost() }
        census?.eventStreamDown(at: wallClockNow())
    }

    /// Listener threads started and not yet joined by ``stop()`` (two with a separate result backend).
    var runningThreads: Int { thread.withLock { $0 == nil ? 0 : 1 } + resultThread.withLock { $0 == nil ? 0 : 1 } }

    /// Asks the subscribers to stop without waiting for their threads (``stop()`` waits).
    public func requestStop() {
        subscriber.stop()
        resultSubscriber?.stop()
    }

    /// Stops the subscriber and waits for the thread: about 250 ms while connected or backing off;
    /// a connection attempt or Sentinel round in progress is cut at once. Idempotent.
    public func stop() {
        subscriber.stop()
        resultSubscriber?.stop()
        Self.join(thread)
        Self.join(resultThread)
    }

    private static func join(_ slot: borrowing Mutex<NativeThread?>) {
        let running = slot.withLock { thread -> NativeThread? in
            defer { thread = nil }
            return thread
        }
        if let running, !running.isCurrent { running.join() }
    }
}
