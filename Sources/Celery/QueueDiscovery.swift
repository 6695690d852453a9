import Logging
import Redis

/// Which queues a target has: the configured ones plus those found in kombu's binding tables
/// (`_kombu.binding.*`), capped at ``CeleryConfiguration/maxKnownQueues`` and ranked by depth past
/// the cap (``QueueDirectory``). Discovery walks the keyspace on its own (`SCAN`) when due
/// (``isDue(now:)``), or reads the binding tables the result census found in its last pass
/// (``ResultCensus/carriesDiscovery``), so one keyspace walk serves both.
///
/// Owned by its target's runtime and handed to that target's ``Sampler``, which asks it every poll
/// and tells it which queues hold messages. Not `Sendable`: it belongs to the poller thread.
public final class QueueDiscovery {
    /// Logs one problem key the first time it is seen (the sampler's once-per-key warnings).
    typealias Warn = (_ key: [UInt8], _ message: Logger.Message, _ reply: RESPValue?) -> Void

    let configuration: CeleryConfiguration
    let layout: KombuKeyLayout
    let logger: Logger
    /// The census whose passes carry the binding tables (nil: discovery walks on its own).
    let census: ResultCensus?
    let configuredQueues: Set<String>
    /// Discovered queues: they stay known while bound or holding messages (a drained list must read
    /// 0, not vanish), are forgotten a few discoveries after being deleted, and are capped.
    var directory: QueueDirectory
    /// Configured ∪ discovered, sorted: the order of the `LLEN` commands and of ``SampledState/queues``.
    var sortedQueues: [String]
    var lastDiscovery: Double?
    /// Names the last discovery found but could not keep (the table was full).
    var queuesOverLimit = 0
    /// Paces the warning about queues dropped by the queue cap.
    var tableLog = LogRateLimiter()
    /// Tasks in flight per queue name (tracked or not) in the last unacked sample: ranks queues
    /// past the queue cap (``probeQueueDepths(_:using:)``). Bounded by the sample size.
    var inFlightByQueue: [String: Int] = [:]

    /// Creates the discovery of one target; `census` is that target's (nil when it is off).
    public init(configuration: CeleryConfiguration, census: ResultCensus?, logger: Logger) {
        self.configuration = configuration
        self.layout = KombuKeyLayout(prefix: configuration.keyPrefix, separator: configuration.separator)
        self.logger = logger
        self.census = census
        self.configuredQueues = Set(configuration.queues.filter { !$0.isEmpty })
        self.sortedQueues = configuredQueues.sorted()
        self.directory = QueueDirectory(limit: configuration.maxKnownQueues)
    }

    /// The discovered-queue table's size, limit and drops (for the `discovered_queues` families).
    var stats: DiscoveredQueueStats { directory.stats }

    /// A queue held messages (waiting or in flight) at `now`: it stays known while it does.
    func noteMessages(in queue: String, at now: Double) {
        directory.noteMessages(in: queue, at: now)
    }
}
