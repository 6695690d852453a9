import Logging
import Redis
import Sockets

#if canImport(Glibc)
    import Glibc
#endif

/// Turns Redis replies into one ``Snapshot`` per poll, for one Celery deployment.
///
/// Each poll costs at most: a queue discovery when due (`SCAN` + `SMEMBERS`, every
/// ``CeleryConfiguration/discoveryInterval`` seconds), then **one pipelined round** with 10 `LLEN`s
/// per known queue (priority steps 0–9) plus `ZCARD`, `ZCOUNT` and a bounded oldest-first
/// `ZRANGE … WITHSCORES` of `unacked_index`, then the tails of the non-empty lists (the oldest
/// waiting message) and the `unacked` values of delivery tags not classified on an earlier poll
/// (bounded by ``CeleryConfiguration/unackedClassifyLimit``), both read within
/// ``CeleryConfiguration/valueReadBudget`` (sizes first, large values as head and tail slices). The result census runs on its own thread and
/// connection (``census``, see ``ResultCensus``): a poll only reads its latest counts under a lock
/// (and, after a census pass, the binding tables it found: one pipelined `SMEMBERS`).
///
/// Not `Sendable`: it keeps caches between polls and belongs to its target's poller thread. Time is
/// a parameter (`now`), so tests drive it with explicit clocks.
public final class Sampler {
    /// The configuration this sampler was created with.
    public let configuration: CeleryConfiguration
    /// Key names derived from the configuration.
    public let layout: KombuKeyLayout

    let logger: Logger
    /// Which queues to sample (configured and discovered), owned by the target's runtime.
    public let discovery: QueueDiscovery
    /// Configured ∪ discovered, sorted: the order of the `LLEN` commands and of ``SampledState/queues``.
    var sortedQueues: [String] { discovery.sortedQueues }
    /// Delivery tag → what its `unacked` value said, for the tags in the latest sample (bounded by
    /// the sample size, ``CeleryConfiguration/unackedSampleLimit``).
    var tagCache = UnackedTagCache()
    /// `unacked_index` as of the previous poll, so a poll reads what changed (``UnackedIndexMirror``).
    var indexMirror = UnackedIndexMirror()
    /// The in-flight breakdown kept up to date from the copy's changes (``UnackedLedger``).
    var ledger = UnackedLedger()
    /// Tests only: classify by walking the whole sample every poll (the reference the ledger must equal).
    var unackedFullWalk = false
    /// Keys (or synthetic names) already warned about, so a persistent problem logs once.
    var warned: Set<[UInt8]> = []
    /// First-seen times of queue list tails (oldest waiting message per queue).
    var tailTracker = QueueTailTracker()
    /// Huge queue tails kept between polls, so they are not copied by Redis on every poll.
    var hugeTails = HugeTailCache()
    /// Which huge value (queue tail or `unacked` message) gets the one huge read of a poll.
    var hugeReads = HugeReadTurns()
    /// `unacked` tags of this poll whose values are huge: read by the poll's one huge read, last.
    var hugeUnackedTags: [[UInt8]] = []
    /// Paces the warning about tasks in flight beyond the sample limit.
    var untrackedLog = LogRateLimiter(interval: 600)
    /// Paces the warning about task names refused by a full ``taskNames`` table.
    var refusedTaskNameLog = LogRateLimiter(interval: 600)
    /// Huge reads that failed on the transport (timed out) since start; the poll went on without them.
    var hugeReadFailures = 0
    /// Paces the warning about failed huge reads.
    var hugeReadLog = LogRateLimiter()
    /// Waiting messages by task name, remembered per priority list between polls (``readBacklog``).
    var backlog = BacklogTracker()
    /// Reads list tails and large `unacked` values as bounded slices (``ValueReadBudget``).
    let sliceScript: SliceScript
    /// Caps the `task` label of the per-task breakdowns.
    var taskNames: TaskNameLimiter
    /// Monotonic seconds for poll and phase durations; tests substitute a clock that advances with
    /// the commands they answer, so phase attribution is exact rather than timed.
    var monotonicClock: () -> Double = MonotonicClock.seconds
    /// The result-backend census; nil when disabled. The exporter runs it on its own thread
    /// (``ResultCensus/run(using:clock:wait:)``) and feeds it live writes
    /// (``ResultCensus/record(channel:payload:at:)``); the poll only reads it.
    public let census: ResultCensus?

    /// Warnings remembered per process; past this, further distinct problems are no longer logged
    /// individually (they are still counted in ``SampledState/commandErrors``).
    static let maxWarnedKeys = 1_024

    /// Creates a sampler with a census of its own when `configuration.censusEnabled` (tests, tools).
    /// `logger` receives one warning per distinct problem key (wrong type, malformed reply), never per poll.
    public convenience init(configuration: CeleryConfiguration, logger: Logger) {
        let census = ResultCensus.forTarget(configuration, logger: logger)
        self.init(
            configuration: configuration, census: census,
            discovery: QueueDiscovery(configuration: configuration, census: census, logger: logger), logger: logger)
    }

    /// Creates a sampler that reads `census` (owned by its target's runtime, which runs and feeds it;
    /// nil: no census families) and samples the queues `discovery` knows (owned by the runtime too).
    public init(configuration: CeleryConfiguration, census: ResultCensus?, discovery: QueueDiscovery, logger: Logger) {
        self.configuration = configuration
        self.layout = KombuKeyLayout(prefix: configuration.keyPrefix, separator: configuration.separator)
        self.logger = logger
        self.discovery = discovery
        self.taskNames = TaskNameLimiter(limit: configuration.taskNameLimit)
        self.sliceScript = SliceScript(budget: configuration.valueReadBudget)
        self.census = census
    }

    /// Meta keys the census tracks in memory (0 when it is off).
    public var censusTrackedKeys: Int { census?.trackedKeys ?? 0 }

    /// The queues currently sampled, sorted (configured plus discovered).
    public var knownQueues: [String] { sortedQueues }

    /// How many delivery tags are classified in the cache.
    public var cachedUnackedTagCount: Int { tagCache.count }

    /// Runs one poll with the event-fed state of `events` read **once**, before Redis is sampled:
    /// the orphan count uses that reading's live workers and incarnations, and the reading is kept
    /// in ``Snapshot/events`` for everything else that reports workers and live results (the
    /// Pub/Sub families, the status page), so all of a poll's numbers describe one moment.
    /// `events` nil (Celery events off): no worker information, ``Snapshot/events`` nil.
    public func poll(using redis: any RedisCommandExecuting, now: Double, events: CeleryEventMonitor?) -> Snapshot {
        let reading = events?.read()
        var snapshot = poll(
            using: redis, now: now, liveWorkers: reading?.liveWorkers,
            incarnationStarts: reading?.incarnationStarts(wallNow: now) ?? [:])
        snapshot.events = reading
        return snapshot
    }

    /// Runs one poll. Never throws: a transport failure (the executor throws) yields
    /// ``PollOutcome/failed(_:)`` with the failed ``PollStage`` and no values (see ``Snapshot``); error
    /// replies to single commands are counted and read as 0. The census never fails a poll: its
    /// failures (on the census thread) are counted under ``PollStage/census``.
    ///
    /// - Parameters:
    ///   - redis: the connection; the sampler only ever calls `pipeline`.
    ///   - now: the current Unix time in seconds; it decides discovery, ages and stranded entries.
    ///   - liveWorkers: host names (`w1@vm`, as in heartbeats and in a STARTED meta's
    ///     `result.hostname`) of the workers known to be alive right now, from the Pub/Sub worker
    ///     registry (the poll's one ``CeleryEventReading``); nil when no worker information is
    ///     available. With nil, ``SampledState/orphanedStartedTasks`` is nil (omitted): "no info" must not read as "all dead".
    ///     An empty set means "known: no worker alive", so stranded unacked entries count as orphaned.
    ///   - incarnationStarts: for live workers whose (re)start was seen, when the current process
    ///     began (Unix time): their STARTED metas first seen before it are orphaned too
    ///     (``ResultCensus/orphanedStartedKeys(liveWorkers:incarnationStarts:)``).
    public func poll(
        using redis: any RedisCommandExecuting, now: Double, liveWorkers: Set<String>? = nil,
        incarnationStarts: [String: Double] = [:]
    ) -> Snapshot {
        var timer = PhaseTimer(clock: monotonicClock)
        var errors: [PollStage: Int] = [:]
        var discoveryRan = false
        taskNames.advance(to: now)
        let refusedTaskNamesBefore = taskNames.refused

        if discovery.isDue(now: now) {
            discoveryRan = true
            do {
                try discovery.discover(using: redis, now: now, errors: &errors, warn: warnOnce)
            } catch {
                return failed(.discovery, error: error, now: now, timer: timer)
            }
            timer.end(.discovery)
        }

        let indexRead = planUnackedRead(now: now)
        let plan = RoundPlan(
            queues: sortedQueues, layout: layout, now: now, configuration: configuration,
            unackedRead: indexRead.map {
                UnackedIndexMirror.commands($0, key: layout.unackedIndexKey, limit: configuration.unackedSampleLimit)
            } ?? [])
        let replies: [RESPValue]
        do {
            replies = try run(plan.commands, on: redis)
        } catch {
            return failed(.queues, error: error, now: now, timer: timer)
        }

        let round = plan.decode(replies)
        var queueStates = readQueueLengths(round: round, errors: &errors)
        hugeUnackedTags = []
        var totals = readUnackedTotals(round: round, errors: &errors)
        timer.end(.queues)

        let breakdown: UnackedBreakdown
        do {
            totals.sample = try readUnackedIndex(
                indexRead, replies: round.unackedRead, using: redis, now: now, errors: &errors)
            breakdown = try classifyUnacked(sample: totals.sample, using: redis, now: now, errors: &errors)
        } catch {
            return failed(.unacked, error: error, now: now, timer: timer)
        }

        var inFlightByQueue = breakdown.unknownQueueCounts
        for (name, stats) in breakdown.perQueue { inFlightByQueue[name, default: 0] += stats.count }
        discovery.inFlightByQueue = inFlightByQueue
        var perQueueUnacked = 0
        for (name, stats) in breakdown.perQueue {
            guard var state = queueStates[name] else { continue }
            state.unacked = stats.count
            state.unackedOldestAge = max(0, now - stats.oldestScore)
            state.stranded = stats.stranded
            state.scheduled = stats.scheduled
            state.etaBeyondVisibility = stats.etaBeyondVisibility
            state.unackedByTask = stats.byTask
            state.scheduledByTask = stats.scheduledByTask
            queueStates[name] = state
            perQueueUnacked += stats.count
        }
        for state in queueStates.values where state.length > 0 || state.unacked > 0 {
            discovery.noteMessages(in: state.name, at: now)
        }

        // Stale index members (no hash entry) are not in flight: out of every count from here on.
        let inFlight = max(0, totals.total - breakdown.stale)
        let strandedInFlight = max(0, totals.stranded - breakdown.staleStranded)
        timer.end(.unacked)
        var censusSnapshot: CensusSnapshot?
        var orphaned: Int?
        if let census {
            let censusErrors = census.takeCommandErrors()
            if censusErrors > 0 { errors[.census, default: 0] += censusErrors }
            do {
                try discovery.discoverFromCensus(now: now, errors: &errors, using: redis, warn: warnOnce)
            } catch {
                errors[.discovery, default: 0] += 1
            }
            censusSnapshot = census.snapshot(now: now)
            if let liveWorkers, censusSnapshot != nil {
                // Count each task once: under acks_late a killed worker leaves both a STARTED meta and a
                // stranded unacked entry for the same task id (compared as hashes of the meta key name).
                let startedOrphans = census.orphanedStartedKeys(
                    liveWorkers: liveWorkers, incarnationStarts: incarnationStarts)
                var count = startedOrphans.count
                if liveWorkers.isEmpty {
                    let strandedKeys = breakdown.strandedMetaKeys
                    let withoutID = max(0, breakdown.strandedInSample - breakdown.strandedMetaKeys.count)
                    let outsideSample = max(0, strandedInFlight - breakdown.strandedInSample)
                    count += strandedKeys.subtracting(startedOrphans).count + withoutID + outsideSample
                }
                orphaned = count
            }
        } else if let liveWorkers {
            orphaned = liveWorkers.isEmpty ? strandedInFlight : 0
        }
        timer.end(.foldIn)
        do {
            try readBacklog(queueStates: &queueStates, using: redis, now: now, errors: &errors)
        } catch {
            return failed(.queues, error: error, now: now, timer: timer)
        }
        timer.end(.backlog)
        // Last: the queue tails, whose one huge read (if any) may time out without failing the poll
        // (``HugeReadTurns``); nothing is sent to Redis after it.
        do {
            try readQueueTails(plan: plan, queueStates: &queueStates, using: redis, now: now, errors: &errors)
        } catch {
            return failed(.queues, error: error, now: now, timer: timer)
        }
        let finished = timer.end(.tails)

        let untracked =
            totals.sample.count >= configuration.unackedSampleLimit ? max(0, inFlight - totals.sample.count) : 0
        if untracked > 0, let suppressed = untrackedLog.admit(at: now) {
            logger.warning(
                "more tasks in flight than --celery.unacked-sample-limit: the newest are counted but not attributed to a queue",
                metadata: [
                    "in_flight": "\(inFlight)", "limit": "\(configuration.unackedSampleLimit)",
                    "suppressed": "\(suppressed)",
                ])
        }
        let refusedTaskNames = taskNames.refused - refusedTaskNamesBefore
        if refusedTaskNames > 0, let suppressed = refusedTaskNameLog.admit(at: now) {
            logger.warning(
                "task name table full (--celery.task-name-limit): messages of further task names are counted under task=\"other\"",
                metadata: [
                    "limit": "\(taskNames.limit)", "messages_this_poll": "\(refusedTaskNames)",
                    "suppressed": "\(suppressed)",
                ])
        }
        var state = SampledState(
            queues: sortedQueues.compactMap { queueStates[$0] },
            knownQueueCount: sortedQueues.count,
            queuesOverLimit: discovery.queuesOverLimit,
            discoveredQueueStats: discovery.stats,
            unackedTotal: inFlight,
            strandedTotal: strandedInFlight,
            unackedSampled: totals.sample.count,
            unackedUnclassified: max(0, inFlight - perQueueUnacked),
            unackedUndecodable: breakdown.undecodable,
            unackedIndexStale: breakdown.stale,
            unackedUnknownQueue: breakdown.unknownQueue,
            unackedUnread: breakdown.unread,
            commandErrors: errors,
            discoveryRan: discoveryRan,
            census: censusSnapshot,
            orphanedStartedTasks: orphaned,
            hugeReadFailures: hugeReadFailures,
            phases: timer.phases,
            unackedTagCache: UnackedTagCacheStats(
                entries: tagCache.count, limit: configuration.unackedSampleLimit, hits: tagCache.hits,
                misses: tagCache.misses, evictions: tagCache.evictions, untracked: untracked),
            censusProgress: census?.progress)
        state.backlogReads = backlog.stats
        return Snapshot(timestamp: now, pollDuration: finished - timer.started, outcome: .sampled(state))
    }

    // MARK: - Helpers shared by the stages

    /// Runs `commands` as one pipeline and insists on one reply per command (anything else would
    /// misattribute every later reply, so it fails the stage like a transport error).
    func run(_ commands: [RedisCommand], on redis: any RedisCommandExecuting) throws -> [RESPValue] {
        try Sampler.run(commands, on: redis)
    }

    /// ``run(_:on:)`` for the sampler's helpers (queue discovery).
    static func run(_ commands: [RedisCommand], on redis: any RedisCommandExecuting) throws -> [RESPValue] {
        if commands.isEmpty { return [] }
        let replies = try redis.pipeline(commands)
        guard replies.count == commands.count else {
            throw SamplerError.replyCountMismatch(sent: commands.count, received: replies.count)
        }
        return replies
    }

    /// A connection that could not be (re)established: `RedisClient` connects lazily inside
    /// `pipeline`, so these surface from whichever round ran first and are re-attributed to `.connect`.
    static func isConnectFailure(_ error: any Error) -> Bool {
        guard let error = error as? RedisError else { return false }
        switch error {
        case .connect, .tls, .authentication, .backingOff: return true
        case .timedOut(let operation): return operation.hasPrefix("connect")
        default: return false
        }
    }

    private func failed(_ stage: PollStage, error: any Error, now: Double, timer: PhaseTimer) -> Snapshot {
        let stage = Sampler.isConnectFailure(error) ? .connect : stage
        // Debug only: the poller logs up/down transitions once, so an outage is not one line per poll.
        logger.debug("celery poll failed", metadata: ["stage": "\(stage.rawValue)", "error": "\(error)"])
        return Snapshot.failure(stage: stage, timestamp: now, pollDuration: timer.elapsed(), reason: "\(error)")
    }

    /// Logs `message` the first time `key` has a problem; later occurrences are only counted.
    func warnOnce(_ key: [UInt8], _ message: Logger.Message, reply: RESPValue? = nil) {
        guard !warned.contains(key) else { return }
        if warned.count >= Sampler.maxWarnedKeys {
            if warned.count == Sampler.maxWarnedKeys {
                warned.insert([])  // sentinel: log the suppression notice once
                logger.warning("further distinct Redis key problems are counted but not logged")
            }
            return
        }
        warned.insert(key)
        var metadata: Logger.Metadata = ["key": "\(Sampler.printable(key))"]
        if let text = reply?.errorMessage { metadata["reply"] = "\(RedisError.sanitizedServerText(text))" }
        logger.warning(message, metadata: metadata)
    }

    /// `key` with non-printable bytes as `\xNN` (kombu's separator is `\x06\x16`).
    static func printable(_ key: [UInt8]) -> String {
        var out = ""
        for b in key.prefix(200) {
            if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\\") {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = String(b, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// Seconds as whole milliseconds with one decimal, for logs.
    static func milliseconds(_ seconds: Double) -> Double { (seconds * 10_000).rounded() / 10 }

    /// A count reply: an integer (or digits); nil reply (missing key) reads 0; nil for anything else.
    /// Clamped to `0...maximumCount`.
    static func count(_ reply: RESPValue) -> Int64? {
        switch reply {
        case .null: return 0
        case .error: return nil
        default:
            guard let n = reply.integer else { return nil }
            return min(max(0, n), maximumCount)
        }
    }

    /// Largest count read from a reply (2^40): more list elements or set members than any Redis
    /// can hold (a list or sorted set ends at 2^32 − 1). Only a server that is not Redis answers
    /// more, and summing such answers (a queue's ten priority lists, the orphan count) overflowed
    /// and trapped the poll thread.
    static let maximumCount: Int64 = 1 << 40
}
