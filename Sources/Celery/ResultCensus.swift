import Redis

/// An incremental census of the result backend's `celery-task-meta-*` keys (issue 3 item 4,
/// model doc §4 and §8 "Dead or lost tasks").
///
/// Each poll it continues one `SCAN <cursor> MATCH <prefix>celery-task-meta-* COUNT n` iteration
/// (without `MATCH` when it also carries queue discovery, see ``carriesDiscovery``)
/// for a budgeted number of calls, `GET`s only keys it has not classified yet plus non-terminal
/// ones (STARTED, RETRY, custom states: they change), and `PTTL`s STARTED keys for their start
/// estimate. A SUCCESS/FAILURE/REVOKED meta never changes (§4), so the steady-state cost is the
/// `SCAN` itself plus one `GET` per new key.
///
/// **Counts come only from complete passes**: each key seen in a pass is counted once (a parity
/// bit per key absorbs `SCAN`'s duplicates); when the cursor returns to 0 the counts are published
/// and keys not seen in that pass (TTL expiry, `forget()`) are dropped from memory.
///
/// **Memory**: one `Dictionary<UInt64, UInt8>` entry per key (64-bit FNV-1a of the key name →
/// state code, worker-lost flag and parity bit): about 18 bytes per key at Swift's 75% maximum
/// load, far below the 48-byte budget. Only STARTED keys keep more (first seen, start estimate,
/// hostname), in a separate small index.
final class ResultCensus {
    /// What the census keeps about a STARTED meta.
    struct StartedMeta: Equatable {
        var firstSeen: Double
        /// `now − (result_expires − PTTL/1000)` at the last `PTTL`; nil without a TTL.
        var startEstimate: Double?
        var hostname: String?
        /// The earliest start this meta is known to have had.
        var start: Double { min(firstSeen, startEstimate ?? firstSeen) }
    }

    /// Tags of the per-key byte: low nibble = state code, bit 6 = worker lost, bit 7 = pass parity.
    private static let workerLostBit: UInt8 = 0x40
    private static let parityBit: UInt8 = 0x80
    private static let stateMask: UInt8 = 0x0F
    /// `GET`/`PTTL` commands per pipelined round.
    static let fetchChunk = 1_000

    let configuration: CeleryConfiguration
    let pattern: [UInt8]
    /// Whether the census walks the whole keyspace (no `MATCH`) so that the same walk also finds
    /// kombu's binding tables for queue discovery. A `SCAN` pass costs Redis mostly per key
    /// *visited* (≈0.9 µs) rather than per key returned (≈0.6 µs, measured with 10⁶ keys), so one
    /// unfiltered walk is cheaper than a filtered census walk plus a separate discovery walk.
    let carriesDiscovery: Bool
    private let metaPrefix: [UInt8]
    private let layout: KombuKeyLayout
    private let maxBindingTables: Int
    private var passBindingTables: Set<[UInt8]> = []
    private var passBindingTablesSkipped = 0
    private var completedBindingTables: (tables: Set<[UInt8]>, skipped: Int)?

    private(set) var table: [UInt64: UInt8] = [:]
    private(set) var started: [UInt64: StartedMeta] = [:]
    private var cursor: [UInt8] = Array("0".utf8)
    private var passActive = false
    private var passStart = 0.0
    private var parity: UInt8 = 0
    private var passCounts = [Int](repeating: 0, count: TaskMetaState.allCases.count)
    private var passWorkerLost = 0
    private var lastNow: Double?
    private(set) var published: CensusSnapshot?
    private(set) var passesCompleted = 0
    /// `SCAN` calls made in the current pass (diagnostics and tests).
    private(set) var scanCallsThisPass = 0
    /// Work done by the latest ``step(now:dbsize:errors:run:)``, for the debug log.
    private(set) var lastStep = (scanCalls: 0, keys: 0, gets: 0)

    init(configuration: CeleryConfiguration, layout: KombuKeyLayout, maxBindingTables: Int = 0) {
        self.configuration = configuration
        self.pattern = layout.resultMetaScanPattern
        self.layout = layout
        self.metaPrefix = layout.resultMetaKeyPrefix
        self.carriesDiscovery = configuration.discoverQueues
        self.maxBindingTables = maxBindingTables
    }

    /// The binding tables seen in the last complete pass, once (nil when already taken or none
    /// completed since).
    func takeCompletedBindingTables() -> (tables: Set<[UInt8]>, skipped: Int)? {
        defer { completedBindingTables = nil }
        return completedBindingTables
    }

    /// `SCAN` calls this poll: enough to cover `dbsize` keys within the target pass duration at
    /// the observed poll interval, within the configured bounds.
    func scanBudget(dbsize: Int64?, now: Double) -> Int {
        let interval = lastNow.map { now - $0 }.flatMap { $0 > 0 ? $0 : nil } ?? 15
        let perPass = Double(max(1, dbsize ?? 0)) / Double(max(1, configuration.censusScanCount))
        let target = max(1, configuration.censusTargetPassDuration)
        let wanted = Int((perPass * min(interval, target) / target).rounded(.up)) + 1
        return min(max(wanted, configuration.censusMinScanCallsPerPoll), configuration.censusMaxScanCallsPerPoll)
    }

    /// Advances the census by one poll's budget. Throws only on transport failure (the caller
    /// counts it); the cursor is kept, so the pass resumes on the next poll.
    /// `run` sends one pipeline and checks the reply count (``Sampler/run(_:on:)``).
    func step(
        now: Double, dbsize: Int64?, errors: inout [PollStage: Int],
        run: ([RedisCommand]) throws -> [RESPValue]
    ) throws {
        let budget = scanBudget(dbsize: dbsize, now: now)
        lastNow = now
        if !passActive { beginPass(now: now) }
        var fetched = 0
        lastStep = (0, 0, 0)
        defer { lastStep.gets = fetched }
        for _ in 0..<budget {
            var scan: RedisCommand = [Array("SCAN".utf8), cursor]
            if !carriesDiscovery { scan += [Array("MATCH".utf8), pattern] }
            scan += [Array("COUNT".utf8), Array(String(configuration.censusScanCount).utf8)]
            let reply = try run([scan])[0]
            guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].bytes,
                case .array(let items) = parts[1]
            else {
                errors[.census, default: 0] += 1
                return
            }
            scanCallsThisPass += 1
            lastStep.scanCalls += 1
            lastStep.keys += items.count
            var toFetch: [(key: [UInt8], hash: UInt64)] = []
            for item in items {
                guard case .bulk(let key) = item else { continue }
                if carriesDiscovery && !key.starts(with: metaPrefix) {
                    noteBindingTable(key)
                    continue
                }
                let h = FNV1a.hash(key)
                if let v = table[h] {
                    if v & ResultCensus.parityBit == parity { continue }  // SCAN duplicate
                    let state = TaskMetaState(code: v & ResultCensus.stateMask)
                    if state.isTerminal {
                        table[h] = (v & ~ResultCensus.parityBit) | parity
                        count(state, workerLost: v & ResultCensus.workerLostBit != 0)
                        continue
                    }
                }
                toFetch.append((key, h))
            }
            if !toFetch.isEmpty {
                try fetch(toFetch, now: now, errors: &errors, run: run)
                fetched += toFetch.count
            }
            cursor = next
            if cursor == Array("0".utf8) {
                completePass(now: now)
                return
            }
            if fetched >= configuration.censusMaxGetsPerPoll { return }
        }
    }

    /// `GET`s the keys (pipelined in chunks), then `PTTL`s those found STARTED.
    private func fetch(
        _ keys: [(key: [UInt8], hash: UInt64)], now: Double, errors: inout [PollStage: Int],
        run: ([RedisCommand]) throws -> [RESPValue]
    ) throws {
        var startedKeys: [(key: [UInt8], hash: UInt64)] = []
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + ResultCensus.fetchChunk, keys.count)]
            start += ResultCensus.fetchChunk
            let replies = try run(chunk.map { [Array("GET".utf8), $0.key] })
            for (entry, reply) in zip(chunk, replies) {
                let meta: TaskMeta
                switch reply {
                case .bulk(let value): meta = TaskMeta(bytes: value)
                case .null:
                    // Expired or forgotten between SCAN and GET: it no longer exists.
                    table[entry.hash] = nil
                    started[entry.hash] = nil
                    continue
                case .error:
                    errors[.census, default: 0] += 1
                    meta = TaskMeta(state: .unknown)  // e.g. WRONGTYPE: not a Celery meta
                default:
                    meta = TaskMeta(state: .unknown)
                }
                if let v = table[entry.hash], v & ResultCensus.parityBit == parity { continue }
                var v = meta.state.code | parity
                if meta.workerLost { v |= ResultCensus.workerLostBit }
                table[entry.hash] = v
                count(meta.state, workerLost: meta.workerLost)
                if meta.state == .started {
                    var info = started[entry.hash] ?? StartedMeta(firstSeen: now)
                    info.hostname = meta.hostname
                    started[entry.hash] = info
                    startedKeys.append(entry)
                } else {
                    started[entry.hash] = nil
                }
            }
        }
        start = 0
        while start < startedKeys.count {
            let chunk = startedKeys[start..<min(start + ResultCensus.fetchChunk, startedKeys.count)]
            start += ResultCensus.fetchChunk
            let replies = try run(chunk.map { [Array("PTTL".utf8), $0.key] })
            for (entry, reply) in zip(chunk, replies) {
                guard let pttl = reply.integer else {
                    errors[.census, default: 0] += 1
                    continue
                }
                // -1: no TTL (result_expires=None), -2: gone since the GET; first-seen only.
                guard pttl >= 0 else { continue }
                let estimate = now - max(0, configuration.resultExpires - Double(pttl) / 1000)
                started[entry.hash]?.startEstimate = min(estimate, now)
            }
        }
    }

    /// Remembers `key` when it is a non-fanout binding table (bounded like a discovery).
    private func noteBindingTable(_ key: [UInt8]) {
        guard let exchange = layout.exchange(fromBindingKey: key), !KombuKeyLayout.isFanoutExchange(exchange) else {
            return
        }
        if passBindingTables.count >= maxBindingTables && !passBindingTables.contains(key) {
            passBindingTablesSkipped += 1
            return
        }
        passBindingTables.insert(key)
    }

    private func count(_ state: TaskMetaState, workerLost: Bool) {
        passCounts[Int(state.code)] += 1
        if workerLost { passWorkerLost += 1 }
    }

    private func beginPass(now: Double) {
        passActive = true
        passStart = now
        parity ^= ResultCensus.parityBit
        cursor = Array("0".utf8)
        scanCallsThisPass = 0
        for i in passCounts.indices { passCounts[i] = 0 }
        passWorkerLost = 0
        passBindingTables = []
        passBindingTablesSkipped = 0
    }

    private func completePass(now: Double) {
        passActive = false
        passesCompleted += 1
        if carriesDiscovery { completedBindingTables = (passBindingTables, passBindingTablesSkipped) }
        // Keys not seen in this pass are gone (expired, forgotten): drop them. Collect first, so
        // the million-entry table is never copied.
        var vanished: [UInt64] = []
        for (h, v) in table where v & ResultCensus.parityBit != parity { vanished.append(h) }
        for h in vanished {
            table[h] = nil
            started[h] = nil
        }
        var counts: [TaskMetaState: Int] = [:]
        for state in TaskMetaState.allCases { counts[state] = passCounts[Int(state.code)] }
        published = CensusSnapshot(
            metaKeys: counts, workerLostKeys: passWorkerLost, passDuration: max(0, now - passStart),
            lastCompleteTimestamp: now, passesCompleted: passesCompleted, trackedKeys: table.count)
    }

    /// The census as of its last complete pass, with the STARTED index evaluated at `now`; nil
    /// until the first pass completes.
    func snapshot(now: Double) -> CensusSnapshot? {
        guard var result = published else { return nil }
        result.startedTracked = started.count
        result.startedOldestAge = started.values.map { max(0, now - $0.start) }.max() ?? 0
        result.trackedKeys = table.count
        return result
    }

    /// STARTED metas whose `result.hostname` is not in `liveWorkers` (metas without a hostname are
    /// not counted: nothing says which worker ran them).
    func orphanedStarted(liveWorkers: Set<String>) -> Int {
        started.values.filter { info in info.hostname.map { !liveWorkers.contains($0) } ?? false }.count
    }
}
