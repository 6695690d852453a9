import Logging
import Redis

extension QueueDiscovery {
    /// Upper bound on `SCAN` round trips per discovery (10⁸ keys at `COUNT 1000`), so a server that
    /// never returns cursor 0 cannot stall the poller forever.
    static let maxScanIterations = 100_000

    /// Discovery is due on the first poll, after `discoveryInterval` seconds, or when the clock went
    /// backwards past the last discovery.
    ///
    /// When the census walks the whole keyspace (``ResultCensus/carriesDiscovery``), only the first
    /// discovery is a standalone `SCAN`: later ones come from the binding tables the census saw in
    /// its last complete pass (one keyspace walk instead of two: a `SCAN` pass over 10⁶ keys costs
    /// Redis about 1.5 s of CPU whatever the `MATCH`, so a separate walk every discovery interval
    /// would cost more than the whole census). New queues therefore appear within one census
    /// interval. Should the census stall (e.g. `SCAN` refused), the standalone discovery resumes
    /// after the larger of 5 discovery intervals and 3 census intervals.
    ///
    /// On a small keyspace (at most ``CeleryConfiguration/separateDiscoveryKeyspaceLimit`` keys at the census's last `DBSIZE`) a
    /// separate walk is cheap (≈ 0.2 s of Redis CPU at 2·10⁵ keys), so discovery keeps its own
    /// interval there: a new queue appears within a minute, not a census interval.
    public func isDue(now: Double) -> Bool {
        guard configuration.discoverQueues else { return false }
        guard let last = lastDiscovery else { return true }
        if now < last { return true }
        if let census, census.carriesDiscovery,
            (census.lastKeyspaceSize ?? Int.max) > configuration.separateDiscoveryKeyspaceLimit
        {
            return now - last >= max(5 * configuration.discoveryInterval, 3 * configuration.censusInterval)
        }
        return now - last >= configuration.discoveryInterval
    }

    /// Reads the binding tables the census collected in the pass it just completed (if it carries
    /// discovery), as a discovery would. Throws only on transport failure.
    func discoverFromCensus(
        now: Double, errors: inout [PollStage: Int], using redis: any RedisCommandExecuting,
        warn: Warn
    ) throws {
        guard let census, census.carriesDiscovery, let found = census.takeCompletedBindingTables() else { return }
        try readBindingTables(found.tables, skipped: found.skipped, using: redis, now: now, errors: &errors, warn: warn)
    }

    /// The most binding tables one discovery reads. Each task queue normally has its own exchange
    /// table; twice the queue bound leaves room for tables whose queues are already known. Tables
    /// past this are counted as queues over limit.
    var maxBindingTables: Int { QueueDiscovery.bindingTableBound(maxKnownQueues: configuration.maxKnownQueues) }

    /// At least ``minBindingTables``, however small `--celery.max-queues` is: tables past the bound
    /// are skipped in `SCAN` order (arbitrary), so with a small queue cap a bound of twice the cap
    /// would leave a queue with a backlog unread, and unrankable, behind a few empty ones.
    static func bindingTableBound(maxKnownQueues: Int) -> Int { max(minBindingTables, 2 * maxKnownQueues) }

    /// Binding tables read per discovery whatever the queue cap (one small `SMEMBERS` each).
    static let minBindingTables = 4_096

    /// Finds queues from kombu's binding tables: full `SCAN 0 MATCH <prefix>_kombu.binding.* COUNT
    /// 1000`, then one pipelined `SMEMBERS` per table. Throws only on transport failure; error
    /// replies keep the known set, are counted under `.discovery`, and wait for the next interval.
    func discover(using redis: any RedisCommandExecuting, now: Double, errors: inout [PollStage: Int], warn: Warn)
        throws
    {
        let pattern = layout.bindingScanPattern
        var cursor: [UInt8] = Array("0".utf8)
        var tables: Set<[UInt8]> = []
        var iterations = 0
        let maxTables = maxBindingTables
        var tablesSkipped = 0
        repeat {
            iterations += 1
            let reply = try Sampler.run(
                [
                    [
                        Array("SCAN".utf8), cursor, Array("MATCH".utf8), pattern,
                        Array("COUNT".utf8), Array("1000".utf8),
                    ]
                ], on: redis)[0]
            guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].bytes,
                case .array(let keys) = parts[1]
            else {
                errors[.discovery, default: 0] += 1
                warn(Array("SCAN".utf8), "SCAN for kombu bindings failed; keeping the known queues", reply)
                lastDiscovery = now
                return
            }
            for key in keys {
                guard let key = key.bytes, let exchange = layout.exchange(fromBindingKey: key),
                    !KombuKeyLayout.isFanoutExchange(exchange)
                else { continue }
                if tables.count >= maxTables && !tables.contains(key) {
                    tablesSkipped += 1
                    continue
                }
                tables.insert(key)
            }
            cursor = next
        } while cursor != Array("0".utf8) && iterations < QueueDiscovery.maxScanIterations
        try readBindingTables(tables, skipped: tablesSkipped, using: redis, now: now, errors: &errors, warn: warn)
    }

    /// One pipelined `SMEMBERS` per binding table, then the known queues are updated.
    func readBindingTables(
        _ tables: Set<[UInt8]>, skipped tablesSkipped: Int, using redis: any RedisCommandExecuting, now: Double,
        errors: inout [PollStage: Int], warn: Warn
    ) throws {
        let ordered = tables.sorted { $0.lexicographicallyPrecedes($1) }
        let replies = try Sampler.run(ordered.map { [Array("SMEMBERS".utf8), $0] }, on: redis)
        var found: Set<String> = []
        var complete = tablesSkipped == 0
        for (key, reply) in zip(ordered, replies) {
            guard case .array(let members) = reply else {
                if case .null = reply { continue }  // table deleted between SCAN and SMEMBERS
                errors[.discovery, default: 0] += 1
                complete = false
                warn(key, "binding table could not be read (not a set, or past the reply limit); skipped", reply)
                continue
            }
            for member in members {
                guard let bytes = member.bytes, let binding = layout.decodeBindingMember(bytes) else {
                    warn(key, "malformed binding member skipped", nil)
                    continue
                }
                if !KombuKeyLayout.isFanoutQueue(binding.queue) { found.insert(binding.queue) }
            }
        }

        // Past the cap, rank by depth so a queue with a backlog is never hidden behind empty ones.
        let candidates = directory.rankingCandidates(found: found, excluding: configuredQueues)
        let probe = candidates.isEmpty ? (depths: [:], unprobed: 0) : try probeQueueDepths(candidates, using: redis)
        let outcome = directory.update(
            found: found, excluding: configuredQueues, skippedOverLimit: tablesSkipped, complete: complete,
            depths: probe.depths, at: now)
        logQueueTableChanges(outcome, unprobed: probe.unprobed, now: now)
        queuesOverLimit = outcome.ignoredOverLimit
        sortedQueues = configuredQueues.union(directory.names).sorted()
        lastDiscovery = now
    }

    /// Logs what a discovery dropped: queues over `--celery.max-queues` and over-long names as
    /// warnings (at most one line per ``LogRateLimiter`` interval, with the counts), deleted queues
    /// that were forgotten as one info line.
    func logQueueTableChanges(_ outcome: QueueDirectory.Outcome, unprobed: Int = 0, now: Double) {
        if !outcome.forgotten.isEmpty {
            let examples = outcome.forgotten.sorted().prefix(3).map { Sampler.printable(Array($0.utf8)) }
            logger.info(
                "queues deleted (no binding, no messages for several discoveries) are no longer reported",
                metadata: ["count": "\(outcome.forgotten.count)", "examples": "\(examples)"])
        }
        let dropped = outcome.ignoredOverLimit + outcome.evicted.count + outcome.ignoredNameTooLong
        guard dropped > 0, let suppressed = tableLog.admit(at: now) else { return }
        logger.warning(
            "queues not reported: more than --celery.max-queues (the deepest are kept), or names too long",
            metadata: [
                "limit": "\(configuration.maxKnownQueues)",
                "ignored_over_limit": "\(outcome.ignoredOverLimit)",
                "evicted": "\(outcome.evicted.count)",
                "ignored_name_too_long": "\(outcome.ignoredNameTooLong)",
                "max_name_bytes": "\(QueueDirectory.maxNameBytes)",
                "not_probed_for_depth": "\(unprobed)",
                "suppressed_lines": "\(suppressed)",
            ])
    }
}
