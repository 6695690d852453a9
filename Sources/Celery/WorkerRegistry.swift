/// Worker liveness from heartbeats: which workers are up, what they run, and when to forget them.
///
/// Heartbeats are the only Redis-side sign of running tasks under Celery's default settings and
/// arrive every `freq` seconds (2 by default) even without `-E` (model doc §0 item 11, §6, §8
/// "Tasks actually executing"). A worker is **up** from its first worker-online or heartbeat until
/// it sends worker-offline (graceful stop) or stays silent for `missedHeartbeats × freq` (a
/// SIGKILLed worker sends nothing). Times are *receipt* times on the caller's clock, never the
/// worker's `timestamp`, so skewed worker clocks cannot fake liveness.
///
/// Pub/Sub keeps no history, so the registry is told when the subscription starts and ends:
/// - while unsubscribed, silence proves nothing; states are evaluated as of the moment the
///   subscription was lost (frozen) and ``liveHostnames(at:)`` is nil;
/// - after (re)subscribing, a worker's silence counts from the later of its last heartbeat and
///   the subscription start, so a reconnect never marks healthy workers down.
///
/// A pure value: every method takes `now`, so tests drive it with explicit times.
public struct WorkerRegistry: Sendable {
    /// What one worker looks like at a given time.
    public struct WorkerStatus: Equatable, Sendable {
        /// The worker's node name (`w1@vm`).
        public var hostname: String
        /// Up (recent heartbeat, no worker-offline since).
        public var isUp: Bool
        /// Tasks executing per the last heartbeat; 0 when down (its tasks are not running any more).
        public var active: Int
        /// The worker's own processed-task counter from its last heartbeat (resets when it restarts).
        public var processed: Int
        /// When the worker went down (offline event, or end of its liveness window); nil when up.
        public var downSince: Double?
    }

    private struct Entry: Sendable {
        var lastSeen: Double
        var frequency: Double
        var active: Int
        var processed: Int
        /// Set by worker-offline, or when a subscription ends while the worker was already silent
        /// too long; cleared by the next online/heartbeat.
        var downAt: Double?
    }

    /// The settings used.
    public let configuration: CeleryEventConfiguration
    /// Events of new host names ignored because ``CeleryEventConfiguration/maxWorkers`` workers
    /// were already tracked and none of them was down.
    public private(set) var rejectedOverLimit: UInt64 = 0

    private var workers: [String: Entry] = [:]
    /// Start of the current (or last) subscription; nil before the first.
    private var sessionStart: Double?
    /// When the last subscription was lost; nil while subscribed.
    private var lostAt: Double?

    /// Creates an empty registry; nothing is trusted until ``subscriptionStarted(at:)``.
    public init(configuration: CeleryEventConfiguration) {
        self.configuration = configuration
    }

    /// Number of workers tracked (up and down).
    public var count: Int { workers.count }

    /// True while the subscription is established.
    public var isObserving: Bool { sessionStart != nil && lostAt == nil }

    /// The subscription is (again) confirmed at `now`.
    public mutating func subscriptionStarted(at now: Double) {
        if isObserving { freezeDownStates(at: now) }
        sessionStart = now
        lostAt = nil
    }

    /// The subscription was lost at `now` (no-op when not subscribed).
    public mutating func subscriptionLost(at now: Double) {
        guard isObserving else { return }
        freezeDownStates(at: now)
        lostAt = now
    }

    /// Records the down state of workers already silent too long, before the session start moves:
    /// the grace a new subscription gives applies to workers that were up, not to dead ones.
    private mutating func freezeDownStates(at now: Double) {
        for (name, entry) in workers where entry.downAt == nil {
            if let since = downSince(entry, at: now) { workers[name]?.downAt = since }
        }
    }

    /// Applies a worker event received at `now`. Returns false when the event was ignored because
    /// the worker limit is reached (counted in ``rejectedOverLimit``).
    @discardableResult
    public mutating func record(_ event: CeleryEvent.Worker, at now: Double) -> Bool {
        if workers[event.hostname] == nil && workers.count >= max(0, configuration.maxWorkers) {
            // Pruning is otherwise left to rendering (once per poll), not done per heartbeat.
            prune(at: now)
        }
        if workers[event.hostname] == nil && workers.count >= max(0, configuration.maxWorkers) {
            // Make room by forgetting the worker that has been down longest; never evict live ones.
            let oldestDown = workers.compactMap { name, entry in downSince(entry, at: now).map { (name, $0) } }
                .min { $0.1 < $1.1 }
            guard let (victim, _) = oldestDown else {
                rejectedOverLimit += 1
                return false
            }
            workers[victim] = nil
        }
        var entry =
            workers[event.hostname]
            ?? Entry(lastSeen: now, frequency: configuration.defaultHeartbeatFrequency, active: 0, processed: 0)
        entry.lastSeen = now
        if let frequency = event.frequency { entry.frequency = frequency }
        if let active = event.active { entry.active = active }
        if let processed = event.processed { entry.processed = processed }
        switch event.kind {
        case .online, .heartbeat: entry.downAt = nil
        case .offline: entry.downAt = now
        }
        workers[event.hostname] = entry
        return true
    }

    /// Forgets workers down for longer than ``CeleryEventConfiguration/workerForgetAfter``.
    public mutating func prune(at now: Double) {
        let evaluated = effectiveNow(now)
        workers = workers.filter { _, entry in
            guard let since = downSince(entry, at: now) else { return true }
            return evaluated - since <= configuration.workerForgetAfter
        }
    }

    /// Every worker still in the output at `now`, sorted by host name (workers down for longer
    /// than the forget time are left out even before ``prune(at:)`` removes them).
    public func statuses(at now: Double) -> [WorkerStatus] {
        let evaluated = effectiveNow(now)
        return workers.compactMap { name, entry -> WorkerStatus? in
            let since = downSince(entry, at: now)
            if let since, evaluated - since > configuration.workerForgetAfter { return nil }
            return WorkerStatus(
                hostname: name, isUp: since == nil, active: since == nil ? entry.active : 0,
                processed: entry.processed, downSince: since)
        }
        .sorted { $0.hostname < $1.hostname }
    }

    /// Host names of the workers up at `now`, for orphan detection (a STARTED meta whose
    /// `result.hostname` is not live, model doc §8). Nil while the answer cannot be trusted: before
    /// the subscription has lasted ``CeleryEventConfiguration/effectiveStartupGrace`` seconds
    /// (live workers may not have sent a heartbeat yet) and while it is down.
    public func liveHostnames(at now: Double) -> Set<String>? {
        guard let sessionStart, lostAt == nil, now - sessionStart >= configuration.effectiveStartupGrace else {
            return nil
        }
        return Set(workers.compactMap { name, entry in downSince(entry, at: now) == nil ? name : nil })
    }

    /// While unsubscribed, time stands still at the moment the subscription was lost.
    private func effectiveNow(_ now: Double) -> Double {
        if let lostAt { return min(now, lostAt) }
        return now
    }

    /// When `entry` went down, or nil when it is up at `now`.
    private func downSince(_ entry: Entry, at now: Double) -> Double? {
        if let downAt = entry.downAt { return downAt }
        let silenceStart = max(entry.lastSeen, sessionStart ?? entry.lastSeen)
        let deadline = silenceStart + configuration.missedHeartbeats * entry.frequency
        return effectiveNow(now) > deadline ? deadline : nil
    }
}
