import Alerting
import Celery
import Exposition
import JSON
import Logging
import Notify
import Sockets
import Synchronization
import TLS

#if canImport(Glibc)
    import Glibc
#endif

/// The silences behind `/api/v2/silences` (Alertmanager's silence store, without clustering):
/// bounded, persisted to `--silences.file`, handed to the notifier after every change.
///
/// - Bounds: at most ``SilenceLimits/maxSilences`` active and pending silences (a new one past
///   it is refused, counted); a silence's size is capped; expired silences are kept for
///   ``SilenceLimits/retention`` and at most `maxSilences` of them (the oldest go first),
///   counted when dropped.
/// - Persistence: the file holds the API's own `gettableSilence` list, written atomically
///   (temporary file, `fsync`, `rename`) by the store's thread within ~200 ms of a change (never
///   on the HTTP loop thread) and at shutdown. The same thread hands changes to the notifier. At
///   start a missing or empty file is an empty store; one that cannot be read, or is not a
///   silences file (not JSON, not a list, a list of things that are not silences), stops start-up
///   (exit 2) and stays untouched: starting without its silences would page for everything they
///   mute, and the first change would overwrite it (a mistyped path may name another file).
///   Single silences that do not pass today's limits are skipped and logged.
public final class SilenceStore: Sendable {
    private struct State {
        var silences: [String: Silence] = [:] { didSet { generation &+= 1 } }
        /// Counts changes of `silences` (see ``SilenceStore/generation``).
        var generation: UInt64 = 0
        /// Changed since the last write of the file.
        var dirty = false
        /// Changed since the notifier was last told.
        var changed = false
        var stopping = false
        var rejected: [String: Double] = ["invalid": 0, "limit": 0, "size": 0]
        var expunged: [String: Double] = ["retention": 0, "cap": 0]
        var onChange: (@Sendable ([Silence], Double) -> Void)?
        /// Refusal log lines: one per 10 s, with the count held back.
        var lastRefusalLog = -Double.infinity
        var refusalsHeldBack = 0
        /// Write failures are retried every round but logged once a minute.
        var lastWriteErrorLog = -Double.infinity
    }

    /// The file silences persist in, nil for memory only.
    public let file: String?
    /// The bounds.
    public let limits: SilenceLimits
    private let logger: Logger
    private let clock: @Sendable () -> Double
    private let state = Mutex(State())
    private let writer = Mutex<NativeThread?>(nil)

    /// A store holding the silences of `file` (when given). Throws
    /// ``ConfigurationError/silencesFile(path:reason:)`` when the file exists but cannot be read
    /// or is not a silences file; nothing is written then.
    public init(
        file: String?, limits: SilenceLimits = SilenceLimits(), logger: Logger,
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) throws(ConfigurationError) {
        self.file = file
        self.limits = limits
        self.logger = logger
        self.clock = clock
        if let file { try load(file) }
    }

    /// Calls `body` with the silences after every change, and once now.
    public func onChange(_ body: @escaping @Sendable ([Silence], Double) -> Void) {
        let now = clock()
        let list = state.withLock { s in
            s.onChange = body
            return Array(s.silences.values)
        }
        body(list, now)
    }

    /// Every silence (expired ones within retention), newest first (Alertmanager's order is
    /// unspecified; amtool sorts itself).
    public func list(now: Double) -> [Silence] {
        state.withLock { s in
            gc(&s, now: now)
            return s.silences.values.sorted { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
        }
    }

    /// Changes with every change of the silences (shared rendered bodies are kept per value).
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// The silence `id`, nil when unknown (or dropped).
    public func get(_ id: String) -> Silence? { state.withLock { $0.silences[id] } }

    /// Adds `draft`, or updates the silence named by its `id` as Alertmanager's `Silences.Set`
    /// does: in place (same id) when only what may change changed (same matchers; for an
    /// active silence the same start and an end not in the past, for a pending one a start not
    /// in the past), otherwise the old silence is expired (unless it already is) and the draft
    /// becomes a new silence with a new id. Returns the id. Refusals are counted by reason.
    public func add(_ draft: Silence, now: Double) throws(SilenceStoreError) -> String {
        var silence = draft
        // Alertmanager's API validation, on the times as sent.
        guard silence.endsAt > now else { throw refuse(.endInPast) }
        guard silence.endsAt > silence.startsAt else {
            throw refuse(.startNotBeforeEnd)
        }
        silence.updatedAt = now
        let result: Result<String, SilenceStoreError> = state.withLock { s in
            gc(&s, now: now)
            if !silence.id.isEmpty {
                guard var old = s.silences[silence.id] else {
                    return .failure(.notFound(id: silence.id))
                }
                if Self.canUpdate(old, to: silence, now: now) {
                    if old.state(at: now) == .active { silence.startsAt = old.startsAt }
                    s.silences[silence.id] = silence
                    s.dirty = true
                    s.changed = true
                    return .success(silence.id)
                }
                // Replaced: the old one ends now (a pending one ends before it started).
                switch old.state(at: now) {
                case .expired: break
                case .pending:
                    old.startsAt = now
                    fallthrough
                case .active:
                    old.endsAt = now
                    old.updatedAt = now
                    s.silences[old.id] = old
                    s.dirty = true
                    s.changed = true
                }
            }
            let live = s.silences.values.filter { $0.state(at: now) != .expired }.count
            guard live < limits.maxSilences else {
                s.rejected["limit", default: 0] += 1
                return .failure(.tooManySilences(limit: limits.maxSilences))
            }
            if silence.startsAt < now { silence.startsAt = now }
            silence.id = Self.uuid()
            s.silences[silence.id] = silence
            s.dirty = true
            s.changed = true
            return .success(silence.id)
        }
        switch result {
        case .failure(let f):
            if f.status == 400 { logRefusal(f.description, now: now) }
            throw f
        case .success(let id):
            logger.info("silence set", metadata: ["id": "\(id)", "matchers": "\(silence.matchers.count)"])
            return id
        }
    }

    /// Alertmanager's `canUpdate`: whether `new` may replace `old` in place (the start of an
    /// active silence compared to the millisecond, the precision amtool sends it back with).
    static func canUpdate(_ old: Silence, to new: Silence, now: Double) -> Bool {
        guard old.matchers == new.matchers else { return false }
        switch old.state(at: now) {
        // The API writes times to the microsecond and amtool echoes them to the millisecond.
        case .active: return abs(new.startsAt - old.startsAt) < 0.001 && new.endsAt > now
        case .pending: return new.startsAt >= now
        case .expired: return false
        }
    }

    /// Expires silence `id` now (a pending one ends before it started, as in Alertmanager).
    public func expire(_ id: String, now: Double) throws(SilenceStoreError) {
        let result: Result<Void, SilenceStoreError> = state.withLock { s in
            guard var silence = s.silences[id] else {
                return .failure(.notFound(id: id))
            }
            switch silence.state(at: now) {
            case .expired: return .failure(.alreadyExpired(id: id))
            case .pending: silence.startsAt = now
            case .active: break
            }
            silence.endsAt = now
            silence.updatedAt = now
            s.silences[id] = silence
            s.dirty = true
            s.changed = true
            return .success(())
        }
        switch result {
        case .failure(let f): throw f
        case .success: logger.info("silence expired", metadata: ["id": "\(id)"])
        }
    }

    /// Counts (and logs, rate-limited) a request refused before it reached the store (bad
    /// JSON, bad matcher, too large).
    func countRejected(_ reason: String, _ text: String) {
        state.withLock { $0.rejected[reason, default: 0] += 1 }
        logRefusal(text, now: clock())
    }

    /// Counts a refused silence as `invalid` and logs it (rate-limited).
    private func refuse(_ error: SilenceStoreError) -> SilenceStoreError {
        state.withLock { $0.rejected["invalid", default: 0] += 1 }
        logRefusal(error.description, now: clock())
        return error
    }

    /// At most one line per 10 s: a client posting garbage in a loop must not flood the log.
    private func logRefusal(_ text: String, now: Double) {
        let heldBack = state.withLock { s -> Int? in
            guard now - s.lastRefusalLog >= 10 else {
                s.refusalsHeldBack += 1
                return nil
            }
            s.lastRefusalLog = now
            defer { s.refusalsHeldBack = 0 }
            return s.refusalsHeldBack
        }
        guard let heldBack else { return }
        logger.warning("silence refused", metadata: ["reason": "\(text)", "refusals_not_logged": "\(heldBack)"])
    }

    /// Drops expired silences past retention, then the oldest expired past the cap.
    private func gc(_ s: inout State, now: Double) {
        let expired = s.silences.values.filter { $0.state(at: now) == .expired }
        guard !expired.isEmpty else { return }
        var dropped = 0
        for e in expired where e.endsAt + limits.retention <= now {
            s.silences[e.id] = nil
            s.expunged["retention", default: 0] += 1
            dropped += 1
        }
        let kept = expired.filter { s.silences[$0.id] != nil }
        if kept.count > limits.maxSilences {
            for e in kept.sorted(by: { $0.endsAt < $1.endsAt }).prefix(kept.count - limits.maxSilences) {
                s.silences[e.id] = nil
                s.expunged["cap", default: 0] += 1
                dropped += 1
            }
        }
        if dropped > 0 { s.dirty = true }
    }

    /// A random RFC 4122 version 4 UUID, as Alertmanager's silence ids.
    static func uuid() -> String {
        var b = secureRandomBytes(16)
        b[6] = (b[6] & 0x0f) | 0x40
        b[8] = (b[8] & 0x3f) | 0x80
        let hex = b.map {
            let s = String($0, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(
            separator: "-")
    }

    // MARK: persistence

    private func load(_ path: String) throws(ConfigurationError) {
        if access(path, F_OK) != 0 && errno == ENOENT { return }
        let now = clock()
        func refuse(_ reason: String) -> ConfigurationError { .silencesFile(path: path, reason: reason) }
        switch RegularFile.read(path, maximumBytes: limits.maxFileBytes) {
        case .failure(let error):
            throw refuse("cannot read the silences file (\(error.reason))")
        case .success(let bytes):
            // An empty file (created ahead, e.g. by `touch`) holds no silences.
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return }
            let list: [JSONValue]
            do {
                guard let parsed = try JSONValue.parse(bytes, maxDepth: SilenceLimits.maxJSONDepth).arrayValue else {
                    throw SilenceDecodingError.notAList
                }
                list = parsed
            } catch {
                // The parser's position, never the contents (the file may not be ours).
                throw refuse("not a silences file (\(error))")
            }
            // A JSON list of something else (another program's file) is not a silences file either.
            let looksLikeSilences = list.contains { $0["id"]?.stringValue != nil && $0["matchers"] != nil }
            guard list.isEmpty || looksLikeSilences else {
                throw refuse("not a silences file (a JSON list without a single silence)")
            }
            var skipped = 0
            state.withLock { s in
                for item in list {
                    guard var silence = try? SilenceDecoding.silence(item, limits: limits, now: now),
                        !silence.id.isEmpty, silence.endsAt >= silence.startsAt
                    else {
                        skipped += 1
                        continue
                    }
                    if let u = item["updatedAt"]?.stringValue.flatMap(ISO8601Timestamp.parse) { silence.updatedAt = u }
                    s.silences[silence.id] = silence
                }
                // The same caps as for new silences: the oldest live ones past the cap go.
                let live = s.silences.values.filter { $0.state(at: now) != .expired }.sorted {
                    $0.updatedAt > $1.updatedAt
                }
                for extra in live.dropFirst(limits.maxSilences) {
                    s.silences[extra.id] = nil
                    s.expunged["cap", default: 0] += 1
                    skipped += 1
                }
                gc(&s, now: now)
            }
            if skipped > 0 {
                logger.error(
                    "skipped invalid or excess silences in the silences file",
                    metadata: ["path": "\(path)", "skipped": "\(skipped)"])
            }
            logger.info(
                "silences restored",
                metadata: ["path": "\(path)", "silences": "\(state.withLock { $0.silences.count })"])
        }
    }

    /// Starts the store's thread: every 200 ms it hands changed silences to the notifier
    /// (muting every alert against every silence is kept off the HTTP loop thread) and writes
    /// the file when one is configured.
    public func start() throws {
        let t = try NativeThread.spawn(name: "silences") { [self] in
            while true {
                usleep(200_000)
                let stop = state.withLock { $0.stopping }
                tellIfChanged()
                saveIfDirty()
                if stop { return }
            }
        }
        writer.withLock { $0 = t }
    }

    /// Writes pending changes and stops the thread.
    public func stop() {
        state.withLock { $0.stopping = true }
        if let t = writer.withLock({ w -> NativeThread? in
            defer { w = nil }
            return w
        }) {
            t.join()
        }
        saveIfDirty()
    }

    private func tellIfChanged() {
        let now = clock()
        let pending = state.withLock { s -> ([Silence], @Sendable ([Silence], Double) -> Void)? in
            guard s.changed, let body = s.onChange else { return nil }
            s.changed = false
            return (Array(s.silences.values), body)
        }
        if let (list, body) = pending { body(list, now) }
    }

    private func saveIfDirty() {
        guard let file else { return }
        let now = clock()
        let list = state.withLock { s -> [Silence]? in
            gc(&s, now: now)
            guard s.dirty else { return nil }
            s.dirty = false
            return s.silences.values.sorted { $0.id < $1.id }
        }
        guard let list else { return }
        if let error = AtomicFile.write(path: file, bytes: AlertmanagerAPIv2.silences(list, now: now)) {
            let log = state.withLock { s -> Bool in
                s.dirty = true  // try again at the next round
                guard now - s.lastWriteErrorLog >= 60 else { return false }
                s.lastWriteErrorLog = now
                return true
            }
            if log {
                logger.error(
                    "cannot write the silences file; retrying (logged once a minute)",
                    metadata: ["path": "\(file)", "err": "\(error)"])
            }
        }
    }

    // MARK: metrics

    /// `celery_redis_silences{state}` and the refusal and drop counters.
    public func metricFamilies(now: Double) -> [MetricFamily] {
        let (counts, rejected, expunged) = state.withLock {
            s -> ([Silence.State: Int], [String: Double], [String: Double]) in
            var c: [Silence.State: Int] = [:]
            for x in s.silences.values { c[x.state(at: now), default: 0] += 1 }
            return (c, s.rejected, s.expunged)
        }
        return [
            MetricFamily(
                .silences,
                samples: Silence.State.allCases.map {
                    Sample(labels: [Label("state", $0.rawValue)], value: Double(counts[$0] ?? 0))
                }),
            MetricFamily(
                .silencesRejected,
                samples: rejected.keys.sorted().map { Sample(labels: [Label("reason", $0)], value: rejected[$0]!) }),
            MetricFamily(
                .silencesExpunged,
                samples: expunged.keys.sorted().map { Sample(labels: [Label("reason", $0)], value: expunged[$0]!) }),
        ]
    }
}
