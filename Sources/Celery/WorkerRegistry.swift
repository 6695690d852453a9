/// Worker liveness from heartbeats: which workers are up, what they run, and when to forget them.
///
/// Heartbeats are the only Redis-side sign of running tasks under Celery's default settings and
/// arrive every `freq` seconds (2 by default) even without `-E`. A worker is **up** from its first worker-online or heartbeat until
/// it sends worker-offline (graceful stop) or stays silent for `missedHeartbeats × freq` (a
/// SIGKILLed worker sends nothing). Times are *receipt* times on the caller's clock, never the
/// worker's `timestamp`, so skewed worker clocks cannot fake liveness.
///
/// Pub/Sub keeps no history, so the registry is told when the subscription starts and ends:
/// - while unsubscribed, silence proves nothing; states are evaluated as of the moment the
///   subscription was lost (frozen) and ``liveHostnames(at:)`` is nil;
/// - after the first subscription, a worker's silence counts from the later of its last heartbeat
///   and the subscription start;
/// - after a resubscription, each worker still up when the subscription was lost has its
///   liveness window extended by the time it could not be heard (the gap), so a reconnect never
///   marks a healthy worker down, and a worker that was already silent too long stays down. Only
///   time spent listening counts as silence: a connection that drops every few seconds can delay
///   a dead worker's `down` by the total length of the gaps, never keep it up for ever (which
///   restarting the window at every resubscription did).
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
        /// When its last heartbeat (or online/offline event) arrived, on the registry's clock.
        public var lastSeen: Double
    }

    private struct Entry: Sendable {
        var lastSeen: Double
        var frequency: Double
        var active: Int
        var processed: Int
        /// Set by worker-offline, or when a subscription ends while the worker was already silent
        /// too long; cleared by the next online/heartbeat.
        var downAt: Double?
        /// The last event was worker-offline (a graceful stop: the next worker-online is a new process).
        var wentOffline = false
        /// Seconds of subscription gaps since ``lastSeen`` while the worker was up: time in which it
        /// could not be heard does not count as silence (see ``WorkerRegistry/subscriptionStarted(at:)``).
        var unheard: Double = 0
        /// `pid` and Lamport `clock` of the last event (see ``Incarnation``).
        var pid: Int?
        var clock: Int?
        /// The pid before the last change: seen again, two live processes share the node name
        /// (Celery warns of duplicate node names), and no restart can be told apart.
        var previousPid: Int?
        /// When the current incarnation began, as far as the registry can tell; nil when it began
        /// before the registry was watching.
        var incarnationStart: Double?
    }

    /// What one ``record(_:at:)`` did besides updating the worker, for counters and logs.
    public struct RecordOutcome: Equatable, Sendable {
        /// The worker forgotten to make room for this event's host name (the table was full).
        public var evicted: String?
        /// Whether the evicted worker was still up (orphan detection is then suspended, see
        /// ``liveHostnames(at:)``).
        public var evictedWasUp = false
        /// Whether the announced `freq` was outside ``CeleryEventConfiguration/heartbeatFrequencyRange``
        /// and clamped into it.
        public var frequencyClamped = false
    }

    /// The settings used.
    public let configuration: CeleryEventConfiguration
    /// Restarts seen: events of a known worker that began a new incarnation (new pid, clock gone
    /// backwards, or worker-online after worker-offline).
    public private(set) var incarnationsSeen: UInt64 = 0
    /// Workers forgotten to make room for new host names while ``CeleryEventConfiguration/maxWorkers``
    /// workers were tracked.
    public private(set) var evicted: UInt64 = 0
    /// Worker events whose `freq` was clamped into ``CeleryEventConfiguration/heartbeatFrequencyRange``.
    public private(set) var frequencyClamped: UInt64 = 0
    /// Until then the set of live workers is incomplete: a worker evicted while up may still be
    /// running tasks (its liveness window had not ended).
    private var incompleteUntil: Double?

    private var workers: [String: Entry] = [:]
    /// Start of the first subscription; nil before it. Silence before it proves nothing.
    private var firstSessionStart: Double?
    /// When the last subscription was lost; nil while subscribed.
    private var lostAt: Double?
    /// From then on the set of live workers is complete (see ``liveHostnames(at:)``): the end of
    /// the start-up grace, moved on by each gap; nil before the first subscription.
    private var trustedFrom: Double?

    /// Creates an empty registry; nothing is trusted until ``subscriptionStarted(at:)``.
    public init(configuration: CeleryEventConfiguration) {
        self.configuration = configuration
    }

    /// Number of workers tracked (up and down).
    public var count: Int { workers.count }

    /// True while the subscription is established.
    public var isObserving: Bool { firstSessionStart != nil && lostAt == nil }

    /// The subscription is (again) confirmed at `now`. The first one starts the start-up grace
    /// (``CeleryEventConfiguration/effectiveStartupGrace``). A later one, after a loss, extends the
    /// liveness window of every worker that was still up by the time it could not be heard;
    /// workers already down when the subscription was lost stay down. A confirmation while already
    /// subscribed changes nothing (nothing was missed).
    public mutating func subscriptionStarted(at now: Double) {
        guard firstSessionStart != nil, let trusted = trustedFrom else {
            firstSessionStart = now
            trustedFrom = now + configuration.effectiveStartupGrace
            return
        }
        guard let lost = lostAt else { return }
        lostAt = nil
        let end = max(now, lost)
        var slowest = configuration.defaultHeartbeatFrequency
        for (name, entry) in workers where entry.downAt == nil {
            // A heartbeat received during the gap (a late delivery) ends the unheard time early.
            workers[name]?.unheard += max(0, end - max(lost, entry.lastSeen))
            slowest = max(slowest, entry.frequency)
        }
        // One period for a worker that (re)started unheard during the gap; when the loss cut a
        // grace short, the rest of it too (only listening time counts).
        trustedFrom = end + max(trusted - lost, min(configuration.effectiveStartupGrace, slowest))
    }

    /// The subscription was lost at `now` (no-op when not subscribed).
    public mutating func subscriptionLost(at now: Double) {
        guard isObserving else { return }
        freezeDownStates(at: now)
        lostAt = now
    }

    /// Records the down state of workers already silent too long when the subscription is lost:
    /// the extension a resubscription gives applies to workers that were up, not to dead ones.
    private mutating func freezeDownStates(at now: Double) {
        for (name, entry) in workers where entry.downAt == nil {
            if let since = downSince(entry, at: now) { workers[name]?.downAt = since }
        }
    }

    /// Applies a worker event received at `now`. Host names are keyed (and reported) in their
    /// ``LabelValueLimit/capped(_:)`` form; `freq` is clamped into
    /// ``CeleryEventConfiguration/heartbeatFrequencyRange``. When ``CeleryEventConfiguration/maxWorkers``
    /// workers are tracked and the host name is new, the worker that has been down longest gives way,
    /// else the one silent longest: a flood of forged host names can never lock real workers out.
    @discardableResult
    public mutating func record(_ event: CeleryEvent.Worker, at now: Double) -> RecordOutcome {
        var outcome = RecordOutcome()
        let name = LabelValueLimit.capped(event.hostname)
        if workers[name] == nil && workers.count >= max(1, configuration.maxWorkers) {
            // Pruning is otherwise left to rendering (once per poll), not done per heartbeat.
            prune(at: now)
        }
        if workers[name] == nil && workers.count >= max(1, configuration.maxWorkers) {
            if let victim = evictionCandidate(at: now) {
                outcome.evicted = victim.name
                outcome.evictedWasUp = victim.deadline != nil
                if let deadline = victim.deadline { incompleteUntil = max(incompleteUntil ?? deadline, deadline) }
                workers[victim.name] = nil
                evicted += 1
            }
        }
        if workers[name] == nil && name != event.hostname { LabelValueLimit.truncations.record(.worker) }
        var entry =
            workers[name]
            ?? Entry(lastSeen: now, frequency: configuration.defaultHeartbeatFrequency, active: 0, processed: 0)
        entry.lastSeen = now
        entry.unheard = 0
        if let announced = event.frequency {
            // A NaN passes min/max untouched (and would keep the worker up for ever): the default.
            let frequency = announced.isNaN ? configuration.defaultHeartbeatFrequency : announced
            let range = configuration.heartbeatFrequencyRange
            entry.frequency = min(max(frequency, range.lowerBound), range.upperBound)
            if entry.frequency != announced {
                outcome.frequencyClamped = true
                frequencyClamped += 1
            }
        }
        if let active = event.active { entry.active = active }
        if let processed = event.processed { entry.processed = processed }
        if let pid = event.pid, let previous = workers[name], let last = previous.pid, pid != last,
            pid == previous.previousPid
        {
            // Two processes take turns under one name: judge their tasks by host name alone.
            entry.incarnationStart = nil
        } else if let start = Self.newIncarnationStart(previous: workers[name], event: event, at: now) {
            entry.incarnationStart = start
            if workers[name] != nil { incarnationsSeen += 1 }
        }
        if let pid = event.pid, let last = entry.pid, pid != last { entry.previousPid = last }
        entry.pid = event.pid ?? entry.pid
        entry.clock = event.clock ?? entry.clock
        entry.wentOffline = event.kind == .offline
        switch event.kind {
        case .online, .heartbeat: entry.downAt = nil
        case .offline: entry.downAt = now
        }
        workers[name] = entry
        return outcome
    }

    /// When a new incarnation (process) of the worker began, if `event`, received at `now`,
    /// shows one; nil when it continues the one `previous` describes.
    ///
    /// A new process is certain when the `pid` differs, when the Lamport `clock` went backwards
    /// (it never does within one process; a restarted worker may start high again after mingle,
    /// and containers often reuse the pid, so neither sign alone is enough), or when
    /// worker-online follows worker-offline. A worker-online after mere silence with the same pid
    /// and a clock that kept counting is the same process reconnecting (its tasks kept running).
    ///
    /// The start is the receipt of worker-online when that is the event (Celery sends it before
    /// it executes any task); otherwise the process began at some unseen moment after the old
    /// one's last event, so that last event is the latest start that is certain. A worker seen for
    /// the first time by worker-online started then; by a heartbeat, at an unknown time (nil).
    private static func newIncarnationStart(previous: Entry?, event: CeleryEvent.Worker, at now: Double) -> Double? {
        guard let previous else { return event.kind == .online ? now : nil }
        let pidChanged = event.pid != nil && previous.pid != nil && event.pid != previous.pid
        let clockReset = event.clock != nil && previous.clock != nil && event.clock! < previous.clock!
        let backAfterOffline = event.kind == .online && previous.wentOffline
        guard pidChanged || clockReset || backAfterOffline else { return nil }
        return event.kind == .online ? now : previous.lastSeen
    }

    /// The worker to forget when the table is full: the one down longest, else the one whose last
    /// event is oldest (with the end of its liveness window, when it is still up).
    private func evictionCandidate(at now: Double) -> (name: String, deadline: Double?)? {
        var best: (name: String, down: Bool, time: Double)?
        for (name, entry) in workers {
            let down = downSince(entry, at: now)
            let candidate = (name: name, down: down != nil, time: down ?? entry.lastSeen)
            guard let current = best else {
                best = candidate
                continue
            }
            if candidate.down != current.down {
                if candidate.down { best = candidate }
            } else if (candidate.time, candidate.name) < (current.time, current.name) {
                best = candidate
            }
        }
        guard let best else { return nil }
        guard !best.down, let entry = workers[best.name] else { return (best.name, nil) }
        return (best.name, liveUntil(entry))
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
                processed: entry.processed, downSince: since, lastSeen: entry.lastSeen)
        }
        .sorted { $0.hostname < $1.hostname }
    }

    /// Host names of the workers up at `now`, for orphan detection (a STARTED meta whose
    /// `result.hostname` is not live). Nil while the answer cannot be trusted: before the first
    /// subscription has lasted ``CeleryEventConfiguration/effectiveStartupGrace`` seconds (live
    /// workers may not have sent a heartbeat yet), while it is down, and until the liveness
    /// window of a worker evicted while up has ended (it may still be running its tasks).
    ///
    /// After a resubscription, workers known to be up stay up (their windows are extended), so
    /// only a worker that (re)started during the gap can be missing, and it is heard at its next
    /// heartbeat: the answer is nil for one heartbeat period of the slowest known worker (at
    /// least the default period, at most the start-up grace), not for a whole start-up grace, so
    /// a connection that drops every few seconds cannot suspend orphan detection for ever.
    public func liveHostnames(at now: Double) -> Set<String>? {
        guard let trustedFrom, lostAt == nil, now >= trustedFrom else { return nil }
        if let incompleteUntil, now <= incompleteUntil { return nil }
        return Set(workers.compactMap { name, entry in downSince(entry, at: now) == nil ? name : nil })
    }

    /// For each worker up at `now` (the same set and the same trust rules as
    /// ``liveHostnames(at:)``; nil when that is nil): when its current incarnation began, on the
    /// caller's clock, for workers whose restart the registry saw. A STARTED meta of such a worker
    /// first seen before that moment belongs to a process that is gone: the task is orphaned even
    /// though a worker of the same name is alive (SIGKILL, then a restart under the same `-n`).
    public func liveIncarnationStarts(at now: Double) -> [String: Double]? {
        guard let live = liveHostnames(at: now) else { return nil }
        var starts: [String: Double] = [:]
        for name in live {
            if let start = workers[name]?.incarnationStart { starts[name] = start }
        }
        return starts
    }

    /// While unsubscribed, time stands still at the moment the subscription was lost.
    private func effectiveNow(_ now: Double) -> Double {
        if let lostAt { return min(now, lostAt) }
        return now
    }

    /// When `entry` went down, or nil when it is up at `now`.
    private func downSince(_ entry: Entry, at now: Double) -> Double? {
        if let downAt = entry.downAt { return downAt }
        let deadline = liveUntil(entry)
        return effectiveNow(now) > deadline ? deadline : nil
    }

    /// The end of `entry`'s liveness window (when it goes down unless another event arrives).
    private func liveUntil(_ entry: Entry) -> Double {
        let silenceStart = max(entry.lastSeen, firstSessionStart ?? entry.lastSeen)
        return silenceStart + entry.unheard + configuration.missedHeartbeats * entry.frequency
    }
}
