import Logging
import Redis
import Synchronization

/// The census of the result backend's `celery-task-meta-*` keys (issue 3 item 4: dead or
/// lost tasks), kept fresh cheaply and off the poll path.
///
/// **Why not a poll-driven `SCAN`**: counts no older than 60 s would need one full keyspace walk a
/// minute, and one walk over 10⁶ keys costs Redis about 1.5 s of CPU (2.5% of a core), while the
/// poll waits for it (≈ 930 ms). Instead:
///
/// - **Live writes** (``record(channel:payload:at:)``, fed by the Pub/Sub listener): every result
///   write arrives as a message carrying the new meta JSON on a channel named like the key. The
///   key is counted (new), moved (state change) and its predicted expiry set to
///   `now + result_expires` (the TTL restarts at each write).
/// - **Predicted expiry** (``tick(now:)``): each tracked key carries its expiry (from `PTTL` when a
///   pass first fetched it, or from its last live write); keys leave the counts when it passes,
///   without any Redis work.
/// - **Reconciliation passes** (``run(using:clock:wait:)`` on the census thread, its own
///   connection): a full `SCAN` that only reads (`PTTL` + `GETRANGE` of at most 4 KiB) keys it
///   does not know or whose state can change, paced evenly over ``CeleryConfiguration/censusTargetPassDuration``. It catches what
///   events cannot see: `forget()` (`DEL`), writes while the subscriber was down, keys from before
///   the exporter started, a wrong `--celery.result-expires`. One starts every
///   ``CeleryConfiguration/censusInterval`` seconds (45 s at most while the event stream is
///   down), and at once after the subscriber (re)connects.
///
/// Counts are published only once the first pass has completed (never a partial keyspace); from
/// then on they are the last complete pass plus everything learned since (events, expiries, and
/// keys the running pass has already reconciled).
///
/// Thread-safe: the census thread, the listener thread and the poller share it through one
/// `Mutex`; each critical section is O(1) per key, except a sweep or a pass end (one walk over the
/// table, a few ms at 10⁶ keys).
public final class ResultCensus: Sendable {
    /// How the Pub/Sub result stream stands, as the listener reports it.
    enum EventStream: Equatable {
        /// No listener is attached: passes are the only source.
        case none
        /// Attached but not subscribed (connecting, or lost).
        case down
        /// Subscribed since the given Unix time.
        case up(since: Double)
    }

    struct Shared {
        var table: CensusTable
        var eventStream = EventStream.none
        /// A pass must start as soon as possible (the subscriber (re)connected: writes were missed).
        var reconcileRequested = false
        var passActive = false
        /// The last pass ended early (transport failure): the next one keeps its parity, so the
        /// keys it already marked stay marked and every other key must still be seen. (Flipping
        /// again would give keys untouched since the pass before it the "seen" parity.)
        var passAbandoned = false
        /// When the marks the running pass relies on started (an abandoned pass's start).
        var marksSince: Double?
        var lastPassStart: Double?
        var passesCompleted = 0
        var lastComplete: (timestamp: Double, duration: Double, start: Double)?
        var completedBindingTables: (tables: Set<[UInt8]>, skipped: Int)?
        var commandErrors = 0
        /// `DBSIZE` at the start of the last pass: decides whether a separate discovery walk is cheap.
        var lastKeyspaceSize: Int?
        /// Keys and `SCAN` calls of the last complete pass: size the live-write capacity, and the
        /// pass's call bound when `DBSIZE` is unknown.
        var lastCompletePass = (keys: 0, calls: 0)
        var scanDidNotEndLog = LogRateLimiter(interval: 600)
        /// Keys the running (or last) pass walked, against `DBSIZE` at its start.
        var progress = CensusProgress()
        var lastTick: Double?
        /// Keys written live while a read round is in flight: the live write is newer than the
        /// fetched value, which must not overwrite it.
        var fetchInFlight = false
        var touchedDuringFetch: Set<UInt64> = []
        var liveWrites: UInt64 = 0
        /// Live writes of unknown keys not applied: the table held ``liveWriteCapacity(_:)`` keys.
        var liveWritesRefused: UInt64 = 0
        var liveWritesRefusedLog = LogRateLimiter(interval: 600)
        var predictedExpiries: UInt64 = 0
        var vanishedInPasses: UInt64 = 0
    }

    /// Values up to this many bytes are read whole; of a longer one only this many first bytes and
    /// ``tailBytes`` last ones are read (``TaskMeta/reading(head:)``). Celery writes `status` first,
    /// so this classifies every Celery meta, whatever the size of its result or traceback.
    static let headBytes = 4096
    /// The last bytes read of a value longer than ``headBytes``: it must end like a JSON object.
    static let tailBytes = 64
    /// The most value bytes one pipelined round may bring back: keys per round are chosen so
    /// that every one of them may be ``headBytes`` long (2 MiB, 511 keys), whatever Redis holds
    /// (a string may be 512 MB).
    static let fetchBudgetBytes = 2 << 20
    /// Keys per round of `PTTL` + `GETRANGE` (within ``fetchBudgetBytes``).
    static let fetchChunk = fetchBudgetBytes / (headBytes + 1)

    let configuration: CeleryConfiguration
    let pattern: [UInt8]
    /// Whether the census walks the whole keyspace (no `MATCH`) so that the same walk also finds
    /// kombu's binding tables for queue discovery. A `SCAN` pass costs Redis mostly per key
    /// *visited* (≈0.9 µs) rather than per key returned (≈0.6 µs, measured with 10⁶ keys), so one
    /// unfiltered walk per census interval is far cheaper than a separate discovery walk every
    /// discovery interval (which alone would cost ≈ 2% of a core at 10⁶ keys and a 1 m interval).
    let carriesDiscovery: Bool

    /// How far the running (or last) pass has walked; nil before the first pass starts.
    public var progress: CensusProgress? {
        shared.withLock { s in s.lastKeyspaceSize == nil ? nil : s.progress }
    }

    /// Keys in the database when the last pass started (nil before the first pass).
    var lastKeyspaceSize: Int? { shared.withLock { $0.lastKeyspaceSize } }
    private let metaPrefix: [UInt8]
    private let layout: KombuKeyLayout
    private let maxBindingTables: Int
    private let logger: Logger
    /// Fewest keys live writes may grow the table to (see ``liveWriteCapacity(_:)``).
    let liveWriteFloor: Int
    let shared: Mutex<Shared>

    /// Creates an empty census; `epoch` (Unix seconds) is the origin of the compact expiry field.
    init(
        configuration: CeleryConfiguration, layout: KombuKeyLayout, maxBindingTables: Int = 0,
        epoch: Double = 0, logger: Logger = Logger(label: "census"),
        liveWriteFloor: Int = ResultCensus.minimumLiveWriteCapacity
    ) {
        self.liveWriteFloor = liveWriteFloor
        self.configuration = configuration
        self.pattern = layout.resultMetaScanPattern
        self.layout = layout
        self.metaPrefix = layout.resultMetaKeyPrefix
        // A separate result backend holds no binding tables: the broker discovers on its own.
        self.carriesDiscovery = configuration.discoverQueues && !configuration.resultBackendSeparate
        self.maxBindingTables = maxBindingTables
        self.logger = logger
        self.shared = Mutex(Shared(table: CensusTable(epoch: epoch)))
    }

    // MARK: - Live writes (listener thread)

    /// The listener is attached: until it subscribes, passes run at the fallback interval.
    public func attachEventStream() {
        shared.withLock { if $0.eventStream == .none { $0.eventStream = .down } }
    }

    /// The subscription is confirmed at `now` (first time or after a reconnect). Writes published
    /// before it were missed, so a reconciliation pass is requested at once, unless no pass has
    /// started yet (the first one is about to see everything anyway).
    public func eventStreamUp(at now: Double) {
        shared.withLock { s in
            s.eventStream = .up(since: now)
            if s.lastPassStart != nil { s.reconcileRequested = true }
        }
    }

    /// The subscription was lost at `now`: writes are missed until it is back.
    public func eventStreamDown(at now: Double) {
        shared.withLock { s in
            if s.eventStream != .none { s.eventStream = .down }
        }
    }

    /// Applies one Pub/Sub message received at `now` (Unix seconds) if it is a result write
    /// (`<prefix>celery-task-meta-<id>`); other channels are ignored. The payload is the meta JSON
    /// exactly as `SETEX` stored it; anything undecodable counts as `unknown`, as a pass would.
    ///
    /// A write of a key the table does not hold is not applied once the table holds
    /// ``liveWriteCapacity(_:)`` keys (anyone allowed to `PUBLISH` can name a million new keys a
    /// minute): it is counted, logged at most every 10 minutes, and the next pass counts the key
    /// if it exists.
    public func record(channel: [UInt8], payload: [UInt8], at now: Double) {
        guard channel.count > metaPrefix.count, channel.starts(with: metaPrefix) else { return }
        let meta = TaskMeta(bytes: payload)
        let hash = FNV1a.hash(channel)  // the channel is named exactly like the key
        let refused = shared.withLock { s -> (capacity: Int, suppressed: Int)? in
            let capacity = liveWriteCapacity(s)
            if s.table.count >= capacity, s.table.state(of: hash) == nil {
                s.liveWritesRefused += 1
                return s.liveWritesRefusedLog.admit(at: now).map { (capacity, $0) }
            }
            // result_expires=None: Celery writes every key without a TTL; keep it that way.
            let expiresAt: Double? = s.table.hasNoExpiry(hash) ? nil : now + configuration.resultExpires
            s.table.upsert(hash, meta: meta, expiresAt: expiresAt, now: now, startEstimate: now)
            if s.fetchInFlight { s.touchedDuringFetch.insert(hash) }
            s.liveWrites += 1
            return nil
        }
        if let refused {
            logger.warning(
                "result census table full: live result writes of new keys are not applied until the next pass counts them (more new result keys since the last pass than twice the keyspace: forged PUBLISH messages on celery-task-meta-* channels, another app's results on the same server, or --celery.result-expires longer than the app's result_expires)",
                metadata: ["capacity": "\(refused.capacity)", "suppressed": "\(refused.suppressed)"])
        }
    }

    /// Fewest keys live writes may grow the table to, by default (15–20 MB of table).
    static let minimumLiveWriteCapacity = 1_000_000

    /// Keys live writes may grow the table to: twice the keyspace (`DBSIZE` at the last pass's
    /// start, or the keys the last complete pass walked when larger or `DBSIZE` was refused), at
    /// least ``liveWriteFloor``. A pass itself is never refused.
    func liveWriteCapacity(_ s: Shared) -> Int {
        max(liveWriteFloor, 2 * max(s.lastKeyspaceSize ?? 0, s.lastCompletePass.keys))
    }

    // MARK: - Time (census thread)

    /// Removes keys whose predicted expiry has passed, and notes that the counts are current as of
    /// `now` (see ``CensusSnapshot/updatedTimestamp``).
    public func tick(now: Double) {
        shared.withLock { s in
            s.predictedExpiries += UInt64(s.table.sweep(now: now))
            s.lastTick = now
        }
    }

    /// Seconds between pass starts right now: the configured interval while live writes arrive
    /// (or when no listener exists), at most the fallback while the stream is down.
    func currentInterval(_ s: Shared) -> Double {
        switch s.eventStream {
        case .down: return min(configuration.censusInterval, configuration.censusFallbackInterval)
        case .none, .up: return configuration.censusInterval
        }
    }

    /// Whether a pass is due at `now`.
    func passDue(now: Double) -> Bool {
        shared.withLock { s in
            guard let last = s.lastPassStart else { return true }
            return s.reconcileRequested || now < last || now - last >= currentInterval(s)
        }
    }

    // MARK: - Reading (poller thread)

    /// The census at `now`; nil until the first pass completes (never partial counts).
    public func snapshot(now: Double) -> CensusSnapshot? {
        shared.withLock { s -> CensusSnapshot? in
            guard let complete = s.lastComplete else { return nil }
            let table = s.table
            // Current as of the last tick only when every write since the last complete pass
            // began was received; otherwise as of that pass's end.
            var updated = complete.timestamp
            if case .up(let since) = s.eventStream, since <= complete.start, let tick = s.lastTick {
                updated = max(updated, tick)
            }
            var result = CensusSnapshot(
                metaKeys: table.countsByState, workerLostKeys: table.workerLost, passDuration: complete.duration,
                lastCompleteTimestamp: complete.timestamp, passesCompleted: s.passesCompleted,
                trackedKeys: table.count)
            result.updatedTimestamp = updated
            result.startedTracked = table.started.count
            result.startedOldestAge = table.started.values.map { max(0, now - $0.start) }.max() ?? 0
            result.liveWrites = s.liveWrites
            result.liveWritesRefused = s.liveWritesRefused
            result.startedRefused = table.startedRefused
            result.predictedExpiries = s.predictedExpiries
            result.vanishedInPasses = s.vanishedInPasses
            return result
        }
    }

    /// STARTED metas whose `result.hostname` is not in `liveWorkers` (metas without a hostname are
    /// not counted: nothing says which worker ran them).
    public func orphanedStarted(liveWorkers: Set<String>) -> Int {
        orphanedStartedKeys(liveWorkers: liveWorkers).count
    }

    /// The meta-key hashes (FNV-1a of the key name) of ``orphanedStarted(liveWorkers:)``'s metas.
    func orphanedStartedKeys(liveWorkers: Set<String>) -> Set<UInt64> {
        shared.withLock { s in
            Set(s.table.started.filter { _, info in info.hostname.map { !liveWorkers.contains($0) } ?? false }.keys)
        }
    }

    /// Error replies and failed round trips since the last call (the poll reports them under
    /// `command_errors{stage="census"}`).
    public func takeCommandErrors() -> Int {
        shared.withLock { s in
            defer { s.commandErrors = 0 }
            return s.commandErrors
        }
    }

    /// The binding tables seen in the last complete pass, once (nil when already taken or none
    /// completed since).
    func takeCompletedBindingTables() -> (tables: Set<[UInt8]>, skipped: Int)? {
        shared.withLock { s in
            defer { s.completedBindingTables = nil }
            return s.completedBindingTables
        }
    }

    /// Keys tracked in memory.
    public var trackedKeys: Int { shared.withLock { $0.table.count } }

    /// The STARTED index (tests).
    var started: [UInt64: CensusTable.StartedMeta] { shared.withLock { $0.table.started } }

    func noteCommandError(_ n: Int = 1) {
        shared.withLock { $0.commandErrors += n }
    }

    // MARK: - Reconciliation pass (census thread)

    /// Where a pass stands between `SCAN` calls.
    struct PassProgress {
        var cursor: [UInt8] = Array("0".utf8)
        var start: Double
        /// `SCAN` calls a pass over the whole keyspace needs (`DBSIZE / COUNT`): paces the pass.
        var expectedCalls: Int
        var calls = 0
        var keys = 0
        var fetched = 0
        /// Values too large to read whole (classified from their first and last bytes).
        var partial = 0
        var tables: Set<[UInt8]> = []
        var tablesSkipped = 0
        /// Calls after which the pass is abandoned (``maximumScanCalls(expected:)``).
        var maximumCalls = Int.max
    }

    /// How a call of ``runPass(using:clock:pace:)`` ended.
    enum PassOutcome: Equatable {
        case completed
        case stopped
    }

    /// Runs one whole reconciliation pass: `DBSIZE`, then `SCAN` calls spaced evenly so the pass
    /// takes about `min(censusTargetPassDuration, 0.8 × interval)`, and never more than half of the
    /// connection's time (after each round it waits at least as long as the round took).
    /// `pace(seconds)` waits and returns true when the census must stop. Throws on a transport
    /// failure; the pass is then abandoned (its cursor could be meaningless after a Redis restart)
    /// and the next one walks from cursor 0 again while keeping the abandoned pass's marks (same
    /// parity), so a key is dropped only if neither pass nor a live write saw it since the
    /// abandoned pass began. Its reported duration and start count from that earlier start.
    func runPass(
        using redis: any RedisCommandExecuting, clock: () -> Double, pace: (Double) -> Bool
    ) throws -> PassOutcome {
        let knownSize = try redis.pipeline([[Array("DBSIZE".utf8)]]).first.flatMap(Sampler.count).map { Int($0) }
        let dbsize = knownSize ?? 0
        let lastCalls = shared.withLock {
            $0.lastKeyspaceSize = dbsize
            $0.progress = CensusProgress(walked: 0, expected: dbsize, firstPassComplete: $0.passesCompleted > 0)
            return $0.lastCompletePass.calls
        }
        let start = clock()
        var progress = PassProgress(
            start: start, expectedCalls: max(1, dbsize / max(1, configuration.censusScanCount)))
        // Refused `DBSIZE` (read as 0): the bound comes from the last complete pass, and is at
        // least 110,000 calls (10^8 keys at COUNT 1000) before one has completed.
        let basis = knownSize == nil ? max(lastCalls, 10_000) : max(progress.expectedCalls, lastCalls)
        progress.maximumCalls = ResultCensus.maximumScanCalls(expected: basis)
        let passDuration = shared.withLock { s -> Double in
            if s.passAbandoned, let since = s.marksSince {
                progress.start = since
            } else {
                s.table.beginPass()
                s.marksSince = start
            }
            s.passAbandoned = true  // until it completes
            s.passActive = true
            s.reconcileRequested = false
            s.lastPassStart = start
            return min(configuration.censusTargetPassDuration, 0.8 * currentInterval(s))
        }
        defer { shared.withLock { $0.passActive = false } }
        let slot = passDuration / Double(progress.expectedCalls)
        while true {
            let roundStart = clock()
            if try scanStep(using: redis, progress: &progress, clock: clock) {
                complete(progress, now: clock())
                return .completed
            }
            let now = clock()
            // Past the expected call count (a sparse hash table returns fewer keys per call)
            // only the duty-cycle limit applies, so the pass does not overrun by whole slots.
            let onSchedule = start + Double(min(progress.calls, progress.expectedCalls)) * slot - now
            let delay = min(max(onSchedule, now - roundStart), max(slot, now - roundStart) + 1)
            if pace(max(0, delay)) { return .stopped }
        }
    }

    /// One `SCAN` call and the fetches it needs; true when the cursor came back to 0.
    private func scanStep(
        using redis: any RedisCommandExecuting, progress: inout PassProgress, clock: () -> Double
    ) throws -> Bool {
        var scan: RedisCommand = [Array("SCAN".utf8), progress.cursor]
        if !carriesDiscovery { scan += [Array("MATCH".utf8), pattern] }
        scan += [Array("COUNT".utf8), Array(String(configuration.censusScanCount).utf8)]
        let reply = try redis.pipeline([scan]).first ?? .null
        guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].bytes,
            case .array(let items) = parts[1]
        else {
            noteCommandError()
            throw ResultCensusError.malformedScanReply
        }
        progress.calls += 1
        progress.keys += items.count
        noteProgress(progress, now: clock())
        var candidates: [(key: [UInt8], hash: UInt64)] = []
        for item in items {
            guard case .bulk(let key) = item else { continue }
            if carriesDiscovery && !key.starts(with: metaPrefix) {
                noteBindingTable(key, &progress)
                continue
            }
            candidates.append((key, FNV1a.hash(key)))
        }
        let toFetch = shared.withLock { s in candidates.filter { s.table.sighted($0.hash) } }
        var start = 0
        while start < toFetch.count {
            let chunk = toFetch[start..<min(start + ResultCensus.fetchChunk, toFetch.count)]
            start += ResultCensus.fetchChunk
            progress.partial += try fetch(chunk, using: redis, now: clock())
            progress.fetched += chunk.count
        }
        progress.cursor = next
        if next == Array("0".utf8) { return true }
        // Counted (once) and logged by the census loop that catches it.
        if progress.calls >= progress.maximumCalls { throw ResultCensusError.scanDidNotEnd(calls: progress.calls) }
        return false
    }

    /// Calls after which a pass whose cursor has not come back to 0 is abandoned: ten times the
    /// `expected` calls (from `DBSIZE`, or the last complete pass), plus 10,000. A keyspace may
    /// grow while it is walked, and a sparse hash table (Redis may leave one 1/32 full while a
    /// fork child runs) answers `SCAN` with fewer keys per call: each call visits at most 10 ×
    /// `COUNT` empty buckets.
    static func maximumScanCalls(expected: Int) -> Int { 10 * expected + 10_000 }

    /// Reads and classifies `keys` (at most ``fetchChunk``), then applies each result unless a live
    /// write touched the key meanwhile (the live write is newer). Returns how many values longer
    /// than ``headBytes`` were read by head and tail.
    ///
    /// One pipelined round of `PTTL` + `GETRANGE key 0 headBytes` per key: the reply of each is at
    /// most ``headBytes`` + 1 bytes, so the round holds at most ``fetchBudgetBytes`` whatever the
    /// values' sizes, and the extra byte tells a value longer than ``headBytes`` (no `STRLEN`
    /// needed). Those longer ones whose head shows a status get a second round of
    /// `GETRANGE key -tailBytes -1`. `PTTL` goes first: a key deleted after it reads as an empty
    /// string (`unknown`, dropped by the next pass, which no longer sees it), while one created after
    /// it reads as gone (found by the next pass, or its live write), so neither race sticks.
    private func fetch(
        _ keys: ArraySlice<(key: [UInt8], hash: UInt64)>, using redis: any RedisCommandExecuting, now: Double
    ) throws -> Int {
        let head = ResultCensus.headBytes
        var commands: [RedisCommand] = []
        commands.reserveCapacity(2 * keys.count)
        for entry in keys {
            commands.append([Array("PTTL".utf8), entry.key])
            commands.append([Array("GETRANGE".utf8), entry.key, Array("0".utf8), Array(String(head).utf8)])
        }
        shared.withLock { s in
            s.fetchInFlight = true
            s.touchedDuringFetch.removeAll(keepingCapacity: true)
        }
        defer { shared.withLock { $0.fetchInFlight = false } }
        // Decode outside the lock (scanning is the expensive part), apply under it.
        enum Fetched {
            case gone
            case present(TaskMeta, expiresAt: Double?, startEstimate: Double?)
        }
        var errors = 0
        var results: [Fetched] = []
        results.reserveCapacity(keys.count)
        var needTail: [Int] = []  // indexes into results
        do {
            let replies = try roundTrip(commands, using: redis)
            for i in 0..<keys.count {
                let pttl = replies[2 * i].integer
                if pttl == -2 {  // expired or forgotten between SCAN and PTTL: it no longer exists
                    results.append(.gone)
                    continue
                }
                if pttl == nil { errors += 1 }
                let meta: TaskMeta
                switch replies[2 * i + 1] {
                case .bulk(let bytes) where bytes.count <= head:
                    meta = TaskMeta(bytes: bytes)
                case .bulk(let bytes):
                    let reading = TaskMeta.reading(head: bytes)
                    meta = reading.meta
                    if reading.needsTail { needTail.append(i) }
                case .error:
                    errors += 1
                    meta = TaskMeta(state: .unknown)  // e.g. WRONGTYPE: not a Celery meta
                default:
                    meta = TaskMeta(state: .unknown)
                }
                // -1: no TTL (result_expires=None): never predicted to expire.
                let ttl = pttl.flatMap { $0 >= 0 ? Double($0) / 1000 : nil }
                results.append(
                    .present(
                        meta, expiresAt: ttl.map { now + $0 },
                        startEstimate: ttl.map { now - max(0, configuration.resultExpires - $0) }))
            }
            if !needTail.isEmpty {
                let tail = Array(String(-ResultCensus.tailBytes).utf8)
                let tails = try roundTrip(
                    needTail.map { [Array("GETRANGE".utf8), keys[keys.startIndex + $0].key, tail, Array("-1".utf8)] },
                    using: redis)
                for (i, reply) in zip(needTail, tails) {
                    guard case .present(let meta, let expiresAt, let startEstimate) = results[i] else { continue }
                    let confirmed: TaskMeta
                    if case .bulk(let bytes) = reply {
                        confirmed = meta.confirmed(byTail: bytes)
                    } else {
                        // An error (the key changed type) or no reply: nothing to trust.
                        if case .error = reply { errors += 1 }
                        confirmed = TaskMeta(state: .unknown)
                    }
                    results[i] = .present(confirmed, expiresAt: expiresAt, startEstimate: startEstimate)
                }
            }
        }
        shared.withLock { s in
            for (entry, result) in zip(keys, results) where !s.touchedDuringFetch.contains(entry.hash) {
                switch result {
                case .gone:
                    s.table.remove(entry.hash)
                case .present(let meta, let expiresAt, let startEstimate):
                    s.table.upsert(
                        entry.hash, meta: meta, expiresAt: expiresAt, now: now, startEstimate: startEstimate)
                }
            }
            s.commandErrors += errors
        }
        return needTail.count
    }

    /// One pipelined round whose reply count must match.
    private func roundTrip(_ commands: [RedisCommand], using redis: any RedisCommandExecuting) throws -> [RESPValue] {
        let replies = try redis.pipeline(commands)
        guard replies.count == commands.count else {
            throw SamplerError.replyCountMismatch(sent: commands.count, received: replies.count)
        }
        return replies
    }

    /// Remembers `key` when it is a non-fanout binding table (bounded like a discovery).
    private func noteBindingTable(_ key: [UInt8], _ progress: inout PassProgress) {
        guard let exchange = layout.exchange(fromBindingKey: key), !KombuKeyLayout.isFanoutExchange(exchange) else {
            return
        }
        if progress.tables.count >= maxBindingTables && !progress.tables.contains(key) {
            progress.tablesSkipped += 1
            return
        }
        progress.tables.insert(key)
    }

    /// Publishes how far the pass has walked; during the first pass (the counts are not out yet),
    /// also logs every 10 % of the expected keys.
    private func noteProgress(_ progress: PassProgress, now: Double) {
        let walked = carriesDiscovery ? progress.keys : progress.calls * configuration.censusScanCount
        let (expected, tenth, first) = shared.withLock { s -> (Int, Int, Bool) in
            let before = s.progress.expected > 0 ? 10 * s.progress.walked / s.progress.expected : 0
            s.progress.walked = carriesDiscovery ? walked : min(walked, s.progress.expected)
            let after = s.progress.expected > 0 ? 10 * s.progress.walked / s.progress.expected : 0
            return (s.progress.expected, after > before ? min(after, 10) : 0, !s.progress.firstPassComplete)
        }
        guard first, tenth > 0 else { return }
        logger.info(
            "census first pass: result counts appear when it completes",
            metadata: [
                "percent": "\(tenth * 10)", "keys_walked": "\(walked)", "keys_expected": "\(expected)",
                "seconds": "\(Sampler.milliseconds(now - progress.start) / 1000)",
            ])
    }

    private func complete(_ progress: PassProgress, now: Double) {
        let vanished = shared.withLock { s -> Int in
            let vanished = s.table.removeUnseen()
            s.passAbandoned = false
            s.vanishedInPasses += UInt64(vanished)
            s.passesCompleted += 1
            s.progress.firstPassComplete = true
            s.lastComplete = (now, max(0, now - progress.start), progress.start)
            s.lastCompletePass = (progress.keys, progress.calls)
            if carriesDiscovery { s.completedBindingTables = (progress.tables, progress.tablesSkipped) }
            return vanished
        }
        if shared.withLock({ $0.passesCompleted }) == 1 {
            logger.info(
                "census first pass complete: result counts are published",
                metadata: [
                    "keys": "\(progress.keys)", "seconds": "\(Sampler.milliseconds(now - progress.start) / 1000)",
                ])
        }
        logger.debug(
            "census pass complete",
            metadata: [
                "scan_calls": "\(progress.calls)", "keys": "\(progress.keys)", "fetched": "\(progress.fetched)",
                "read_partially": "\(progress.partial)",
                "vanished": "\(vanished)", "seconds": "\(Sampler.milliseconds(now - progress.start) / 1000)",
            ])
    }

    // MARK: - The loop (census thread)

    /// The census thread's loop: a pass whenever one is due, ticks (expiry sweeps) at least every
    /// second in between and while pacing a pass. `wait(seconds)` sleeps and returns true when the
    /// census must stop (checked at least every second, so a stop takes effect promptly, or after
    /// the Redis read timeout when a reply is awaited). Transport failures are counted and retried
    /// after a second (the client applies its reconnect backoff).
    public func run(using redis: any RedisCommandExecuting, clock: () -> Double, wait: (Double) -> Bool) {
        func waitTicking(_ seconds: Double) -> Bool {
            var left = seconds
            repeat {
                let slice = min(1, max(0, left))
                if wait(slice) { return true }
                left -= slice
                tick(now: clock())
            } while left > 0
            return false
        }
        // With a listener attached, give it a moment to subscribe before the first pass: a pass
        // that begins before the subscription must be followed by another one at once (writes
        // in between may be missed), which would double the start-up cost for nothing.
        let startedAt = clock()
        while shared.withLock({ $0.eventStream == .down }) && clock() - startedAt < 3 {
            if wait(0.05) { return }
        }
        while true {
            let now = clock()
            tick(now: now)
            if passDue(now: now) {
                do {
                    if try runPass(using: redis, clock: clock, pace: waitTicking) == .stopped { return }
                    continue
                } catch {
                    noteCommandError()
                    if case ResultCensusError.scanDidNotEnd = error,
                        let suppressed = shared.withLock({ $0.scanDidNotEndLog.admit(at: clock()) })
                    {
                        logger.warning(
                            "census pass abandoned: the SCAN cursor did not return to 0 (a server that is not Redis?); result counts stay as of the last complete pass",
                            metadata: ["error": "\(error)", "suppressed": "\(suppressed)"])
                    }
                    logger.debug("census pass failed; a new one starts shortly", metadata: ["error": "\(error)"])
                    if waitTicking(1) { return }
                    continue
                }
            }
            if waitTicking(1) { return }
        }
    }
}
